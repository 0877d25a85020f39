/**
 * The summary of one metric over replications: n, mean, sample standard
 * deviation, min, max, and the Student-t confidence interval
 * mean ± t(1 − α/2, n − 1)·s/√n.
 *
 * Values that are undefined or not finite (a metric undefined in that
 * replication, e.g. a percentile with no successful request) are left out,
 * and n counts the rest. Fields that need more values than there are
 * (mean and min/max with n = 0; stddev and the interval with n < 2) are
 * undefined. Sums run plainly left to right in the order given
 * (replication order), and the variance takes a second pass over the
 * deviations from the mean, so the result is the same on every machine and
 * does not depend on which replication finished first.
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

/** The last t quantile asked (a time series asks the same one at every bucket; each is a root search). */
let lastT = { confidence: NaN, df: NaN, t: NaN };

/** t(1 − α/2, df) for the confidence level 1 − α. */
function tFor(confidence: number, df: number): number {
  if (lastT.confidence !== confidence || lastT.df !== df) lastT = { confidence, df, t: tQuantile(1 - (1 - confidence) / 2, df) };
  return lastT.t;
}

/** Whether a replication's value counts: defined and finite. */
function counts(x: number | undefined): x is number {
  return x !== undefined && Number.isFinite(x);
}

/** A summary of too few values for a spread (n < 2): mean, min and max if any, the rest undefined. */
function withoutSpread(n: number, mean: number | undefined, min: number | undefined, max: number | undefined): Summary {
  return { n, mean, min, max, stddev: undefined, ciLow: undefined, ciHigh: undefined, ciHalfWidth: undefined };
}

export function summarize(values: readonly (number | undefined)[], confidence = 0.95): Summary {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`a confidence level is in (0, 1), got ${confidence}`);
  // One pass for n, the sum and the extremes, one for the squares, over the values that count (no
  // filtered copy: a time series summarises each of its columns at every bucket).
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of values) {
    if (!counts(x)) continue;
    n++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (n === 0) return withoutSpread(0, undefined, undefined, undefined);
  const mean = sum / n;
  if (n < 2) return withoutSpread(n, mean, min, max);
  let squares = 0;
  for (const x of values) if (counts(x)) squares += (x - mean) * (x - mean);
  const stddev = Math.sqrt(squares / (n - 1));
  const halfWidth = (tFor(confidence, n - 1) * stddev) / Math.sqrt(n);
  return { n, mean, min, max, stddev, ciLow: mean - halfWidth, ciHigh: mean + halfWidth, ciHalfWidth: halfWidth };
}
