/**
 * Throughput, failed requests and p99 latency per time bucket
 * (timeseries.csv), one line per variant, stacked on one time axis, with the
 * scenario's scheduled failures marked where they happen.
 */
import { num, type Row } from '../readCsv.js';
import { chart, type Spec } from './common.js';

export interface FailureMark {
  /** Seconds from the window start. */
  t: number;
  label: string;
}

const PANELS: [field: string, title: string][] = [
  ['throughput_rps', 'throughput (requests/s)'],
  ['failed', 'failed requests (per bucket)'],
  ['latency_p99_ms', 'p99 latency (ms)'],
];

export function timeseriesChart(rows: Row[], failures: FailureMark[]): Spec {
  const values = rows.map((r) => ({ variant: r.variant, t: num(r, 't_s'), throughput_rps: num(r, 'throughput_rps'), failed: num(r, 'failed'), latency_p99_ms: num(r, 'latency_p99_ms') }));
  const marks = failures.map((f) => ({ t: f.t, label: f.label }));
  return chart('Traffic over time', `means over replications per time bucket${marks.length ? '; dashed red lines: failures' : ''}`, {
    data: { values },
    vconcat: PANELS.map(([field, title], i) => ({
      width: 640,
      height: 120,
      encoding: { x: { field: 't', type: 'quantitative', title: 'time from the start of the measured window (s)', axis: i === PANELS.length - 1 ? {} : { title: null } } },
      layer: [
        {
          mark: { type: 'line', interpolate: 'step-after' },
          encoding: {
            y: { field, type: 'quantitative', title },
            color: { field: 'variant', type: 'nominal', title: 'variant' },
          },
        },
        ...(marks.length
          ? [
              { data: { values: marks }, mark: { type: 'rule', strokeDash: [4, 3], color: '#c0392b' } },
              ...(i === 0 ? [{ data: { values: marks }, mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: 2, color: '#c0392b', fontSize: 10 }, encoding: { text: { field: 'label' } } }] : []),
            ]
          : []),
      ],
    })),
  });
}
