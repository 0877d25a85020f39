/**
 * Per traffic entry and per Service (summary.csv's `traffic:<name>` and
 * `service:<name>` scopes): throughput, mean and p99 latency of each, with
 * their 95% intervals, side by side so the busiest and the slowest Service
 * of a call graph stand out. A Service's numbers are its calls as the
 * callers see them (all callers together, nested calls included: a
 * Service's latency contains the calls it makes), so they are read against
 * each other, not added up. Drawn when there is something to compare: a
 * called Service, or more than one traffic entry.
 */
import { num, type Row } from '../readCsv.js';
import { colorScale, fmt, frame, uniqueInOrder, type Spec } from './common.js';
import type { Threshold } from './slos.js';

export const SCOPE_METRICS = [
  { metric: 'throughput_rps', title: 'throughput (ok requests/s)' },
  { metric: 'latency_mean_ms', title: 'mean latency (ms)' },
  { metric: 'latency_p99_ms', title: 'p99 latency (ms)' },
] as const;

export interface ScopePoint {
  variant: string;
  scope: string;
  metric: string;
  mean: number;
  low: number | null;
  high: number | null;
}

/** The traffic and Service scopes of summary.csv, traffic entries first, each kind in the table's order. */
export function compareScopes(summary: readonly Row[]): string[] {
  const scopes = uniqueInOrder(summary.map((r) => r.scope));
  return [...scopes.filter((s) => s.startsWith('traffic:')), ...scopes.filter((s) => s.startsWith('service:'))];
}

/** Whether the chart has something to compare: a called Service, or two traffic entries or more. */
export function hasScopes(summary: readonly Row[] = []): boolean {
  const scopes = compareScopes(summary);
  return scopes.some((s) => s.startsWith('service:')) || scopes.filter((s) => s.startsWith('traffic:')).length > 1;
}

export function scopePoints(summary: readonly Row[]): ScopePoint[] {
  const wanted = new Set(compareScopes(summary));
  return summary.flatMap((r) => {
    const mean = num(r, 'mean');
    if (!wanted.has(r.scope) || mean === undefined || !SCOPE_METRICS.some((m) => m.metric === r.metric)) return [];
    return [{ variant: r.variant, scope: r.scope, metric: r.metric, mean, low: num(r, 'ci_low') ?? null, high: num(r, 'ci_high') ?? null }];
  });
}

export function scopesChart(summary: readonly Row[], variants: readonly string[], slos: readonly Threshold[] = []): Spec {
  const points = scopePoints(summary);
  const scopes = compareScopes(summary);
  const own = variants.filter((v) => points.some((p) => p.variant === v));
  const many = own.length > 1;
  const color = { field: 'variant', type: 'nominal' as const, title: 'variant', scale: colorScale(variants), sort: own, ...(many ? {} : { legend: null }) };
  // An SLO of a traffic entry or Service: a red tick across its row, in the panel of its metric.
  const ticks = slos.filter((t) => scopes.includes(t.scope)).map((t) => ({ scope: t.scope, metric: t.metric, threshold: t.value, slo: t.text }));
  const panel = (m: (typeof SCOPE_METRICS)[number], i: number) => {
    const y = { field: 'scope', type: 'nominal' as const, title: null, sort: scopes, axis: i === 0 ? { labelLimit: 260 } : { labels: false, ticks: false } };
    const yOffset = many ? { yOffset: { field: 'variant', type: 'nominal' as const, sort: own } } : {};
    return {
      width: 220,
      height: { step: 8 + 8 * Math.max(1, own.length) },
      transform: [{ filter: { field: 'metric', equal: m.metric } }],
      layer: [
        { mark: { type: 'bar' as const, opacity: 0.85 }, encoding: { y, ...yOffset, x: { field: 'mean', type: 'quantitative' as const, title: m.title, scale: { zero: true } }, color } },
        {
          transform: [{ filter: 'isValid(datum.low) && isValid(datum.high)' }],
          mark: { type: 'rule' as const, color: '#222', strokeWidth: 1.2 },
          encoding: { y, ...yOffset, x: { field: 'low', type: 'quantitative' as const }, x2: { field: 'high' } },
        },
        ...(ticks.some((t) => t.metric === m.metric)
          ? [
              {
                data: { values: ticks.filter((t) => t.metric === m.metric) },
                mark: { type: 'tick' as const, color: '#c0392b', thickness: 2, strokeDash: [4, 2] },
                encoding: { y: { field: 'scope', type: 'nominal' as const, sort: scopes }, x: { field: 'threshold', type: 'quantitative' as const } },
              },
            ]
          : []),
      ],
    };
  };
  return {
    ...frame(
      'Per traffic entry and Service',
      `means over replications with 95% intervals (black)${ticks.length ? '; red ticks: SLOs of a traffic entry or Service' : ''}; a Service's numbers are its calls as all its callers see them, the calls it makes included${many ? '; one bar per variant' : ''}; axes start at 0`,
    ),
    data: { values: points },
    spacing: 14,
    hconcat: SCOPE_METRICS.map(panel),
  };
}

export function scopesDescription(summary: readonly Row[], variants: readonly string[]): string {
  const points = scopePoints(summary);
  const own = variants.filter((v) => points.some((p) => p.variant === v));
  const parts = own.map((v) => {
    const of = (metric: string) => points.filter((p) => p.variant === v && p.metric === metric && p.scope.startsWith('service:'));
    const top = (metric: string) => of(metric).reduce<ScopePoint | undefined>((m, p) => (!m || p.mean > m.mean ? p : m), undefined);
    const busiest = top('throughput_rps');
    const slowest = top('latency_p99_ms');
    const facts = [
      ...(busiest ? [`busiest Service ${busiest.scope.slice(8)}, ${fmt(busiest.mean, 4)} ok calls/s`] : []),
      ...(slowest ? [`highest p99 ${slowest.scope.slice(8)}, ${fmt(slowest.mean, 4)} ms`] : []),
    ];
    const traffic = points.filter((p) => p.variant === v && p.scope.startsWith('traffic:') && p.metric === 'latency_p99_ms').map((p) => `${p.scope} p99 ${fmt(p.mean, 4)} ms`);
    return `${own.length > 1 ? `${v}: ` : ''}${[...traffic, ...facts].join(', ')}`;
  });
  return `Throughput, mean and p99 latency per traffic entry and per called Service (summary.csv, means over replications with 95% intervals). ${parts.join('; ')}.`;
}
