/**
 * The pooled end-to-end latency distribution of ok requests
 * (latency_cdf.csv), one line per variant on a log latency axis, with the
 * median and the 99th percentile marked so they can be read off.
 */
import { num, type Row } from '../readCsv.js';
import { colorScale, fmt, frame, uniqueInOrder, type Spec } from './common.js';

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

export function latencyCdfChart(rows: readonly Row[], variants: readonly string[] = uniqueInOrder(rows.map((r) => r.variant))): Spec {
  const values = cdfPoints(rows);
  const fraction = { field: 'fraction', type: 'quantitative' as const, title: 'cumulative fraction (0–1)', scale: { domain: [0, 1] } };
  return {
    ...frame('End-to-end latency distribution', 'fraction of ok requests at or below each latency, all replications pooled; dotted lines: p50 and p99'),
    width: 560,
    height: 300,
    layer: [
      {
        data: { values: LEVELS },
        mark: { type: 'rule', strokeDash: [2, 3], color: '#888' },
        encoding: { y: fraction },
      },
      {
        data: { values: LEVELS },
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, dy: -1, color: '#666', fontSize: 10 },
        encoding: { y: fraction, x: { value: 0 }, text: { field: 'label' } },
      },
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 1.8 },
        encoding: {
          x: { field: 'latency', type: 'quantitative', scale: { type: 'log', nice: false }, title: 'end-to-end latency (ms, log scale)' },
          y: fraction,
          color: { field: 'variant', type: 'nominal', title: 'variant', scale: colorScale(variants) },
        },
      },
    ],
  };
}

export function latencyCdfDescription(rows: readonly Row[]): string {
  const points = cdfPoints(rows);
  const variants = uniqueInOrder(points.map((p) => p.variant));
  const parts = variants.map((v) => `${v}: median about ${fmt(quantileFromCdf(points, v, 0.5))} ms, p99 about ${fmt(quantileFromCdf(points, v, 0.99))} ms`);
  return `Cumulative fraction of ok requests against end-to-end latency (log scale), one line per variant. ${parts.join('; ')}.`;
}
