/**
 * Paired differences of a metric between a variant and the baseline, by
 * replication: d_r = v_r − b_r. Replication r of every variant draws the same
 * random numbers (common random numbers), so the d_r vary far less than the
 * two metrics do, and their interval is tighter than two independent ones.
 */
import { summarize, type Summary } from './summarize.js';

export function pairedDiff(variant: readonly number[], baseline: readonly number[], confidence = 0.95): Summary {
  const d: number[] = [];
  const n = Math.min(variant.length, baseline.length);
  for (let r = 0; r < n; r++) d.push(variant[r] - baseline[r]);
  return summarize(d, confidence);
}
