/**
 * Sequential stopping (`simulation.precision`): after the configured
 * replications, more are added until the confidence interval of one metric
 * (scope `all`) is as tight as asked in every variant — half-width / |mean|
 * ≤ `relative` at the given confidence — or `maxReplications` is reached.
 * JMT does the same by default (3% at 99%).
 *
 * The decision is taken only after whole batches, and the batch size depends
 * on the replications so far, never on the worker count, so the number of
 * replications (and so every result file) is the same on any machine.
 */
import { z } from 'zod';
import type { Scenario } from '../scenario/schema.js';
import { METRIC_NAMES, type ReplicationResult } from '../sim/result.js';
import { summarize } from '../stats/summarize.js';

export type PrecisionTarget = NonNullable<Scenario['simulation']['precision']>;

/**
 * The records sequential stopping writes into manifest.json
 * (results/manifest.ts), as zod schemas built on first use: only reading a
 * manifest needs them, and building zod schemas took ≈ 3 ms of every start.
 */
function precisionSchemas() {
  const variantPrecision = z.object({
    label: z.string(),
    met: z.boolean(),
    /** Replications of this variant the decision rests on. */
    replications: z.number(),
    mean: z.number().nullable(),
    halfWidth: z.number().nullable(),
    /** halfWidth / |mean|; null when not defined (n < 2, or a mean of 0 with a spread). */
    relativeHalfWidth: z.number().nullable(),
  });
  const outcome = z.object({
    metric: z.string(),
    relative: z.number(),
    confidence: z.number(),
    maxReplications: z.number(),
    /** Replications per variant when the run stopped. */
    replications: z.number(),
    /** Whether the target was met in every variant. */
    met: z.boolean(),
    perVariant: z.array(variantPrecision),
  });
  return { variantPrecision, outcome };
}
let precisionBuilt: ReturnType<typeof precisionSchemas> | undefined;

/** What sequential stopping did, as manifest.json says it: the schema (built once, on first use). */
export const precisionOutcomeSchema = (): ReturnType<typeof precisionSchemas>['outcome'] => (precisionBuilt ??= precisionSchemas()).outcome;

export type VariantPrecision = z.infer<ReturnType<typeof precisionSchemas>['variantPrecision']>;

export type PrecisionOutcome = z.infer<ReturnType<typeof precisionSchemas>['outcome']>;

/** Whether one variant's replications (in replication order) meet the target. */
export function variantPrecision(label: string, results: readonly ReplicationResult[], target: PrecisionTarget): VariantPrecision {
  const mi = (METRIC_NAMES as readonly string[]).indexOf(target.metric);
  const s = summarize(
    results.map((r) => r.scopes[0].metrics[mi]),
    target.confidence,
  );
  const mean = s.mean ?? null;
  const halfWidth = s.ciHalfWidth ?? null;
  let relative: number | null = null;
  let met = false;
  if (mean !== null && halfWidth !== null) {
    // A mean of 0 counts as met only when nothing varies at all.
    if (mean === 0) met = halfWidth === 0;
    else {
      relative = halfWidth / Math.abs(mean);
      met = relative <= target.relative;
    }
  }
  return { label, met, replications: results.length, mean, halfWidth, relativeHalfWidth: relative };
}

/**
 * Where the next batch of replications ends: half as many again as there
 * are (at least 2, so two workers stay busy even on one variant), capped at
 * the maximum. A function of the count alone, never of the worker count.
 */
export function nextBatchEnd(count: number, maxReplications: number): number {
  return Math.min(maxReplications, count + Math.max(2, Math.ceil(count / 2)));
}
