/**
 * Service-level objectives (slos.csv: `variant, [sweep parameters], scope,
 * slo, mean, ci_low, ci_high, verdict`, verdict `met`, `not met` or
 * `undecided` at one-sided 95%): each SLO's metric per variant with its
 * interval against the threshold, coloured by verdict. The same thresholds
 * are drawn on every other chart of an SLO's metric (sweep, time series).
 */
import { num, type Row } from '../readCsv.js';
import { fmt, frame, KEY_METRICS, ONCE, uniqueInOrder, type Spec } from './common.js';

export interface Threshold {
  /** As written, e.g. `latency_p99_ms < 200`. */
  text: string;
  metric: string;
  op: '<' | '<=' | '>' | '>=';
  value: number;
  scope: string;
}

/** `latency_p99_ms<200` or `latency_p99_ms < 200` → a threshold, or undefined when the text is not an SLO. */
export function parseSlo(text: string, scope = 'all'): Threshold | undefined {
  const m = /^\s*([a-z0-9_]+)\s*(<=|>=|<|>)\s*(-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*$/i.exec(text);
  return m ? { text: text.trim(), metric: m[1], op: m[2] as Threshold['op'], value: Number(m[3]), scope } : undefined;
}

/** Every distinct threshold of slos.csv and of a plan's SLOs. */
export function thresholds(slos: readonly Row[] = [], planSlos: readonly string[] = []): Threshold[] {
  const all = [...slos.map((r) => parseSlo(r.slo, r.scope || 'all')), ...planSlos.map((s) => parseSlo(s))].filter((t): t is Threshold => t !== undefined);
  return [...new Map(all.map((t) => [`${t.scope} ${t.metric} ${t.op} ${t.value}`, t])).values()];
}

export const VERDICTS = ['met', 'undecided', 'not met'] as const;
const VERDICT_COLORS = ['#2e7d32', '#b8860b', '#c0392b'];

export interface SloPoint {
  variant: string;
  scope: string;
  slo: string;
  metric: string;
  threshold: number | null;
  mean: number | null;
  low: number | null;
  high: number | null;
  verdict: string;
}

export function sloPoints(rows: readonly Row[]): SloPoint[] {
  return rows.map((r) => {
    const t = parseSlo(r.slo, r.scope);
    return {
      variant: r.variant,
      scope: r.scope || 'all',
      slo: r.scope && r.scope !== 'all' ? `${r.slo} (${r.scope})` : r.slo,
      metric: t?.metric ?? r.slo,
      threshold: t?.value ?? null,
      mean: num(r, 'mean') ?? null,
      low: num(r, 'ci_low') ?? num(r, 'mean') ?? null,
      high: num(r, 'ci_high') ?? num(r, 'mean') ?? null,
      verdict: r.verdict,
    };
  });
}

const unitOf = (metric: string) => KEY_METRICS.find((k) => k.metric === metric)?.unit ?? (metric.endsWith('_ms') ? 'ms' : 'as in summary.csv');

export function slosChart(rows: readonly Row[], variants?: readonly string[]): Spec {
  const points = sloPoints(rows);
  const order = variants?.length ? variants.filter((v) => points.some((p) => p.variant === v)) : uniqueInOrder(points.map((p) => p.variant));
  const y = { field: 'variant', type: 'nominal' as const, title: null, sort: order, axis: { labelLimit: 360 } };
  const color = { field: 'verdict', type: 'nominal' as const, title: 'verdict (one-sided 95%)', scale: { domain: [...VERDICTS], range: VERDICT_COLORS } };
  return {
    ...frame('Service-level objectives', 'mean over replications with its 95% confidence interval; red dashed line: the threshold; axes start at 0 unless said'),
    spacing: 18,
    vconcat: uniqueInOrder(points.map((p) => p.slo)).map((slo) => {
      const own = points.filter((p) => p.slo === slo);
      const metric = own[0].metric;
      // A ratio near 1 (success_ratio ≥ 0.999) cannot be read on an axis from 0.
      const fromZero = !(metric.endsWith('_ratio') && own.every((p) => (p.low ?? 0) > 0.5));
      const title = `${slo} (${unitOf(metric)}${fromZero ? '' : '; axis not from 0'})`;
      return {
        data: { values: own },
        width: 460,
        height: { step: 20 },
        layer: [
          { mark: { type: 'rule' as const, strokeWidth: 1.8 }, encoding: { y, x: { field: 'low', type: 'quantitative' as const, title, scale: { zero: fromZero } }, x2: { field: 'high' }, color } },
          { mark: { type: 'point' as const, filled: true, size: 50, opacity: 1 }, encoding: { y, x: { field: 'mean', type: 'quantitative' as const, title }, color } },
          { data: ONCE, mark: { type: 'rule' as const, color: '#c0392b', strokeDash: [6, 3], strokeWidth: 1.4 }, encoding: { x: { datum: own[0].threshold ?? 0, type: 'quantitative' as const } } },
        ],
      };
    }),
  };
}

export function slosDescription(rows: readonly Row[]): string {
  const points = sloPoints(rows);
  const parts = uniqueInOrder(points.map((p) => p.slo)).map((slo) => {
    const own = points.filter((p) => p.slo === slo);
    const counts = VERDICTS.map((v) => [v, own.filter((p) => p.verdict === v).length] as const).filter(([, n]) => n > 0);
    const worst = own.filter((p) => p.verdict !== 'met').map((p) => `${p.variant} (mean ${fmt(p.mean)}, 95% CI [${fmt(p.low)}, ${fmt(p.high)}])`);
    return `${slo}: ${counts.map(([v, n]) => `${v} in ${n} of ${own.length}`).join(', ')}${worst.length ? `; not met or undecided: ${worst.join(', ')}` : ''}`;
  });
  return `Each SLO's metric per variant, mean over replications with its 95% confidence interval, against its threshold. ${parts.join('. ')}.`;
}

/**
 * Rules and labels of the thresholds on a metric (scope all), for a chart
 * whose `axis` is that metric; `datum` layers, so they work in facets too.
 */
export function thresholdLayers(ts: readonly Threshold[], metric: string, title: string, axis: 'x' | 'y' = 'y') {
  return ts
    .filter((t) => t.metric === metric && t.scope === 'all')
    .flatMap((t) => {
      const at = { [axis]: { datum: t.value, type: 'quantitative' as const, title } };
      return [
        { data: ONCE, mark: { type: 'rule' as const, color: '#c0392b', strokeDash: [6, 3], strokeWidth: 1.3 }, encoding: at },
        {
          data: ONCE,
          mark: { type: 'text' as const, color: '#c0392b', align: 'right' as const, baseline: 'bottom' as const, dy: -2, fontSize: 10, text: `SLO ${t.op} ${fmt(t.value)}`, ...(axis === 'y' ? { x: { expr: 'width' } } : { y: 0, angle: 0 }) },
          encoding: at,
        },
      ];
    });
}
