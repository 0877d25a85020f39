/**
 * `manifest.json`: what a results folder was computed from and how — the
 * scenario (file, SHA-256, the resolved base scenario with its sweep), the
 * seed, the replications, the run's facts (workers, shard, wall time,
 * simulated requests), whether it is complete, and what the run noticed
 * (MSER-5 warm-up suggestion, sequential stopping, warnings). Everything in
 * it that is not a CSV table; wall time and the like live only here, so the
 * CSV files stay byte-identical between runs.
 */
import type { PrecisionOutcome } from '../runner/precision.js';
import { warmupSuggestion, type WarmupSuggestion } from './warmup.js';
import { METRIC_NAMES, type ReplicationResult } from '../sim/result.js';
import type { VariantInfo } from './tables.js';

export interface Manifest {
  svcsim: string;
  scenarioFile: string;
  scenarioSha256: string;
  /** The base scenario with every default filled in, sweep block included. */
  resolvedScenario: unknown;
  /** Each variant, its sweep parameters and how many replications of it are in this folder. */
  variants: (VariantInfo & { replications: number })[];
  seed: number;
  /** Replications per variant the run planned (after sequential stopping). */
  replicationsPerVariant: number;
  workers: number;
  /** `I/N` for a shard folder, null otherwise. */
  shard: string | null;
  /** The shard folders a merged folder was made from. */
  mergedFrom?: { dir: string; shard: string | null }[];
  nodeVersion: string;
  wallTimeSeconds: number;
  simulatedRequests: number;
  suppressedRequests: number;
  /** False when a replication crashed or the run was interrupted: the tables rest on the replications that finished. */
  complete: boolean;
  mser5?: WarmupSuggestion;
  precision?: PrecisionOutcome;
  /** Why sequential stopping was not applied although the scenario asks for it. */
  precisionSkipped?: string;
  /** `svcsim plan`: the search and its answer (this folder holds the answer's results). */
  plan?: unknown;
  /** Every warning: the scenario's (below), then the results' (warm-up, heavy tails). */
  warnings: string[];
  /** The scenario loader's warnings alone (merge recomputes the rest). */
  scenarioWarnings?: string[];
  /** The crash that stopped the run, as printed. */
  failure?: string;
}

export function manifestVariants(variants: readonly VariantInfo[], results: readonly ReplicationResult[]): Manifest['variants'] {
  return variants.map((v) => ({ index: v.index, label: v.label, params: v.params, replications: results.filter((r) => r.variant === v.index).length }));
}

/**
 * Percentiles that rest on fewer than 10 samples beyond them are said to be
 * so (docs/model.md, "Heavy tails"): per variant, from the
 * replication with the fewest ok requests.
 */
export function tailWarnings(variants: readonly VariantInfo[], results: readonly ReplicationResult[]): string[] {
  const ok = METRIC_NAMES.indexOf('ok');
  const out: string[] = [];
  for (const v of variants) {
    const counts = results.filter((r) => r.variant === v.index).map((r) => r.scopes[0].metrics[ok] ?? 0);
    if (counts.length === 0) continue;
    const fewest = Math.min(...counts);
    for (const [metric, p] of [
      ['latency_p99_ms', 0.99],
      ['latency_p999_ms', 0.999],
    ] as const) {
      const beyond = Math.floor(fewest * (1 - p));
      if (beyond < 10) out.push(`variant ${v.label}: ${metric} rests on ${beyond} ok requests beyond it in some replication (fewer than 10): treat it with care, or simulate longer`);
    }
  }
  return out;
}

/** The warm-up warning, when MSER-5 suggests more warm-up than the scenario has (seconds). */
export function warmupWarning(mser: WarmupSuggestion | undefined, warmup: number): string | undefined {
  if (!mser || !(mser.suggestedWarmupSeconds > warmup)) return undefined;
  const worst = mser.perVariant.filter((p) => p.suggestedWarmupSeconds > warmup).map((p) => p.label);
  return (
    `MSER-5 suggests a warm-up of ${mser.suggestedWarmupSeconds} s (variant${worst.length > 1 ? 's' : ''} ${worst.join(', ')}); ` +
    `simulation.warmup is ${warmup} s: consider --set simulation.warmup=${mser.suggestedWarmupSeconds}s (the warm-up stays fixed so that common random numbers stay paired)`
  );
}

/** What the manifest says about the results themselves (recomputed the same way by merge). */
export function resultFacts(variants: readonly VariantInfo[], results: readonly ReplicationResult[], warmup: number) {
  const mser5 = results.length ? warmupSuggestion(variants, results) : undefined;
  const warn = warmupWarning(mser5, warmup);
  return {
    variants: manifestVariants(variants, results),
    simulatedRequests: results.reduce((s, r) => s + r.simulatedRequests, 0),
    suppressedRequests: results.reduce((s, r) => s + r.suppressedRequests, 0),
    mser5,
    warnings: [...(warn ? [warn] : []), ...tailWarnings(variants, results)],
  };
}
