/**
 * Latency histograms for end-to-end latency: HdrHistogram (hdr-histogram-js)
 * with 3 significant digits, so every percentile is within 0.1% relative
 * error. Latencies are recorded as integer nanoseconds (integer microseconds
 * would round a 100 µs latency by up to 0.5%) and reported in seconds.
 * Histograms merge exactly and travel between threads as compressed base64
 * strings.
 *
 * The WebAssembly build is used: recording 10⁶ latencies takes ~20–30 ms
 * against ~125–135 ms for the JavaScript build (measured here, Node 20), and
 * recording happens once per request on the simulator's hot path. Its module
 * is compiled on first use in each thread (~12 ms, synchronously), so nothing
 * has to be awaited; `initHistograms()` does it ahead of time. A WASM
 * histogram's memory is not garbage collected: `destroy()` frees it, and a
 * finalizer frees it anyway once the wrapper is collected.
 *
 * Percentiles follow HdrHistogram: `percentile(p)` takes p in [0, 100] and
 * returns the highest value equivalent (within the resolution) to the
 * recorded value of rank ⌊p·n/100 + ½⌋ (at least 1). `max` is percentile 100,
 * so a histogram and its decoded copy agree on it. Empty histograms give NaN.
 */
import * as hdr from 'hdr-histogram-js';

const BUILD: hdr.BuildRequest = {
  bitBucketSize: 64,
  lowestDiscernibleValue: 1,
  highestTrackableValue: 2 ** 40, // ~18 minutes; autoResize extends it
  numberOfSignificantValueDigits: 3,
  autoResize: true,
  useWebAssembly: true,
};

let webAssemblyReady = false;

/**
 * Compiles the WASM module of this thread once. Always synchronously: an
 * asynchronous initialisation racing a synchronous one would replace the
 * module under histograms already built on the first.
 */
function ensureWebAssembly(): void {
  if (webAssemblyReady) return;
  hdr.initWebAssemblySync();
  webAssemblyReady = true;
}

/** Prepares histograms in this thread ahead of their first use (optional: they prepare themselves). */
export function initHistograms(): Promise<void> {
  ensureWebAssembly();
  return Promise.resolve();
}

/** Frees the WASM memory of histograms whose wrapper was collected without `destroy()`. */
const finalizer = new FinalizationRegistry<hdr.Histogram>((histogram) => histogram.destroy());

const NANOSECONDS = 1e9;

export class LatencyHistogram {
  private histogram: hdr.Histogram;

  /** An empty histogram (or, internally, one wrapping a decoded HdrHistogram). */
  constructor(histogram?: hdr.Histogram) {
    ensureWebAssembly();
    this.histogram = histogram ?? hdr.build(BUILD);
    finalizer.register(this, this.histogram, this);
  }

  /** Records one latency in seconds (≥ 0). */
  record(seconds: number): void {
    const nanoseconds = Math.round(seconds * NANOSECONDS);
    if (!(nanoseconds >= 0)) throw new RangeError(`a latency is ≥ 0 seconds, got ${seconds}`);
    this.histogram.recordValue(nanoseconds);
  }

  /** Latencies recorded. */
  get count(): number {
    return this.histogram.totalCount;
  }

  /** The mean latency in seconds, from bin midpoints (within 0.05%); NaN when empty. */
  get mean(): number {
    return this.count === 0 ? NaN : this.histogram.mean / NANOSECONDS;
  }

  /** The p-th percentile (0 ≤ p ≤ 100) in seconds; NaN when empty. */
  percentile(p: number): number {
    return this.count === 0 ? NaN : this.histogram.getValueAtPercentile(p) / NANOSECONDS;
  }

  /** The largest latency in seconds (the top of its bin, within 0.1%); NaN when empty. */
  get max(): number {
    return this.percentile(100);
  }

  /** The smallest latency in seconds (within 0.1%); NaN when empty. */
  get min(): number {
    return this.percentile(0);
  }

  /**
   * The empirical CDF at each x (seconds, ascending): the share of recorded
   * latencies whose bin lies wholly at or below x (exact to the bin, 0.1%).
   * For reports, not the hot path: it reads a JavaScript copy of the counts.
   */
  cdf(xs: readonly number[]): number[] {
    const total = this.count;
    if (total === 0) return xs.map(() => NaN);
    const copy = hdr.decodeFromCompressedBase64(this.encode(), 64, false);
    if (!(copy instanceof hdr.JsHistogram)) throw new Error('hdr-histogram-js did not decode into its JavaScript histogram');
    const out: number[] = [];
    let cumulative = 0;
    let i = 0;
    for (const x of xs) {
      const limit = x * NANOSECONDS;
      while (i < copy.countsArrayLength) {
        const c = copy.getCountAtIndex(i);
        if (c > 0 && copy.highestEquivalentValue(copy.valueFromIndex(i)) > limit) break;
        cumulative += c;
        i++;
      }
      out.push(cumulative / total);
    }
    return out;
  }

  /** Adds every latency of `other` to this histogram. */
  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }

  /** The histogram as a compressed base64 string (HdrHistogram's V2 encoding). */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }

  /** A histogram from {@link encode}'s string. */
  static decode(text: string): LatencyHistogram {
    ensureWebAssembly();
    return new LatencyHistogram(hdr.decodeFromCompressedBase64(text, 64, true));
  }

  /** Frees the histogram's WASM memory now; it must not be used afterwards. */
  destroy(): void {
    finalizer.unregister(this);
    this.histogram.destroy();
  }
}
