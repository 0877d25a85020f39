/**
 * `manifest.json`: what a results folder was computed from and how — the
 * scenario (file, SHA-256, the resolved base scenario with its sweep), the
 * seed, the replications, the run's facts (workers, shard, wall time,
 * simulated requests), whether it is complete, and what the run noticed
 * (MSER-5 warm-up suggestion, sequential stopping, warnings). Everything in
 * it that is not a CSV table; wall time and the like live only here, so the
 * CSV files stay byte-identical between runs.
 *
 * One zod schema is its only shape: run, plan and merge write it, merge
 * checks it when reading, and the report reads the same type with every
 * field optional (report/manifest.ts).
 */
import { z } from 'zod';
import { formatProblem } from '../scenario/errors.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import type { Variant } from '../scenario/sweep.js';
import { precisionOutcomeSchema } from '../runner/precision.js';
import type { ExecuteResult } from '../runner/run.js';
import { METRIC_NAMES, type ReplicationResult } from '../sim/result.js';
import { SVCSIM_VERSION } from '../version.js';
import { warmupSuggestion, warmupSuggestionSchema, type WarmupSuggestion } from './warmup.js';

/**
 * manifest.json's zod schemas, built on first use: a run writes a manifest
 * without parsing one, and building them took ≈ 3 ms of every start.
 */
function manifestSchemas() {
  /** A variant as the tables name it: its label and its sweep parameter values (column name = key). */
  const variantInfo = z.object({
    index: z.number(),
    label: z.string(),
    params: z.array(z.object({ key: z.string(), value: z.string() })),
    /** The variant's `simulation.warmup` (s): where its measured window starts on the scenario clock (absent in older folders). */
    warmupSeconds: z.number().optional(),
  });

  /** `svcsim plan`: the search and its answer. */
  const planAnswer = z.object({
    /** The scenario path that was varied, e.g. `workloads.web.replicas`. */
    path: z.string(),
    range: z.tuple([z.number(), z.number()]),
    slos: z.array(z.string()),
    confidence: z.number(),
    /** The smallest value meeting every SLO, or null when none in the range does. */
    value: z.number().nullable(),
    evidence: z.array(
      z.object({
        value: z.number(),
        holds: z.boolean(),
        detail: z.string(),
        /** Per SLO: replications with a value, mean, one-sided bound at `confidence` (null without one), whether it holds. */
        slos: z.array(z.object({ slo: z.string(), n: z.number(), mean: z.number().nullable(), bound: z.number().nullable(), holds: z.boolean() })).optional(),
        /** `--node-down`: the node that was down for this value (the busiest one may differ between values). */
        node: z.string().optional(),
      }),
    ),
    /** With no answer: for each failing SLO, how it moves across the values tried and whether the parameter can fix it. */
    explanation: z.array(z.string()).optional(),
    /**
     * `--node-down`: which question the answer is for — `steady` (a node down from t = 0, the window after the
     * control plane has converged) or `transient` (the window from a crash to convergence) — with the node, the
     * crash time and the measured window of the candidate whose results the folder holds (seconds from the start of
     * the warm-up), the convergence bound, and `text`, the question in one sentence. Absent: the scenario as written.
     */
    question: z
      .object({
        kind: z.enum(['steady', 'transient']),
        text: z.string(),
        node: z.string(),
        crashAt: z.number(),
        window: z.tuple([z.number(), z.number()]),
        convergenceSeconds: z.number(),
      })
      .optional(),
  });

  /** The one shape of manifest.json: written here and by merge.ts, read by merge.ts and report/manifest.ts. */
  const manifest = z.object({
    svcsim: z.string(),
    scenarioFile: z.string(),
    scenarioSha256: z.string(),
    /** The base scenario with every default filled in, sweep block included (the loader validated it). */
    resolvedScenario: z.custom<Scenario>((x) => typeof x === 'object' && x !== null, 'the resolved scenario must be an object'),
    /** Each variant, its sweep parameters and how many replications of it are in this folder. */
    variants: z.array(variantInfo.extend({ replications: z.number() })),
    seed: z.number(),
    /** Replications per variant the run planned (after sequential stopping). */
    replicationsPerVariant: z.number(),
    workers: z.number(),
    /** `I/N` for a shard folder, null otherwise. */
    shard: z.string().nullable(),
    /** The shard folders a merged folder was made from. */
    mergedFrom: z.array(z.object({ dir: z.string(), shard: z.string().nullable() })).optional(),
    nodeVersion: z.string(),
    wallTimeSeconds: z.number(),
    simulatedRequests: z.number(),
    suppressedRequests: z.number(),
    /** False when a replication crashed or the run was interrupted: the tables rest on the replications that finished. */
    complete: z.boolean(),
    mser5: warmupSuggestionSchema.optional(),
    precision: precisionOutcomeSchema().optional(),
    /** Why sequential stopping was not applied although the scenario asks for it. */
    precisionSkipped: z.string().optional(),
    /** `svcsim plan`: the search and its answer (this folder holds the answer's results). */
    plan: planAnswer.optional(),
    /** Every warning: the scenario's (below), then the results' (warm-up, heavy tails). */
    warnings: z.array(z.string()),
    /** The scenario loader's warnings alone (merge recomputes the rest). */
    scenarioWarnings: z.array(z.string()).optional(),
    /** The crash that stopped the run, as printed. */
    failure: z.string().optional(),
  });
  return { variantInfo, planAnswer, manifest };
}
let manifestBuilt: ReturnType<typeof manifestSchemas> | undefined;

/** The one shape of manifest.json (built once, on first use): written here and by merge.ts, read by merge.ts and report/manifest.ts. */
export const manifestSchema = (): ReturnType<typeof manifestSchemas>['manifest'] => (manifestBuilt ??= manifestSchemas()).manifest;

/** A variant as the tables name it: its label and its sweep parameter values (column name = key). */
export type VariantInfo = z.infer<ReturnType<typeof manifestSchemas>['variantInfo']>;

/** `svcsim plan`: the search and its answer. */
export type PlanAnswer = z.infer<ReturnType<typeof manifestSchemas>['planAnswer']>;

export type Manifest = z.infer<ReturnType<typeof manifestSchemas>['manifest']>;

/**
 * A variant's warm-up (s), the start of its measured window on the scenario
 * clock (the clock of `failures[].at`, `schedule` and `trace --at`): from its
 * resolved scenario when it is a run's Variant, else as its record says;
 * 0 when neither knows.
 */
export function variantWarmup(v: VariantInfo | Variant): number {
  if ('scenario' in v) return v.scenario.simulation.warmup;
  return v.warmupSeconds ?? 0;
}

export function manifestVariants(variants: readonly (VariantInfo | Variant)[], results: readonly ReplicationResult[]): Manifest['variants'] {
  return variants.map((v) => ({ index: v.index, label: v.label, params: v.params, warmupSeconds: variantWarmup(v), replications: results.filter((r) => r.variant === v.index).length }));
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

/** Share of counted requests unfinished at the drain limit above which a variant has no steady state to speak of. */
export const UNFINISHED_LIMIT = 0.005;

/**
 * Variants with more than UNFINISHED_LIMIT of their requests unfinished at
 * the drain limit in some replication: their queues grew for the whole run
 * (offered load ≥ 1), so there is no steady state and no warm-up after
 * which one starts.
 */
export function withoutSteadyState(variants: readonly VariantInfo[], results: readonly ReplicationResult[]): { label: string; share: number }[] {
  const requests = METRIC_NAMES.indexOf('requests');
  const unfinished = METRIC_NAMES.indexOf('unfinished');
  const out: { label: string; share: number }[] = [];
  for (const v of variants) {
    let worst = 0;
    for (const r of results) if (r.variant === v.index) worst = Math.max(worst, (r.scopes[0].metrics[unfinished] ?? 0) / Math.max(1, r.scopes[0].metrics[requests] ?? 0));
    if (worst > UNFINISHED_LIMIT) out.push({ label: v.label, share: worst });
  }
  return out;
}

/** The warm-up warning, when MSER-5 suggests more warm-up than the scenario has (seconds); none when a variant has no steady state (and why). */
export function warmupWarning(mser: WarmupSuggestion | undefined, warmup: number, unsteady: readonly { label: string; share: number }[] = []): string | undefined {
  if (unsteady.length > 0)
    return (
      `no MSER-5 warm-up suggestion: no steady state in variant${unsteady.length > 1 ? 's' : ''} ${unsteady.map((u) => `${u.label} (${(u.share * 100).toPrecision(3)}% of requests unfinished at the drain limit)`).join(', ')}: ` +
      `the queues grow for the whole run (offered load ≥ 1), so no warm-up makes the results stationary`
    );
  if (!mser || !(mser.suggestedWarmupSeconds > warmup)) return undefined;
  const worst = mser.perVariant.filter((p) => p.suggestedWarmupSeconds > warmup).map((p) => p.label);
  return (
    `MSER-5 suggests a warm-up of ${mser.suggestedWarmupSeconds} s (variant${worst.length > 1 ? 's' : ''} ${worst.join(', ')}); ` +
    `simulation.warmup is ${warmup} s: consider --set simulation.warmup=${mser.suggestedWarmupSeconds}s (the warm-up stays fixed so that common random numbers stay paired)`
  );
}

/** What the manifest says about the results themselves (recomputed the same way by merge). */
export function resultFacts(variants: readonly (VariantInfo | Variant)[], results: readonly ReplicationResult[], warmup: number) {
  const mser5 = results.length ? warmupSuggestion(variants, results) : undefined;
  const warn = warmupWarning(mser5, warmup, withoutSteadyState(variants, results));
  return {
    variants: manifestVariants(variants, results),
    simulatedRequests: results.reduce((s, r) => s + r.simulatedRequests, 0),
    suppressedRequests: results.reduce((s, r) => s + r.suppressedRequests, 0),
    mser5,
    warnings: [...(warn ? [warn] : []), ...tailWarnings(variants, results)],
  };
}

/** The manifest of a run: what it was computed from, the run's facts, and what the results say (resultFacts). */
export function buildManifest(
  scenario: { loaded: LoadedScenario; variants: readonly Variant[] },
  outcome: ExecuteResult,
  run: { seed: number; replications: number; workers: number; shard: string | null; wallTimeSeconds: number },
): Manifest {
  const scenarioWarnings = scenario.loaded.warnings.map(formatProblem);
  const facts = resultFacts(scenario.variants, outcome.results, scenario.loaded.scenario.simulation.warmup);
  const f = outcome.failure;
  return {
    svcsim: SVCSIM_VERSION,
    scenarioFile: scenario.loaded.file,
    scenarioSha256: scenario.loaded.sha256,
    resolvedScenario: scenario.loaded.scenario,
    variants: facts.variants,
    seed: run.seed,
    replicationsPerVariant: outcome.precision?.replications ?? run.replications,
    workers: run.workers,
    shard: run.shard,
    nodeVersion: process.version,
    wallTimeSeconds: run.wallTimeSeconds,
    simulatedRequests: facts.simulatedRequests,
    suppressedRequests: facts.suppressedRequests,
    complete: outcome.complete,
    mser5: facts.mser5,
    precision: outcome.precision,
    ...(outcome.precisionSkipped ? { precisionSkipped: outcome.precisionSkipped } : {}),
    warnings: [...scenarioWarnings, ...(outcome.precisionSkipped ? [`simulation.precision not applied: ${outcome.precisionSkipped}`] : []), ...facts.warnings],
    scenarioWarnings,
    ...(f ? { failure: `replication ${f.replication} of variant "${f.variant.label}" (seed ${f.seed}) failed: ${f.message}` } : outcome.interrupted ? { failure: 'interrupted (SIGINT)' } : {}),
  };
}
