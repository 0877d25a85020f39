/**
 * A small latency histogram for one time bucket of `timeseries.csv`, where a
 * long run needs thousands of them: log-spaced bins of 1% width from 1 µs to
 * 10⁴ s (1,621 bins, 13 KB). A quantile is the geometric middle of its bin,
 * so it is within 0.5% of the exact order statistic; values outside the
 * range land in the first or last bin.
 */
const LOW = 1e-6;
const GROWTH = Math.log(1.01);
const BINS = Math.ceil(Math.log(1e4 / LOW) / GROWTH) + 1;

export class TimeHistogram {
  private bins: Float64Array | null = null;
  count = 0;

  record(seconds: number): void {
    if (this.bins === null) this.bins = new Float64Array(BINS);
    let i = seconds <= LOW ? 0 : Math.floor(Math.log(seconds / LOW) / GROWTH);
    if (i >= BINS) i = BINS - 1;
    this.bins[i]++;
    this.count++;
  }

  /** The q-quantile (0 < q < 1) in seconds; NaN when empty. */
  quantile(q: number): number {
    if (this.bins === null || this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BINS; i++) {
      seen += this.bins[i];
      if (seen >= rank) return LOW * Math.exp((i + 0.5) * GROWTH);
    }
    return LOW * Math.exp((BINS - 0.5) * GROWTH);
  }

  reset(): void {
    this.bins?.fill(0);
    this.count = 0;
  }
}
