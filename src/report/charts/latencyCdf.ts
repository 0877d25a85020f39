/**
 * The pooled end-to-end latency distribution of ok requests
 * (latency_cdf.csv), one line per variant on a log latency axis, with the
 * median and the 99th percentile marked so they can be read off.
 */
import { num, type Row } from '../readCsv.js';
import { colorScale, fmt, frame, MAX_OVERLAID, ONCE, panelHeader, uniqueInOrder, type Spec } from './common.js';
import type { Threshold } from './slos.js';

export interface CdfPoint {
  variant: string;
  latency: number;
  fraction: number;
}

export function cdfPoints(rows: readonly Row[]): CdfPoint[] {
  const out: CdfPoint[] = [];
  for (const r of rows) {
    const latency = num(r, 'latency_ms');
    const fraction = num(r, 'fraction');
    // A log axis has no place for 0 ms.
    if (latency !== undefined && latency > 0 && fraction !== undefined) out.push({ variant: r.variant, latency, fraction });
  }
  return out;
}

/** The smallest latency at which a variant's CDF reaches q (its q-quantile, to the CDF's resolution). */
export function quantileFromCdf(points: readonly CdfPoint[], variant: string, q: number): number | undefined {
  return points.find((p) => p.variant === variant && p.fraction >= q)?.latency;
}

const LEVELS = [
  { fraction: 0.5, label: 'p50' },
  { fraction: 0.99, label: 'p99' },
];

/**
 * One panel with a line per variant, or with more than MAX_OVERLAID variants
 * one small panel per variant, its line in colour over the others in grey,
 * so each can be read and still compared.
 */
export function latencyCdfChart(rows: readonly Row[], variants: readonly string[] = uniqueInOrder(rows.map((r) => r.variant)), slos: readonly Threshold[] = []): Spec {
  const values = cdfPoints(rows);
  const own = variants.filter((v) => values.some((p) => p.variant === v));
  const fraction = { field: 'fraction', type: 'quantitative' as const, title: 'cumulative fraction (0–1)', scale: { domain: [0, 1] } };
  const latency = { field: 'latency', type: 'quantitative' as const, scale: { type: 'log' as const, nice: false }, title: 'end-to-end latency (ms, log scale)' };
  const color = { field: 'variant', type: 'nominal' as const, title: 'variant', scale: colorScale(variants) };
  const levels = LEVELS.flatMap((l) => [
    { data: ONCE, mark: { type: 'rule' as const, strokeDash: [2, 3], color: '#888' }, encoding: { y: { datum: l.fraction, type: 'quantitative' as const } } },
    { data: ONCE, mark: { type: 'text' as const, align: 'left' as const, baseline: 'bottom' as const, dx: 3, dy: -1, color: '#666', fontSize: 10, x: 0, text: l.label }, encoding: { y: { datum: l.fraction, type: 'quantitative' as const } } },
  ]);
  // A latency percentile SLO (p99 < 200 ms) is a point the curve must pass: at 200 ms, at least 0.99.
  const sloLines = slos
    .filter((t) => t.scope === 'all' && /^latency_p\d+_ms$/.test(t.metric) && t.value > 0)
    .flatMap((t) => {
      const x = { datum: t.value, type: 'quantitative' as const };
      return [
        { data: ONCE, mark: { type: 'rule' as const, color: '#c0392b', strokeDash: [6, 3], strokeWidth: 1.3 }, encoding: { x } },
        { data: ONCE, mark: { type: 'text' as const, color: '#c0392b', align: 'left' as const, baseline: 'top' as const, dx: 3, y: 4, fontSize: 10, text: `SLO ${t.metric.replace(/^latency_|_ms$/g, '')} ${t.op} ${fmt(t.value)} ms` }, encoding: { x } },
      ];
    });
  const subtitle = `fraction of ok requests at or below each latency, all replications pooled; dotted lines: p50 and p99${sloLines.length ? '; red: latency SLOs' : ''}`;
  if (own.length <= MAX_OVERLAID)
    return {
      ...frame('End-to-end latency distribution', subtitle),
      width: 560,
      height: 300,
      data: { values },
      layer: [...levels, ...sloLines, { mark: { type: 'line', strokeWidth: 1.8 }, encoding: { x: latency, y: fraction, color } }],
    };
  // Every panel holds every variant: its own in colour, the others as grey context.
  const panels = own.flatMap((panel) => values.map((p) => ({ ...p, panel, self: p.variant === panel })));
  return {
    ...frame('End-to-end latency distribution', `${subtitle}; one panel per variant, the others in grey`),
    data: { values: panels },
    facet: { field: 'panel', type: 'nominal', title: null, sort: own, header: panelHeader(230) },
    columns: 3,
    spec: {
      width: 230,
      height: 150,
      layer: [
        ...levels,
        ...sloLines,
        { transform: [{ filter: '!datum.self' }], mark: { type: 'line', strokeWidth: 1, color: '#ccc' }, encoding: { x: latency, y: fraction, detail: { field: 'variant', type: 'nominal' } } },
        { transform: [{ filter: 'datum.self' }], mark: { type: 'line', strokeWidth: 1.8 }, encoding: { x: latency, y: fraction, color: { ...color, legend: null } } },
      ],
    },
  };
}

/**
 * The pooled quantiles read off the CDF, and next to them summary.csv's
 * (the mean over replications of each replication's percentile): the two
 * differ, and the text says which is which.
 */
export function latencyCdfDescription(rows: readonly Row[], summary: readonly Row[] = []): string {
  const points = cdfPoints(rows);
  const variants = uniqueInOrder(points.map((p) => p.variant));
  const fromSummary = (v: string, metric: string) => summary.find((r) => r.variant === v && r.scope === 'all' && r.metric === metric)?.mean;
  const parts = variants.map((v) => {
    const p99 = fromSummary(v, 'latency_p99_ms');
    return `${v}: pooled median about ${fmt(quantileFromCdf(points, v, 0.5))} ms, pooled p99 about ${fmt(quantileFromCdf(points, v, 0.99))} ms${p99 ? ` (summary.csv's p99, the mean of the replications' p99s: ${fmt(Number(p99), 4)} ms)` : ''}`;
  });
  return `Cumulative fraction of ok requests against end-to-end latency (log scale), all replications pooled, one line per variant. ${parts.join('; ')}.`;
}
