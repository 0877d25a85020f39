/**
 * Paired differences of a metric between a variant and the baseline, by
 * replication: d_r = v_r − b_r, and their summary (mean difference and its
 * Student-t interval). Replication r of every variant draws the same random
 * numbers (common random numbers), so the d_r vary far less than either
 * metric does, and their interval is far tighter than two independent ones.
 *
 * A replication where either value is undefined or not finite has no
 * difference: `differences[r]` is NaN there and n counts the others.
 */
import { summarize, type Summary } from './summarize.js';

export interface PairedDiff extends Summary {
  /** d_r for each replication r (NaN where a value is missing). */
  differences: number[];
}

export function pairedDiff(variant: readonly (number | undefined)[], baseline: readonly (number | undefined)[], confidence = 0.95): PairedDiff {
  if (variant.length !== baseline.length) {
    throw new RangeError(`paired differences need one value per replication on both sides, got ${variant.length} and ${baseline.length}`);
  }
  const differences = variant.map((v, r) => {
    const b = baseline[r];
    return v !== undefined && b !== undefined && Number.isFinite(v) && Number.isFinite(b) ? v - b : NaN;
  });
  return { ...summarize(differences, confidence), differences };
}
