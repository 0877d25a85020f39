/**
 * The MSER-5 warm-up suggestion of a run. Warm-up stays fixed (so that
 * common random numbers stay paired between variants); the run only reports
 * where the transient seems to end, from the mean latency per time bucket
 * averaged over replications, and warns when the configured warm-up is
 * shorter.
 */
import { z } from 'zod';
import type { ReplicationResult } from '../sim/result.js';
import { mser5 } from '../stats/mser5.js';
import { summarize } from '../stats/summarize.js';

/** As manifest.json says it (manifest.ts). */
export const warmupSuggestionSchema = z.object({
  /** The largest suggestion over the variants, in seconds from the start of the run. */
  suggestedWarmupSeconds: z.number(),
  perVariant: z.array(z.object({ label: z.string(), suggestedWarmupSeconds: z.number(), buckets: z.number() })),
});

export type WarmupSuggestion = z.infer<typeof warmupSuggestionSchema>;

/**
 * The mean of the replications' warm-up series bucket by bucket, over the
 * replications that have a value there (NaN where none has).
 */
export function meanSeries(results: readonly ReplicationResult[]): number[] {
  const length = Math.max(0, ...results.map((r) => r.warmupSeries.length));
  return Array.from({ length }, (_, i) => summarize(results.map((r) => r.warmupSeries[i])).mean ?? NaN);
}

/** `results` in (variant, replication) order, so that the sums do not depend on finish order. */
export function warmupSuggestion(variants: readonly { index: number; label: string }[], results: readonly ReplicationResult[]): WarmupSuggestion {
  const perVariant = variants.map((v) => {
    const rs = results.filter((r) => r.variant === v.index);
    const series = meanSeries(rs);
    const bucketSeconds = rs[0]?.timeseries.bucketSeconds ?? 0;
    const cut = mser5(series);
    return { label: v.label, suggestedWarmupSeconds: cut.truncationIndex * bucketSeconds, buckets: series.length };
  });
  return { suggestedWarmupSeconds: Math.max(0, ...perVariant.map((p) => p.suggestedWarmupSeconds)), perVariant };
}
