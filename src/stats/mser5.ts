/**
 * MSER-5 (White 1997): where a warm-up transient ends. The series is
 * batched in fives; for each truncation point d (in batches, searched over
 * the first half) the statistic is the variance of the remaining batch means
 * divided by their count, i.e. Σ(x̄ᵢ − x̄)² / (n − d)²; the d that minimises
 * it is the suggested truncation. Empty points (NaN) are skipped when
 * batching.
 */
export interface Mser5Result {
  /** Batches to cut. */
  truncationBatches: number;
  /** Points of the original series to cut (5 per batch). */
  truncationIndex: number;
  statistic: number;
}

export function mser5(series: readonly number[]): Mser5Result {
  const batches: number[] = [];
  for (let i = 0; i + 5 <= series.length; i += 5) {
    let s = 0;
    let n = 0;
    for (let j = i; j < i + 5; j++) {
      if (Number.isFinite(series[j])) {
        s += series[j];
        n++;
      }
    }
    batches.push(n > 0 ? s / n : NaN);
  }
  const xs = batches.map((x, i) => (Number.isFinite(x) ? x : (batches.slice(0, i).reverse().find(Number.isFinite) ?? batches.find(Number.isFinite) ?? 0)));
  const n = xs.length;
  let best = { truncationBatches: 0, truncationIndex: 0, statistic: Infinity };
  if (n < 2) return { ...best, statistic: NaN };
  for (let d = 0; d <= Math.floor(n / 2); d++) {
    const rest = xs.slice(d);
    const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
    const ss = rest.reduce((a, b) => a + (b - mean) * (b - mean), 0);
    const stat = ss / (rest.length * rest.length);
    if (stat < best.statistic) best = { truncationBatches: d, truncationIndex: d * 5, statistic: stat };
  }
  return best;
}
