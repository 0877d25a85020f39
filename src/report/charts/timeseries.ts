/**
 * Throughput, failed requests and p99 latency per time bucket
 * (timeseries.csv, means over replications), one line per variant, three
 * panels on one time axis, with the scenario's scheduled failures (and
 * recoveries) drawn where they happen.
 */
import type { FailureMark } from '../manifest.js';
import { num, type Row } from '../readCsv.js';
import { colorScale, fmt, frame, mean, titleAbove, uniqueInOrder, type Spec } from './common.js';

export interface Bucket {
  variant: string;
  t: number;
  throughput_rps: number | null;
  failed: number | null;
  latency_p99_ms: number | null;
}

const PANELS = [
  { field: 'throughput_rps', title: 'throughput (requests/s)' },
  { field: 'failed', title: 'failed requests (per bucket)' },
  { field: 'latency_p99_ms', title: 'p99 latency (ms)' },
] as const;

/**
 * The buckets of every variant, plus one closing point per variant at the
 * end of its last bucket, so that a step line shows the last bucket's width
 * too (`t_s` is a bucket's start).
 */
export function buckets(rows: readonly Row[]): Bucket[] {
  const out: Bucket[] = [];
  const value = (r: Row, k: string) => num(r, k) ?? null;
  for (const variant of uniqueInOrder(rows.map((r) => r.variant))) {
    const own = rows
      .filter((r) => r.variant === variant && num(r, 't_s') !== undefined)
      .map((r) => ({ variant, t: num(r, 't_s')!, throughput_rps: value(r, 'throughput_rps'), failed: value(r, 'failed'), latency_p99_ms: value(r, 'latency_p99_ms') }))
      .sort((a, b) => a.t - b.t);
    // One by one: a spread of a long series would overflow the call stack.
    for (const b of own) out.push(b);
    const [prev, last] = own.slice(-2);
    if (own.length >= 2) out.push({ ...last, t: last.t + (last.t - prev.t) });
  }
  return out;
}

export function timeseriesChart(rows: readonly Row[], failures: readonly FailureMark[] = [], variants: readonly string[] = uniqueInOrder(rows.map((r) => r.variant))): Spec {
  const values = buckets(rows);
  const hasMarks = failures.length > 0;
  const time = { field: 't', type: 'quantitative' as const, title: 'time from the start of the measured window (s)', scale: { nice: false } };
  // Failures and recoveries as dashed rules; in the top panel with their labels, on a white halo so lines do not hide them.
  const eventLayers = (withLabels: boolean) =>
    (['failure', 'recovery'] as const).flatMap((kind) => {
      const marks = failures.filter((f) => f.kind === kind).map((f) => ({ t: f.t, label: f.label }));
      if (marks.length === 0) return [];
      const color = kind === 'failure' ? '#c0392b' : '#2e7d32';
      const label = { type: 'text' as const, align: 'left' as const, baseline: 'top' as const, dx: 4, y: kind === 'failure' ? 2 : 15, fontSize: 10 };
      const labels = [
        { data: { values: marks }, mark: { ...label, color: 'white', stroke: 'white', strokeWidth: 3, strokeJoin: 'round' as const }, encoding: { x: time, text: { field: 'label' } } },
        { data: { values: marks }, mark: { ...label, color }, encoding: { x: time, text: { field: 'label' } } },
      ];
      return [{ data: { values: marks }, mark: { type: 'rule' as const, strokeDash: [5, 3], strokeWidth: 1.2, color }, encoding: { x: time } }, ...(withLabels ? labels : [])];
    });
  return {
    ...frame('Traffic over time', `means over replications per time bucket${hasMarks ? '; dashed lines: scheduled failures (red) and recoveries (green)' : ''}`),
    data: { values },
    spacing: 26,
    vconcat: PANELS.map(({ field, title }, i) => {
      const last = i === PANELS.length - 1;
      return {
        width: 640,
        height: 110,
        layer: [
          {
            mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.6 },
            encoding: {
              x: { ...time, axis: last ? {} : { title: null, labels: false } },
              // Failures are counts: a window without any still gets an axis from 0 to 1 in whole steps.
              y:
                field === 'failed'
                  ? { field, type: 'quantitative' as const, title, axis: { ...titleAbove, tickMinStep: 1 }, scale: { domain: { unionWith: [0, 1] } } }
                  : { field, type: 'quantitative' as const, title, axis: titleAbove },
              color: { field: 'variant', type: 'nominal' as const, title: 'variant', scale: colorScale(variants) },
            },
          },
          ...eventLayers(i === 0),
        ],
      };
    }),
  };
}

export function timeseriesDescription(rows: readonly Row[], failures: readonly FailureMark[] = []): string {
  const values = buckets(rows);
  const parts = uniqueInOrder(values.map((b) => b.variant)).map((v) => {
    // Without the closing point, which repeats the last bucket.
    const own = values.filter((b) => b.variant === v).slice(0, -1);
    const nums = (k: 'throughput_rps' | 'failed' | 'latency_p99_ms') => own.map((b) => b[k]).filter((x): x is number => x !== null);
    const failed = nums('failed').reduce((s, x) => s + x, 0);
    const worst = own.reduce<Bucket | undefined>((w, b) => (b.latency_p99_ms !== null && (!w || b.latency_p99_ms > (w.latency_p99_ms ?? -Infinity)) ? b : w), undefined);
    return `${v}: throughput ${fmt(mean(nums('throughput_rps')))} requests/s on average, ${fmt(failed)} failed requests in all, highest p99 ${fmt(worst?.latency_p99_ms)} ms at ${fmt(worst?.t)} s`;
  });
  const events = failures.length ? ` Marked: ${failures.map((f) => `${f.label} at ${fmt(f.t)} s`).join(', ')}.` : '';
  return `Throughput, failed requests and p99 latency per time bucket, one line per variant. ${parts.join('; ')}.${events}`;
}
