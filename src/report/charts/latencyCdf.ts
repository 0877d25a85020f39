/** The pooled latency distribution of each variant (latency_cdf.csv), log latency axis. */
import { num, type Row } from '../readCsv.js';
import { chart, type Spec } from './common.js';

export function latencyCdfChart(rows: Row[]): Spec {
  const values = rows.map((r) => ({ variant: r.variant, latency: num(r, 'latency_ms'), fraction: num(r, 'fraction') })).filter((v) => v.latency !== undefined && v.latency > 0);
  return chart('End-to-end latency distribution', 'ok requests, all replications pooled', {
    width: 560,
    height: 300,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'latency', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms, log scale)' },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of requests ≤ latency (0–1)', scale: { domain: [0, 1] } },
      color: { field: 'variant', type: 'nominal', title: 'variant' },
    },
  });
}
