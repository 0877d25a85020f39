/**
 * For sweeps: each key metric (scope all, summary.csv) against the first
 * swept parameter, with its 95% confidence interval as error bars, one line
 * per value of the second parameter (or per combination of the others).
 */
import { num, type Row } from '../readCsv.js';
import { axisTitle, colorScale, fmt, frame, isConstant, KEY_METRICS, titleAbove, uniqueInOrder, type KeyMetric, type Spec } from './common.js';
import { thresholdLayers, type Threshold } from './slos.js';

export interface SweepPoint {
  variant: string;
  metric: string;
  /** The first parameter's value as written in the sweep. */
  x: string;
  xNum: number | null;
  /** The other parameters' values: the line this point belongs to. */
  series: string;
  mean: number | null;
  low: number | null;
  high: number | null;
}

/** Units of sweepable fields whose values are bare numbers (a bare Duration is seconds, a bare Rate per second). */
const UNIT_OF_FIELD: Record<string, string> = {
  replicas: 'pods',
  concurrency: 'requests at once per pod',
  queueCapacity: 'requests',
  count: 'nodes',
  clients: 'client IPs',
  requestsPerConnection: 'requests',
  retries: 'extra attempts',
  rate: 'requests/s',
  timeoutSeconds: 's',
};
const SECONDS = /^(sameNode|sameZone|crossZone|proxy|duration|warmup|timeBucket|drainLimit|timeout|connectTimeout|latency|at|recoverAfter|restartAfter|startupTime|interval|nodeMonitorGracePeriod|nodeLeaseInterval|proxyMinSyncPeriod|podEvictionTimeout|endpointPropagation|retryBackoff|mean|value|median|p99|stddev|min|max)$/;

const isNumeric = (s: string) => s.trim() !== '' && Number.isFinite(Number(s));

/** An axis title for a swept parameter: its key, with a unit when its values are bare numbers (otherwise the values carry their own). */
export function parameterTitle(key: string, values: readonly string[], path?: string): string {
  const field = (path ?? key).split('.').pop() ?? key;
  if (!values.every(isNumeric)) return key;
  const unit = UNIT_OF_FIELD[field] ?? (SECONDS.test(field) ? 's' : 'value as written');
  return `${key} (${unit})`;
}

export function sweepPoints(rows: readonly Row[], params: readonly string[]): SweepPoint[] {
  const [first, ...others] = params;
  const keyed = new Set(KEY_METRICS.map((m) => m.metric));
  return rows
    .filter((r) => r.scope === 'all' && keyed.has(r.metric))
    .map((r) => ({
      variant: r.variant,
      metric: r.metric,
      x: r[first] ?? '',
      xNum: isNumeric(r[first] ?? '') ? Number(r[first]) : null,
      series: others.length === 0 ? r.variant : others.length === 1 ? (r[others[0]] ?? '') : others.map((p) => `${p}=${r[p] ?? ''}`).join('; '),
      mean: num(r, 'mean') ?? null,
      low: num(r, 'ci_low') ?? num(r, 'mean') ?? null,
      high: num(r, 'ci_high') ?? num(r, 'mean') ?? null,
    }));
}

/** The metrics worth a panel: a metric equal in every variant (no failures anywhere) is said in words instead of a flat line. */
export function sweepMetrics(points: readonly SweepPoint[]) {
  const present = KEY_METRICS.filter((m) => points.some((p) => p.metric === m.metric));
  return {
    shown: present.filter((m) => !isConstant(points.filter((p) => p.metric === m.metric).map((p) => p.mean))),
    constant: present.filter((m) => isConstant(points.filter((p) => p.metric === m.metric).map((p) => p.mean))),
  };
}

/**
 * Quantities are drawn from 0 so that a 4 ms difference on a 68 ms p99 looks
 * as small as it is; a ratio close to 1 (success ratio) would be a flat line
 * from 0, so its axis starts near its values and its title says so.
 */
export function startsAtZero(m: KeyMetric, points: readonly SweepPoint[]): boolean {
  return !(m.metric.endsWith('_ratio') && points.every((p) => p.metric !== m.metric || (p.low ?? p.mean ?? 0) > 0.5));
}

const sortedValues = (values: readonly string[]) => (values.every(isNumeric) ? [...values].sort((a, b) => Number(a) - Number(b)) : [...values]);

export function sweepChart(rows: readonly Row[], params: readonly string[], paths: readonly string[] = [], variants?: readonly string[], slos: readonly Threshold[] = []): Spec {
  const points = sweepPoints(rows, params);
  const [first, ...others] = params;
  const xValues = sortedValues(uniqueInOrder(points.map((p) => p.x)));
  const numericX = points.every((p) => p.xNum !== null);
  const seriesValues = sortedValues(uniqueInOrder(points.map((p) => p.series)));
  // A series per value of the other parameters; joined by lines only where x is a number (a line between categories means nothing).
  const series = others.length > 0;
  const x = numericX
    ? { field: 'xNum', type: 'quantitative' as const, title: parameterTitle(first, xValues, paths[0]), scale: { zero: false, padding: 12 }, axis: { values: xValues.map(Number) } }
    : { field: 'x', type: 'ordinal' as const, title: parameterTitle(first, xValues, paths[0]), sort: xValues, axis: { labelAngle: 0 } };
  const color = series
    ? { field: 'series', type: 'nominal' as const, title: others.length === 1 ? others[0] : others.join('; '), sort: seriesValues, scale: colorScale(seriesValues) }
    : { field: 'variant', type: 'nominal' as const, title: 'variant', legend: null, scale: colorScale(variants ?? seriesValues) };
  // Side by side when the x axis has room per category, so intervals at one value do not hide each other.
  const offset = series && !numericX ? { xOffset: { field: 'series', type: 'nominal' as const, sort: seriesValues } } : {};
  const { shown, constant } = sweepMetrics(points);
  const notes = [
    `mean over replications with its 95% confidence interval (error bars)${series ? `; colour: ${color.title}` : ''}`,
    'y axes start at 0 unless their title says not',
    ...(slos.length ? ['red dashed lines: SLO thresholds'] : []),
    ...constant.map((m) => `${m.label}: ${fmt(points.find((p) => p.metric === m.metric)?.mean)} in every variant (not drawn)`),
  ];
  return {
    ...frame(`Key metrics against ${first}`, notes.join('; ')),
    spacing: 30,
    vconcat: shown.map((m, i) => {
      const zero = startsAtZero(m, points);
      const title = zero ? axisTitle(m) : `${m.label} (${m.unit}; axis not from 0)`;
      const y = { field: 'mean', type: 'quantitative' as const, title, scale: { zero }, axis: titleAbove };
      const xAxis = i === shown.length - 1 ? x : { ...x, axis: { ...x.axis, title: null, labels: false } };
      return {
        width: 460,
        height: 110,
        layer: [
          {
            data: { values: points.filter((p) => p.metric === m.metric) },
            encoding: { x: xAxis, ...offset },
            layer: [
              ...(numericX ? [{ mark: { type: 'line' as const, strokeWidth: 1.5, ...(series ? {} : { color: '#999' }) }, encoding: { y, ...(series ? { color } : {}) } }] : []),
              { mark: { type: 'rule' as const, strokeWidth: 1.5 }, encoding: { y: { ...y, field: 'low' }, y2: { field: 'high' }, color } },
              { mark: { type: 'point' as const, filled: true, size: 40, opacity: 1 }, encoding: { y, color } },
            ],
          },
          ...thresholdLayers(slos, m.metric, title),
        ],
      };
    }),
  };
}

export function sweepDescription(rows: readonly Row[], params: readonly string[]): string {
  const points = sweepPoints(rows, params);
  const parts = KEY_METRICS.flatMap((m) => {
    const own = points.filter((p) => p.metric === m.metric && p.mean !== null);
    if (own.length === 0) return [];
    const unit = m.unit === 'fraction, 0–1' ? '' : ` ${m.unit}`;
    const lo = own.reduce((a, b) => (b.mean! < a.mean! ? b : a));
    const hi = own.reduce((a, b) => (b.mean! > a.mean! ? b : a));
    // Equal to the digits shown: one number, not "from 1 (…) to 1 (…)".
    if (fmt(lo.mean, 4) === fmt(hi.mean, 4)) return [`${m.label} ${fmt(lo.mean, 4)}${unit} in every variant`];
    return [`${m.label} from ${fmt(lo.mean, 4)}${unit} (${lo.variant}) to ${fmt(hi.mean, 4)}${unit} (${hi.variant})`];
  });
  return `Key metrics of every variant against ${params[0]}${params.length > 1 ? `, one line per ${params.slice(1).join('; ')}` : ''}, means over replications with 95% confidence intervals: ${parts.join('; ')}.`
}
