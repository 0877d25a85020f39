/**
 * MSER-5 (White 1997; Franklin and White 2008): where a warm-up transient
 * ends, from one output series (e.g. mean latency per time bucket).
 *
 * The series is cut into batches of five points and each batch replaced by
 * its mean Z_j (the last, incomplete batch is dropped). For each truncation d
 * (in batches) the statistic is
 *
 *     MSER(d) = Σ_{j ≥ d} (Z_j − Z̄_d)² / (k − d)²,
 *
 * the squared standard error of the mean of the k − d batches kept (up to a
 * constant). The suggested truncation is the d that minimises it, searched
 * where more than half the batches are kept (d < k/2), the smallest such d on
 * a tie; beyond that the statistic rests on too few batches to mean anything.
 *
 * Points that are undefined or not finite (an empty time bucket) are left out
 * of their batch's mean; a batch with none is left out of the statistic but
 * keeps its place, so `truncationIndex` still counts points of the original
 * series. With fewer than two batches there is nothing to choose: d = 0 and
 * the statistic is NaN.
 */
export interface Mser5Result {
  /** Batches of five to cut from the start. */
  truncationBatches: number;
  /** Points of the original series to cut (5 per batch). */
  truncationIndex: number;
  /** MSER at the chosen truncation; NaN when undefined. */
  statistic: number;
}

const BATCH = 5;

/** Means of complete batches of five; NaN for a batch without a finite point. */
function batchMeans(series: readonly (number | undefined)[]): Float64Array {
  const k = Math.floor(series.length / BATCH);
  const means = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let sum = 0;
    let count = 0;
    for (let i = j * BATCH; i < (j + 1) * BATCH; i++) {
      const x = series[i];
      if (x !== undefined && Number.isFinite(x)) {
        sum += x;
        count++;
      }
    }
    means[j] = count > 0 ? sum / count : NaN;
  }
  return means;
}

export function mser5(series: readonly (number | undefined)[]): Mser5Result {
  const z = batchMeans(series);
  const k = z.length;
  let best: Mser5Result = { truncationBatches: 0, truncationIndex: 0, statistic: NaN };
  if (k < 2) return best;
  // Walk d from the end to the start, adding Z_d to running (count, mean,
  // sum of squared deviations) by Welford's update: every MSER(d) in one pass.
  const lastCandidate = Math.ceil(k / 2) - 1;
  let count = 0;
  let mean = 0;
  let squares = 0;
  for (let d = k - 1; d >= 0; d--) {
    const x = z[d];
    if (!Number.isNaN(x)) {
      count++;
      const delta = x - mean;
      mean += delta / count;
      squares += delta * (x - mean);
    }
    if (d > lastCandidate || count === 0) continue;
    const statistic = squares / (count * count);
    // `<=`: walking downwards, a tie goes to the smaller d.
    if (Number.isNaN(best.statistic) || statistic <= best.statistic) best = { truncationBatches: d, truncationIndex: d * BATCH, statistic };
  }
  return best;
}
