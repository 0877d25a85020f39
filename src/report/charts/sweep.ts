/**
 * For sweeps: each key metric (scope all) against the first swept parameter,
 * with its 95% confidence interval (summary.csv), coloured by the second.
 */
import { num, type Row } from '../readCsv.js';
import { chart, type Spec } from './common.js';

export const KEY_METRICS: Record<string, string> = {
  latency_p99_ms: 'p99 latency (ms)',
  latency_mean_ms: 'mean latency (ms)',
  success_ratio: 'success ratio (0–1)',
  throughput_rps: 'throughput (requests/s)',
  failed: 'failed requests (count)',
};

export function sweepChart(rows: Row[], params: string[]): Spec {
  const [x, color] = params;
  const values = rows
    .filter((r) => r.scope === 'all' && r.metric in KEY_METRICS)
    .map((r) => ({ x: r[x], color: color ? r[color] : r.variant, measure: KEY_METRICS[r.metric], mean: num(r, 'mean'), low: num(r, 'ci_low') ?? num(r, 'mean'), high: num(r, 'ci_high') ?? num(r, 'mean') }));
  const xType = values.every((v) => v.x !== '' && Number.isFinite(Number(v.x))) ? 'ordinal' : 'nominal';
  return chart(`Key metrics against ${x}`, 'mean over replications with its 95% confidence interval', {
    data: { values },
    facet: { row: { field: 'measure', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelOrient: 'top' } } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 420,
      height: 120,
      encoding: {
        x: { field: 'x', type: xType, title: x, sort: null },
        color: { field: 'color', type: 'nominal', title: color ?? 'variant' },
      },
      layer: [
        { mark: { type: 'line', point: true }, encoding: { y: { field: 'mean', type: 'quantitative', title: 'mean (unit in the row title)' } } },
        { mark: { type: 'errorbar', ticks: true }, encoding: { y: { field: 'low', type: 'quantitative', title: 'mean (unit in the row title)' }, y2: { field: 'high' } } },
      ],
    },
  });
}
