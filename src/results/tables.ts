/**
 * The CSV tables of a results folder (docs/outputs.md), computed
 * from the replications' result records alone: pure functions from data to
 * text. Records are first put in (variant, replication) order, so every sum
 * runs in replication order and the bytes depend neither on which worker
 * finished first nor on how the replications were split into shards.
 */
import { sortResults } from '../runner/order.js';
import { COUNT_METRICS, METRIC_NAMES, SEGMENTS, type MetricName, type ReplicationResult } from '../sim/result.js';
import { toCsv } from '../stats/csv.js';
import { formatCount, formatNumber } from '../stats/format.js';
import { LatencyHistogram } from '../stats/histogram.js';
import { pairedDiff } from '../stats/pairedDiff.js';
import { summarize, type Summary } from '../stats/summarize.js';
import { variantWarmup, type VariantInfo } from './manifest.js';
import { judgeSlo } from '../runner/slos.js';
import type { Slo } from '../scenario/slos.js';
import type { Variant } from '../scenario/sweep.js';

export interface Tables {
  'summary.csv': string;
  'replications.csv': string;
  /** Only with a sweep (more than one variant). */
  'diffs.csv'?: string;
  'pods.csv': string;
  'nodes.csv': string;
  'timeseries.csv': string;
  'latency_cdf.csv': string;
  'latency_breakdown.csv': string;
  /** Only when there are SLOs (the scenario's `slos:`, or plan's `--slo`). */
  'slos.csv'?: string;
}

/** Points of latency_cdf.csv per variant (the contract asks for at least 200). */
export const CDF_POINTS = 240;

const isCount = (metric: MetricName): boolean => COUNT_METRICS.has(metric);

/** A metric value as replications.csv writes it: counts exact, the rest toPrecision(6), undefined empty. */
function metricField(metric: MetricName, x: number | null | undefined): string {
  const value = x ?? undefined;
  return isCount(metric) ? formatCount(value) : formatNumber(value);
}

/** The values of one metric of one scope, one per replication (undefined where the scope is missing). */
function column(rs: readonly ReplicationResult[], scope: string, mi: number): (number | undefined)[] {
  return rs.map((r) => r.scopes.find((s) => s.scope === scope)?.metrics[mi] ?? undefined);
}

export function buildTables(variants: readonly (VariantInfo | Variant)[], unsorted: readonly ReplicationResult[], confidence = 0.95, slos: readonly Slo[] = []): Tables {
  const results = sortResults(unsorted);
  const keys = variants[0]?.params.map((p) => p.key) ?? [];
  const lead = (v: VariantInfo | Variant) => [v.label, ...v.params.map((p) => p.value)];
  const baseline = variants[0];
  const baselineRuns = results.filter((r) => r.variant === baseline?.index);

  const summary: string[][] = [];
  const replications: string[][] = [];
  const diffs: string[][] = [];
  const pods: string[][] = [];
  const nodes: string[][] = [];
  const timeseries: string[][] = [];
  const cdf: string[][] = [];
  const sloRows: string[][] = [];
  const breakdown: string[][] = [];

  for (const v of variants) {
    const rs = results.filter((r) => r.variant === v.index);
    const scopes = rs[0]?.scopes.map((s) => s.scope) ?? [];
    // Paired differences use the replications both this variant and the baseline have, in replication order.
    const pairedWith = new Map(baselineRuns.map((b) => [b.replication, b]));
    const paired = rs.filter((r) => pairedWith.has(r.replication));
    const pairedBase = paired.map((r) => pairedWith.get(r.replication)!);

    for (const scope of scopes) {
      METRIC_NAMES.forEach((m, mi) => {
        const s = summarize(column(rs, scope, mi), confidence);
        const extreme = isCount(m) ? formatCount : formatNumber;
        summary.push([
          ...lead(v),
          scope,
          m,
          formatCount(s.n),
          formatNumber(s.mean),
          formatNumber(s.stddev),
          formatNumber(s.ciLow),
          formatNumber(s.ciHigh),
          formatNumber(s.ciHalfWidth),
          extreme(s.min),
          extreme(s.max),
        ]);
        if (v !== baseline) {
          const d = pairedDiff(column(paired, scope, mi), column(pairedBase, scope, mi), confidence);
          diffs.push([...lead(v), scope, baseline.label, m, formatCount(d.n), formatNumber(d.mean), formatNumber(d.ciLow), formatNumber(d.ciHigh)]);
        }
      });
      for (const r of rs) {
        const metrics = r.scopes.find((s) => s.scope === scope)?.metrics ?? [];
        replications.push([...lead(v), scope, formatCount(r.replication), formatCount(r.seed), ...METRIC_NAMES.map((m, mi) => metricField(m, metrics[mi]))]);
      }
    }
    for (const r of rs) {
      for (const p of r.pods)
        pods.push([...lead(v), formatCount(r.replication), p.pod, p.workload, p.node, p.zone, formatCount(p.requests), formatNumber(p.share ?? undefined), formatNumber(p.utilization ?? undefined)]);
      for (const n of r.nodes) nodes.push([...lead(v), formatCount(r.replication), n.node, n.zone, formatCount(n.received), formatCount(n.forwardedCrossNode), formatCount(n.dropped)]);
    }
    for (const row of timeseriesRows(rs, variantWarmup(v), confidence)) timeseries.push([...lead(v), ...row]);
    summary.push(...autoscalingSummary(rs, confidence).map((row) => [...lead(v), ...row]));
    for (const [x, f] of latencyCdf(rs)) cdf.push([...lead(v), formatNumber(x), formatNumber(f)]);
    for (const row of breakdownRows(rs)) breakdown.push([...lead(v), ...row]);
    for (const slo of slos) {
      const j = judgeSlo(slo, rs, confidence);
      sloRows.push([...lead(v), j.scope, j.slo, formatNumber(j.mean), formatNumber(j.ciLow), formatNumber(j.ciHigh), j.verdict]);
    }
  }

  const tables: Tables = {
    'summary.csv': toCsv(['variant', ...keys, 'scope', 'metric', 'n', 'mean', 'stddev', 'ci_low', 'ci_high', 'ci_half_width', 'min', 'max'], summary),
    'replications.csv': toCsv(['variant', ...keys, 'scope', 'replication', 'seed', ...METRIC_NAMES], replications),
    'pods.csv': toCsv(['variant', ...keys, 'replication', 'pod', 'workload', 'node', 'zone', 'requests', 'share', 'utilization'], pods),
    'nodes.csv': toCsv(['variant', ...keys, 'replication', 'node', 'zone', 'received', 'forwarded_cross_node', 'dropped'], nodes),
    'timeseries.csv': toCsv(['variant', ...keys, ...timeseriesHeader(results)], timeseries),
    'latency_cdf.csv': toCsv(['variant', ...keys, 'latency_ms', 'fraction'], cdf),
    'latency_breakdown.csv': toCsv(['variant', ...keys, 'scope', 'segment', 'mean_ms', 'share'], breakdown),
  };
  if (slos.length > 0) tables['slos.csv'] = toCsv(['variant', ...keys, 'scope', 'slo', 'mean', 'ci_low', 'ci_high', 'verdict'], sloRows);
  if (variants.length > 1) tables['diffs.csv'] = toCsv(['variant', ...keys, 'scope', 'baseline', 'metric', 'n', 'mean_diff', 'ci_low', 'ci_high'], diffs);
  return tables;
}

/**
 * Per time bucket, the mean over the replications of each series (`t_s`,
 * requests, ok, failed, throughput, p50, p99, then TIMESERIES_EXTRA); a
 * bucket's percentile is the mean over the replications where that bucket
 * has one (an empty bucket has none), and empty when none has. After them,
 * `t_scenario_s` (the bucket's start on the scenario clock: `t_s` plus the
 * warm-up, the clock of `failures[].at`, `schedule` and `trace --at`), and
 * the Student-t interval over replications of TIMESERIES_CI's series
 * (empty with one replication, as in summary.csv).
 */
export function timeseriesRows(rs: readonly ReplicationResult[], warmupSeconds = 0, confidence = 0.95): string[][] {
  if (rs.length === 0) return [];
  const buckets = Math.max(...rs.map((r) => r.timeseries.requests.length));
  const bucketSeconds = rs[0].timeseries.bucketSeconds;
  const named: Record<(typeof TIMESERIES_CI)[number], (r: ReplicationResult) => number[]> = {
    throughput_rps: (r) => r.timeseries.throughputRps,
    failed: (r) => r.timeseries.failed,
    latency_p99_ms: (r) => r.timeseries.latencyP99Ms,
    in_flight: (r) => r.timeseries.inFlight,
    queue_length: (r) => r.timeseries.queueLength,
  };
  const series: ((r: ReplicationResult) => number[])[] = [
    (r) => r.timeseries.requests,
    (r) => r.timeseries.ok,
    named.failed,
    named.throughput_rps,
    (r) => r.timeseries.latencyP50Ms,
    named.latency_p99_ms,
    (r) => r.timeseries.failedTimeout,
    (r) => r.timeseries.failedRefused,
    (r) => r.timeseries.failedRejected,
    (r) => r.timeseries.failedDependency,
    (r) => r.timeseries.unfinished,
    named.in_flight,
    named.queue_length,
  ];
  const withCi = TIMESERIES_CI.map((c) => series.indexOf(named[c]));
  // With autoscaling: each workload's replicas and Pending pods at the bucket's end.
  for (const [w] of (rs[0].autoscaling?.series ?? []).entries()) {
    series.push((r) => r.autoscaling?.series[w].replicas ?? [], (r) => r.autoscaling?.series[w].pending ?? []);
  }
  // Plain loops (a row per bucket, up to 1000 of them, each of every series): the spreads and maps
  // this was written with took ≈ 10 ms for the 10⁶-request M/M/4's 926 buckets.
  const columns = series.map((pick) => rs.map(pick));
  const values: (number | undefined)[] = new Array<number | undefined>(rs.length);
  const s: Summary[] = new Array<Summary>(series.length);
  const rows: string[][] = [];
  for (let i = 0; i < buckets; i++) {
    for (let k = 0; k < series.length; k++) {
      for (let j = 0; j < rs.length; j++) values[j] = columns[k][j][i] ?? undefined;
      s[k] = summarize(values, confidence);
    }
    const t = i * bucketSeconds;
    const row = [formatNumber(t)];
    for (let k = 0; k < FIXED_SERIES; k++) row.push(formatNumber(s[k].mean));
    row.push(formatNumber(t + warmupSeconds));
    for (const k of withCi) row.push(formatNumber(s[k].ciLow), formatNumber(s[k].ciHigh));
    for (let k = FIXED_SERIES; k < s.length; k++) row.push(formatNumber(s[k].mean));
    rows.push(row);
  }
  return rows;
}

/** Series of every timeseries.csv row before `t_scenario_s`: the contract's six and TIMESERIES_EXTRA. */
const FIXED_SERIES = 13;

/** Columns of timeseries.csv after the contract's (the report draws them: src/report/README.md). */
export const TIMESERIES_EXTRA = ['failed_timeout', 'failed_refused', 'failed_rejected', 'failed_dependency', 'unfinished', 'in_flight', 'queue_length'] as const;

/** The series whose 95% interval over replications timeseries.csv carries, as `<column>_ci_low`, `<column>_ci_high`. */
export const TIMESERIES_CI = ['throughput_rps', 'failed', 'latency_p99_ms', 'in_flight', 'queue_length'] as const;

/** The header of timeseries.csv after `variant` and the sweep parameters. */
export function timeseriesHeader(rs: readonly ReplicationResult[]): string[] {
  return [
    't_s',
    'requests',
    'ok',
    'failed',
    'throughput_rps',
    'latency_p50_ms',
    'latency_p99_ms',
    ...TIMESERIES_EXTRA,
    't_scenario_s',
    ...TIMESERIES_CI.flatMap((c) => [`${c}_ci_low`, `${c}_ci_high`]),
    ...autoscalingColumns(rs),
  ];
}

/**
 * Per scope and segment, the mean over replications of each replication's
 * mean time per ok request in that segment (ms), and its share of the sum
 * of the segments' means (which is the scope's latency_mean_ms).
 */
export function breakdownRows(rs: readonly ReplicationResult[]): string[][] {
  const rows: string[][] = [];
  const scopes = rs[0]?.latencyBreakdown.map((b) => b.scope) ?? [];
  for (const scope of scopes) {
    const means = SEGMENTS.map((_, i) => summarize(rs.map((r) => r.latencyBreakdown.find((b) => b.scope === scope)?.meanMs[i] ?? undefined)).mean);
    const total = means.reduce((sum: number, m) => sum + (m ?? 0), 0);
    SEGMENTS.forEach((segment, i) => {
      const m = means[i];
      rows.push([scope, segment, formatNumber(m), formatNumber(m !== undefined && total > 0 ? m / total : undefined)]);
    });
  }
  return rows;
}

/** The autoscaling metrics of spec/cli-and-outputs.md, in the order summary.csv lists them. */
export const AUTOSCALING_METRICS = ['pod_seconds', 'node_seconds', 'replicas_mean', 'replicas_max', 'scale_events'] as const;

/** timeseries.csv's extra columns when the scenario autoscales: `replicas:<w>`, `pending:<w>` per workload. */
function autoscalingColumns(rs: readonly ReplicationResult[]): string[] {
  return (rs[0]?.autoscaling?.series ?? []).flatMap((s) => [`replicas:${s.workload}`, `pending:${s.workload}`]);
}

/** summary.csv rows (scope, metric, n, mean, …) of the autoscaling metrics, in scopes `all` and `workload:<name>`. */
function autoscalingSummary(rs: readonly ReplicationResult[], confidence: number): string[][] {
  const scopes = rs[0]?.autoscaling?.scopes.map((s) => s.scope) ?? [];
  const pick: Record<(typeof AUTOSCALING_METRICS)[number], (s: NonNullable<ReplicationResult['autoscaling']>['scopes'][number]) => number> = {
    pod_seconds: (s) => s.podSeconds,
    node_seconds: (s) => s.nodeSeconds,
    replicas_mean: (s) => s.replicasMean,
    replicas_max: (s) => s.replicasMax,
    scale_events: (s) => s.scaleEvents,
  };
  const rows: string[][] = [];
  scopes.forEach((scope, si) => {
    for (const m of AUTOSCALING_METRICS) {
      const values = rs.map((r) => {
        const x = r.autoscaling === undefined ? null : pick[m](r.autoscaling.scopes[si]);
        return x === null || Number.isNaN(x) ? undefined : x;
      });
      if (values.every((x) => x === undefined)) continue;
      const s = summarize(values, confidence);
      const counted = m === 'replicas_max' || m === 'scale_events';
      const extreme = counted ? formatCount : formatNumber;
      rows.push([scope, m, formatCount(s.n), formatNumber(s.mean), formatNumber(s.stddev), formatNumber(s.ciLow), formatNumber(s.ciHigh), formatNumber(s.ciHalfWidth), extreme(s.min), extreme(s.max)]);
    }
  });
  return rows;
}

/**
 * The pooled latency distribution of a variant (its replications' HDR
 * histograms merged): `points` log-spaced latencies (ms) from the smallest
 * to the largest recorded, each with the share of latencies at or below it.
 */
export function latencyCdf(rs: readonly ReplicationResult[], points = CDF_POINTS): [number, number][] {
  if (rs.length === 0) return [];
  // The first replication's histogram is the sum to add the others to (one walk over its bins fewer).
  const merged = LatencyHistogram.decode(rs[0].latencyHistogram);
  try {
    for (const r of rs.slice(1)) {
      const h = LatencyHistogram.decode(r.latencyHistogram);
      merged.add(h);
      h.destroy();
    }
    if (merged.count === 0) return [];
    const [min, max] = merged.percentiles([0, 100]);
    const lo = Math.max(min, 1e-9);
    const hi = Math.max(max, lo * 1.000001);
    // The last point is the maximum itself, where the fraction is 1.
    const xs = Array.from({ length: points }, (_, i) => (i === points - 1 ? hi : lo * Math.pow(hi / lo, i / (points - 1))));
    const fractions = merged.cdf(xs);
    return xs.map((x, i) => [x * 1000, fractions[i]]);
  } finally {
    merged.destroy();
  }
}
