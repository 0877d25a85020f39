/**
 * Latency histograms: HdrHistogram (hdr-histogram-js) with 3 significant
 * digits, so every percentile is within 0.1% relative error. Latencies are
 * recorded in nanoseconds (integers) and reported in seconds. Histograms
 * merge exactly and travel between threads as compressed base64 strings.
 *
 * The JavaScript build is used, not the WebAssembly one: WASM histograms
 * must be destroyed by hand or they leak across replications, and recording
 * is not where the simulator spends its time.
 */
import * as hdr from 'hdr-histogram-js';

const BUILD: hdr.BuildRequest = {
  bitBucketSize: 64,
  lowestDiscernibleValue: 1,
  highestTrackableValue: 2 ** 40,
  numberOfSignificantValueDigits: 3,
  autoResize: true,
  useWebAssembly: false,
};

/** Kept for call sites that prepare histograms per thread; the JS build needs nothing. */
export async function initHistograms(): Promise<void> {
  return Promise.resolve();
}

export class LatencyHistogram {
  readonly h: hdr.Histogram;

  constructor(h?: hdr.Histogram) {
    this.h = h ?? hdr.build(BUILD);
  }

  record(seconds: number): void {
    this.h.recordValue(Math.round(seconds * 1e9));
  }

  get count(): number {
    return this.h.totalCount;
  }

  /** The p-th percentile (0 < p ≤ 100) in seconds. */
  percentile(p: number): number {
    return this.h.getValueAtPercentile(p) / 1e9;
  }

  get max(): number {
    return this.h.maxValue / 1e9;
  }

  get min(): number {
    return this.h.minNonZeroValue / 1e9;
  }

  /**
   * The empirical CDF at each x (seconds, ascending): the share of recorded
   * latencies whose bin lies at or below x (exact to the bin, 0.1%).
   */
  cdf(xs: readonly number[]): number[] {
    const h = this.h as unknown as { countsArrayLength: number; getCountAtIndex(i: number): number; valueFromIndex(i: number): number; highestEquivalentValue(v: number): number };
    const total = this.h.totalCount;
    const out: number[] = [];
    if (total === 0) return xs.map(() => NaN);
    let cum = 0;
    let i = 0;
    for (const x of xs) {
      const limit = x * 1e9;
      while (i < h.countsArrayLength) {
        const c = h.getCountAtIndex(i);
        if (c > 0 && h.highestEquivalentValue(h.valueFromIndex(i)) > limit) break;
        cum += c;
        i++;
      }
      out.push(cum / total);
    }
    return out;
  }

  add(other: LatencyHistogram): void {
    this.h.add(other.h);
  }

  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.h);
  }

  static decode(text: string): LatencyHistogram {
    return new LatencyHistogram(hdr.decodeFromCompressedBase64(text, 64, false));
  }
}
