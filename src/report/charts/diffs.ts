/** Paired differences against the baseline variant (diffs.csv), with 95% error bars: common random numbers make them tight. */
import { num, type Row } from '../readCsv.js';
import { chart, type Spec } from './common.js';
import { KEY_METRICS } from './sweep.js';

export function diffsChart(rows: Row[]): Spec {
  const values = rows
    .filter((r) => r.scope === 'all' && r.metric in KEY_METRICS)
    .map((r) => ({ variant: r.variant, measure: KEY_METRICS[r.metric], diff: num(r, 'mean_diff'), low: num(r, 'ci_low') ?? num(r, 'mean_diff'), high: num(r, 'ci_high') ?? num(r, 'mean_diff') }));
  const baseline = rows[0]?.baseline ?? 'baseline';
  return chart(`Paired differences against ${baseline}`, 'variant − baseline, by replication (common random numbers), 95% confidence interval', {
    data: { values },
    facet: { row: { field: 'measure', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelOrient: 'top' } } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 420,
      height: { step: 18 },
      encoding: { y: { field: 'variant', type: 'nominal', title: 'variant', sort: null }, color: { field: 'variant', type: 'nominal', title: 'variant', legend: null } },
      layer: [
        { mark: { type: 'rule', color: '#888' }, encoding: { x: { datum: 0, type: 'quantitative' } } },
        { mark: { type: 'errorbar', ticks: true }, encoding: { x: { field: 'low', type: 'quantitative', title: 'difference (unit in the row title)' }, x2: { field: 'high' } } },
        { mark: { type: 'point', filled: true }, encoding: { x: { field: 'diff', type: 'quantitative', title: 'difference (unit in the row title)' } } },
      ],
    },
  });
}
