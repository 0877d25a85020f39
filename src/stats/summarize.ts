/**
 * The summary of one metric over replications: n, mean, sample standard
 * deviation, and the Student-t confidence interval mean ± t(n−1)·s/√n.
 * Values that are not finite (a metric undefined in that replication) are
 * left out; sums run left to right in the order given (replication order),
 * so the result does not depend on which replication finished first.
 */
import { tQuantile } from './studentT.js';

export interface Summary {
  n: number;
  mean: number | undefined;
  stddev: number | undefined;
  ciLow: number | undefined;
  ciHigh: number | undefined;
  ciHalfWidth: number | undefined;
  min: number | undefined;
  max: number | undefined;
}

export function summarize(values: readonly number[], confidence = 0.95): Summary {
  const xs = values.filter((x) => Number.isFinite(x));
  const n = xs.length;
  if (n === 0) return { n, mean: undefined, stddev: undefined, ciLow: undefined, ciHigh: undefined, ciHalfWidth: undefined, min: undefined, max: undefined };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / n;
  if (n < 2) return { n, mean, stddev: undefined, ciLow: undefined, ciHigh: undefined, ciHalfWidth: undefined, min, max };
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const stddev = Math.sqrt(ss / (n - 1));
  const half = (tQuantile(1 - (1 - confidence) / 2, n - 1) * stddev) / Math.sqrt(n);
  return { n, mean, stddev, ciLow: mean - half, ciHigh: mean + half, ciHalfWidth: half, min, max };
}
