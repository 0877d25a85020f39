/**
 * The CSV tables of a results folder (spec/cli-and-outputs.md), computed
 * from the replications' result records alone: pure functions from data to
 * text. Records are first put in (variant, replication) order, so every sum
 * runs in replication order and the bytes do not depend on which worker
 * finished first, nor on how the replications were split into shards.
 */
import { COUNT_METRICS, METRIC_NAMES, type ReplicationResult } from '../sim/result.js';
import { formatCount, formatNumber } from '../stats/format.js';
import { toCsv } from '../stats/csv.js';
import { LatencyHistogram } from '../stats/histogram.js';
import { pairedDiff } from '../stats/pairedDiff.js';
import { summarize } from '../stats/summarize.js';

export interface VariantInfo {
  index: number;
  label: string;
  params: { key: string; value: string }[];
}

export interface Tables {
  'summary.csv': string;
  'replications.csv': string;
  'diffs.csv'?: string;
  'pods.csv': string;
  'nodes.csv': string;
  'timeseries.csv': string;
  'latency_cdf.csv': string;
}

export function sortResults(results: readonly ReplicationResult[]): ReplicationResult[] {
  return [...results].sort((a, b) => a.variant - b.variant || a.replication - b.replication);
}

/** Replications of one variant, in replication order. */
function byVariant(results: readonly ReplicationResult[], variant: number): ReplicationResult[] {
  return results.filter((r) => r.variant === variant);
}

const metricValue = (name: string, x: number): string => (COUNT_METRICS.has(name as never) ? formatCount(x) : formatNumber(x));

export function buildTables(variants: readonly VariantInfo[], unsorted: readonly ReplicationResult[], confidence = 0.95): Tables {
  const results = sortResults(unsorted);
  const keys = variants[0]?.params.map((p) => p.key) ?? [];
  const lead = (v: VariantInfo) => [v.label, ...v.params.map((p) => p.value)];
  const scopes = results[0]?.scopes.map((s) => s.scope) ?? ['all'];

  const summary: string[][] = [];
  const replications: string[][] = [];
  const diffs: string[][] = [];
  const pods: string[][] = [];
  const nodes: string[][] = [];
  const timeseries: string[][] = [];
  const cdf: string[][] = [];
  const baseline = variants[0];

  for (const v of variants) {
    const rs = byVariant(results, v.index);
    const base = byVariant(results, baseline.index);
    scopes.forEach((scope, si) => {
      METRIC_NAMES.forEach((m, mi) => {
        const values = rs.map((r) => r.scopes[si].metrics[mi]);
        const s = summarize(values, confidence);
        const count = COUNT_METRICS.has(m);
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
          count ? formatCount(s.min) : formatNumber(s.min),
          count ? formatCount(s.max) : formatNumber(s.max),
        ]);
        if (v !== baseline) {
          // Paired by replication index: only replications both variants have.
          const paired = rs.filter((r) => base.some((b) => b.replication === r.replication));
          const d = pairedDiff(
            paired.map((r) => r.scopes[si].metrics[mi]),
            paired.map((r) => base.find((b) => b.replication === r.replication)!.scopes[si].metrics[mi]),
            confidence,
          );
          diffs.push([...lead(v), scope, baseline.label, m, formatCount(d.n), formatNumber(d.mean), formatNumber(d.ciLow), formatNumber(d.ciHigh)]);
        }
      });
      for (const r of rs) replications.push([...lead(v), scope, String(r.replication), String(r.seed), ...r.scopes[si].metrics.map((x, mi) => metricValue(METRIC_NAMES[mi], x))]);
    });
    for (const r of rs) {
      for (const p of r.pods) pods.push([...lead(v), String(r.replication), p.pod, p.workload, p.node, p.zone, formatCount(p.requests), formatNumber(p.share), formatNumber(p.utilization)]);
      for (const n of r.nodes) nodes.push([...lead(v), String(r.replication), n.node, n.zone, formatCount(n.received), formatCount(n.forwardedCrossNode), formatCount(n.dropped)]);
    }
    if (rs.length > 0) {
      const ts0 = rs[0].timeseries;
      const mean = (pick: (r: ReplicationResult) => number[], i: number) => summarize(rs.map((r) => pick(r)[i])).mean;
      for (let i = 0; i < ts0.requests.length; i++) {
        timeseries.push([
          ...lead(v),
          formatNumber(i * ts0.bucketSeconds),
          formatNumber(mean((r) => r.timeseries.requests, i)),
          formatNumber(mean((r) => r.timeseries.ok, i)),
          formatNumber(mean((r) => r.timeseries.failed, i)),
          formatNumber(mean((r) => r.timeseries.throughputRps, i)),
          formatNumber(mean((r) => r.timeseries.latencyP50Ms, i)),
          formatNumber(mean((r) => r.timeseries.latencyP99Ms, i)),
        ]);
      }
      for (const [x, f] of latencyCdf(rs)) cdf.push([...lead(v), formatNumber(x), formatNumber(f)]);
    }
  }

  const tables: Tables = {
    'summary.csv': toCsv(['variant', ...keys, 'scope', 'metric', 'n', 'mean', 'stddev', 'ci_low', 'ci_high', 'ci_half_width', 'min', 'max'], summary),
    'replications.csv': toCsv(['variant', ...keys, 'scope', 'replication', 'seed', ...METRIC_NAMES], replications),
    'pods.csv': toCsv(['variant', ...keys, 'replication', 'pod', 'workload', 'node', 'zone', 'requests', 'share', 'utilization'], pods),
    'nodes.csv': toCsv(['variant', ...keys, 'replication', 'node', 'zone', 'received', 'forwarded_cross_node', 'dropped'], nodes),
    'timeseries.csv': toCsv(['variant', ...keys, 't_s', 'requests', 'ok', 'failed', 'throughput_rps', 'latency_p50_ms', 'latency_p99_ms'], timeseries),
    'latency_cdf.csv': toCsv(['variant', ...keys, 'latency_ms', 'fraction'], cdf),
  };
  if (variants.length > 1) tables['diffs.csv'] = toCsv(['variant', ...keys, 'scope', 'baseline', 'metric', 'n', 'mean_diff', 'ci_low', 'ci_high'], diffs);
  return tables;
}

/** The pooled latency distribution of a variant: 240 log-spaced points from its min to its max latency (ms). */
export function latencyCdf(rs: readonly ReplicationResult[], points = 240): [number, number][] {
  const merged = new LatencyHistogram();
  for (const r of rs) merged.add(LatencyHistogram.decode(r.latencyHistogram));
  if (merged.count === 0) return [];
  const lo = Math.max(merged.min, 1e-9);
  const hi = Math.max(merged.max, lo * 1.000001);
  const xs = Array.from({ length: points }, (_, i) => lo * Math.pow(hi / lo, i / (points - 1)));
  const fractions = merged.cdf(xs);
  return xs.map((x, i) => [x * 1000, fractions[i]]);
}
