/**
 * Paired differences against the baseline variant (diffs.csv, scope all):
 * each variant minus the baseline, replication by replication, with its 95%
 * confidence interval. Common random numbers make these intervals much
 * tighter than the two variants' own; an interval clear of the zero line is
 * a difference the run has shown.
 */
import { num, type Row } from '../readCsv.js';
import { axisTitle, colorScale, fmt, frame, KEY_METRICS, ONCE, uniqueInOrder, type Spec } from './common.js';

export interface DiffPoint {
  variant: string;
  metric: string;
  diff: number | null;
  low: number | null;
  high: number | null;
}

export function diffPoints(rows: readonly Row[]): DiffPoint[] {
  const keyed = new Set(KEY_METRICS.map((m) => m.metric));
  return rows
    .filter((r) => r.scope === 'all' && keyed.has(r.metric))
    .map((r) => ({ variant: r.variant, metric: r.metric, diff: num(r, 'mean_diff') ?? null, low: num(r, 'ci_low') ?? num(r, 'mean_diff') ?? null, high: num(r, 'ci_high') ?? num(r, 'mean_diff') ?? null }));
}

export const baselineOf = (rows: readonly Row[]): string => rows.find((r) => r.baseline)?.baseline ?? 'the baseline';

export function diffsChart(rows: readonly Row[], variants?: readonly string[]): Spec {
  const points = diffPoints(rows);
  const listed = uniqueInOrder(points.map((p) => p.variant));
  const order = variants ? [...variants.filter((v) => listed.includes(v)), ...listed.filter((v) => !variants.includes(v))] : listed;
  // A metric with no difference anywhere (no failures in any variant) is said, not drawn as a row of zeros.
  const flat = (metric: string) => points.filter((p) => p.metric === metric).every((p) => !p.diff && !p.low && !p.high);
  const present = KEY_METRICS.filter((m) => points.some((p) => p.metric === m.metric));
  const zero = present.filter((m) => flat(m.metric));
  const y = { field: 'variant', type: 'nominal' as const, title: null, sort: order, axis: { labelLimit: 500 } };
  const color = { field: 'variant', type: 'nominal' as const, title: 'variant', legend: null, scale: colorScale(variants ?? order) };
  return {
    ...frame(
      `Paired differences against ${baselineOf(rows)}`,
      `variant − baseline, paired by replication (common random numbers); error bars: 95% confidence interval; grey line: no difference${zero.length ? `; ${zero.map((m) => m.label).join(', ')}: no difference in any variant (not drawn)` : ''}`,
    ),
    spacing: 14,
    vconcat: present.filter((m) => !zero.includes(m)).map((m) => ({
      data: { values: points.filter((p) => p.metric === m.metric) },
      width: 420,
      height: { step: 20 },
      layer: [
        { data: ONCE, mark: { type: 'rule' as const, color: '#999', strokeWidth: 1 }, encoding: { x: { datum: 0, type: 'quantitative' as const } } },
        {
          mark: { type: 'errorbar' as const, ticks: true },
          encoding: { y, x: { field: 'low', type: 'quantitative' as const, title: axisTitle(m, 'Δ '), scale: { zero: true } }, x2: { field: 'high' }, color },
        },
        { mark: { type: 'point' as const, filled: true, size: 40, opacity: 1 }, encoding: { y, x: { field: 'diff', type: 'quantitative' as const, title: axisTitle(m, 'Δ ') }, color } },
      ],
    })),
  };
}

export function diffsDescription(rows: readonly Row[]): string {
  const points = diffPoints(rows);
  const parts = points
    .filter((p) => p.diff !== null)
    .map((p) => {
      const m = KEY_METRICS.find((k) => k.metric === p.metric)!;
      const shown = p.low !== null && p.high !== null && (p.low > 0 || p.high < 0);
      return `${p.variant} ${m.label} ${p.diff! > 0 ? '+' : ''}${fmt(p.diff)} [${fmt(p.low)}, ${fmt(p.high)}]${shown ? '' : ' (interval includes 0)'}`;
    });
  return `Differences of each variant from ${baselineOf(rows)}, paired by replication, with 95% confidence intervals: ${parts.join('; ')}.`;
}
