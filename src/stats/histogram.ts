/**
 * Latency histograms for end-to-end latency: HdrHistogram (hdr-histogram-js)
 * with 3 significant digits, so every percentile is within 0.1% relative
 * error. Latencies are recorded as integer nanoseconds (integer microseconds
 * would round a 100 µs latency by up to 0.5%) and reported in seconds.
 * Histograms merge exactly and travel between threads as compressed base64
 * strings.
 *
 * Recording happens once per request on the simulator's hot path, so it
 * only counts into a plain array by HdrHistogram's own bin index (~10 ns);
 * the counts go to the HdrHistogram before any read, once per bin that saw
 * work. So its JavaScript build is as fast here as its WebAssembly build
 * (25 ns a value against 125 ns only when recording into it directly), and
 * it spares every thread the WebAssembly start-up: inflating and compiling
 * the module took 60–80 ms of a small run's main thread and of each
 * worker's. Both builds give the same bins, percentiles, means and
 * encodings (the golden results did not move).
 *
 * Percentiles follow HdrHistogram: `percentile(p)` takes p in [0, 100] and
 * returns the highest value equivalent (within the resolution) to the
 * recorded value of rank ⌊p·n/100 + ½⌋ (at least 1). `max` is percentile 100,
 * so a histogram and its decoded copy agree on it. Empty histograms give NaN.
 */
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js/dist/encoding.js';
import Float64HistogramModule from 'hdr-histogram-js/dist/Float64Histogram.js';
import { JsHistogram } from 'hdr-histogram-js/dist/JsHistogram.js';
import ulpModule from 'hdr-histogram-js/dist/ulp.js';
import { deflateSync, inflateSync } from 'node:zlib';

// Only the parts used, not the package's index: it also loads a log writer
// that builds an Intl number format on load (30-40 ms of every start).
// Static imports, so that a bundle inlines them (loading the package's 41
// CommonJS files took 50-70 ms of every thread). Float64Histogram.js sets
// only `exports.default`: Node and esbuild hand its module.exports to a
// default import, vitest the class itself.
type Float64HistogramClass = typeof Float64HistogramModule.default;
const Float64Histogram: Float64HistogramClass =
  (Float64HistogramModule as { default?: Float64HistogramClass }).default ?? (Float64HistogramModule as unknown as Float64HistogramClass);
type Histogram = InstanceType<typeof JsHistogram>;
type Ulp = typeof ulpModule.default;
const ulp: Ulp = (ulpModule as { default?: Ulp }).default ?? (ulpModule as unknown as Ulp);

/** HdrHistogram's JavaScript build with 64-bit counts, 3 significant digits, from 1 ns to ~18 minutes, resized beyond. */
function build(): Histogram {
  const h = new Float64Histogram(1, 2 ** 40, 3);
  h.autoResize = true;
  return h;
}

const NANOSECONDS = 1e9;
const TWO_POW_32 = 4294967296;

/**
 * The counts-array index HdrHistogram gives a value (lowest discernible 1,
 * 3 significant digits: 2048 sub-buckets, half count 1024): bucket
 * 53 − clz64(v | 2047), sub-bucket v >> bucket. Computed here so that the
 * hot path counts into a plain array; `valueAtIndex` maps back to the bin's
 * lowest value, which HdrHistogram puts in the very same bin.
 */
const INVERSE_POWERS = Float64Array.from({ length: 64 }, (_, k) => 2 ** -k);

export function hdrIndex(v: number): number {
  const clz = v < TWO_POW_32 ? 32 + Math.clz32(v | 2047) : Math.clz32(Math.floor(v / TWO_POW_32));
  const bucket = 53 - clz;
  // Multiplying by 2^-bucket is exact, so the floor is v >> bucket.
  const sub = Math.floor(v * INVERSE_POWERS[bucket]);
  return ((bucket + 1) << 10) + sub - 1024;
}

export function valueAtIndex(i: number): number {
  let bucket = (i >> 10) - 1;
  let sub = (i & 1023) + 1024;
  if (bucket < 0) {
    sub -= 1024;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/** The highest value in bin i, HdrHistogram's highestEquivalentValue(valueFromIndex(i)): the bin's lowest plus its width, less 1. */
export function topOfBin(i: number): number {
  return valueAtIndex(i) + 2 ** Math.max(0, (i >> 10) - 1) - 1;
}

/**
 * h's counts array, when it holds them plainly and in svcsim's layout
 * (hdr-histogram-js's 64-bit build, lowest discernible value 1, 3
 * significant digits: bin i's count at index i, as getCountAtIndex reads
 * it, and i is hdrIndex of the bin's values), for the walks over every bin
 * that run once, in code not yet optimised, where a method call a bin costs
 * milliseconds; undefined otherwise (a histogram decoded from another
 * layout), and the library's methods are used.
 */
function plainCounts(h: Histogram): Float64Array | undefined {
  if (h.numberOfSignificantValueDigits !== 3 || h.lowestDiscernibleValue !== 1) return undefined;
  const counts = (h as unknown as { _counts?: unknown })._counts;
  return counts instanceof Float64Array && counts.length >= h.countsArrayLength ? counts : undefined;
}

/**
 * Where a walk over h's bins goes after bin 0 (the zeros): the bin of its
 * smallest non-zero latency, as HdrHistogram tracks it. Every bin in between
 * is empty, and they are most of a walk: latencies of a second start at bin
 * ≈ 20 000. A walk that found the bins empty from 1 on would give the same.
 */
function firstBin(h: Histogram): number {
  const min = h.minNonZeroValue;
  return min >= 1 && min < 2 ** 52 ? Math.max(1, hdrIndex(min)) : 1;
}

/** HdrHistogram's V2 cookies (word size 9: ZigZag LEB128 words): of the encoding, and of its compressed wrapper. */
const V2_COOKIE = 0x1c849313;
const V2_COMPRESSED_COOKIE = 0x1c849314;

/**
 * HdrHistogram's compressed V2 encoding of h, the very bytes of
 * hdr-histogram-js's encodeIntoCompressedBase64 (JsHistogram.encoding.js:
 * a 40-byte header, every bin's count up to the largest latency's as a
 * ZigZag LEB128 word, a run of empty bins as one negative word, deflated by
 * zlib with its defaults, behind an 8-byte header, in base64). Its loop reads
 * each bin through a method call, and a histogram spans ≈ 25 000 bins up to
 * a latency of a second, most of them empty: run once per replication, in
 * code not yet optimised, it took 12 ms of a small run's main thread; this
 * one reads the counts array itself. Undefined, so that the library
 * encodes, for a histogram it does not know to be plain (counts stored
 * shifted, a count below 0 or of 2^50 and more).
 */
function encodeV2(h: Histogram): string | undefined {
  const counts = plainCounts(h);
  if (counts === undefined || h.totalCount >= 2 ** 50) return undefined;
  const limit = h.countsArrayIndex(h.maxValue) + 1;
  if (limit > counts.length) return undefined;
  let bytes = new Uint8Array(64 + limit);
  let at = 40;
  const put = (word: number): void => {
    // ZigZag (a count n is 2n, a run of n empty bins 2n − 1), then 7 bits a byte, lowest first.
    let v = word >= 0 ? word * 2 : -word * 2 - 1;
    if (bytes.length - at < 8) {
      const grown = new Uint8Array(bytes.length * 2);
      grown.set(bytes);
      bytes = grown;
    }
    while (v >= 128) {
      bytes[at++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    bytes[at++] = v;
  };
  for (let i = 0; i < limit; ) {
    const count = counts[i++];
    if (count < 0) return undefined;
    if (count > 0) {
      put(count);
      continue;
    }
    const end = nextCount(counts, i === 1 ? Math.min(limit, firstBin(h)) : i, limit);
    put(end - i > 0 ? -(end - i + 1) : 0);
    i = end;
  }
  const header = new DataView(bytes.buffer);
  const int64 = (offset: number, v: number): void => {
    header.setUint32(offset, Math.floor(v / TWO_POW_32));
    header.setUint32(offset + 4, v % TWO_POW_32);
  };
  header.setUint32(0, V2_COOKIE);
  header.setUint32(4, at - 40); // payload length
  header.setUint32(8, 1); // normalizing index offset, as the library writes it
  header.setUint32(12, h.numberOfSignificantValueDigits);
  int64(16, h.lowestDiscernibleValue);
  int64(24, h.highestTrackableValue);
  int64(32, 1); // integer-to-double conversion ratio
  const compressed = deflateSync(bytes.subarray(0, at));
  // The library's 16-byte buffer, grown to fit exactly: a shorter result keeps its zeros.
  const out = new Uint8Array(Math.max(16, 8 + compressed.byteLength));
  const outHeader = new DataView(out.buffer);
  outHeader.setUint32(0, V2_COMPRESSED_COOKIE);
  outHeader.setUint32(4, compressed.byteLength);
  out.set(compressed, 8);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString('base64');
}

/**
 * The histogram of an encoding encodeV2 writes, as hdr-histogram-js's
 * decodeFromCompressedBase64(text, 64) makes it: a 64-bit histogram of the
 * header's range, its counts, and then its largest value, smallest non-zero
 * value and total as establishInternalTackingValues sets them. The library
 * reads each word through a method call and then walks every bin once more
 * (in code not yet optimised, ≈ 8 ms of a small run's tables); this reads
 * the words into the counts array and keeps the three as it goes.
 * Undefined, so that the library decodes (and names what is wrong), for
 * anything else: another layout, a damaged string, a word it would read
 * differently.
 */
function decodeV2(text: string): Histogram | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== V2_COMPRESSED_COOKIE) return undefined;
  const compressedEnd = 8 + bytes.readUInt32BE(4);
  if (compressedEnd > bytes.length) return undefined;
  let raw: Buffer;
  try {
    raw = inflateSync(bytes.subarray(8, compressedEnd));
  } catch {
    return undefined;
  }
  if (raw.length < 40 || raw.readUInt32BE(0) !== V2_COOKIE || raw.readUInt32BE(12) !== 3) return undefined;
  const end = 40 + raw.readUInt32BE(4);
  const lowest = raw.readUInt32BE(16) * TWO_POW_32 + raw.readUInt32BE(20);
  const highest = raw.readUInt32BE(24) * TWO_POW_32 + raw.readUInt32BE(28);
  if (lowest !== 1 || end > raw.length) return undefined;
  let h: Histogram;
  try {
    h = new Float64Histogram(lowest, highest, 3);
  } catch {
    return undefined;
  }
  const counts = plainCounts(h);
  if (counts === undefined) return undefined;
  let total = 0;
  let maxIndex = -1;
  let minNonZeroIndex = -1;
  let at = 40;
  let bin = 0;
  while (at < end) {
    // A ZigZag LEB128 word of at most 8 bytes, wholly inside the payload.
    let v = 0;
    let scale = 1;
    for (let k = 0; ; k++) {
      if (k === 8 || at >= end) return undefined;
      const byte = raw[at++];
      v += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) break;
    }
    const word = v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    if (word < 0) {
      bin -= word;
      continue;
    }
    if (bin >= counts.length || word > Number.MAX_SAFE_INTEGER) return undefined;
    counts[bin] = word;
    if (word > 0) {
      total += word;
      maxIndex = bin;
      if (minNonZeroIndex === -1 && bin !== 0) minNonZeroIndex = bin;
    }
    bin++;
  }
  const tracked = h as unknown as { updatedMaxValue(v: number): void; updateMinNonZeroValue(v: number): void };
  h.maxValue = 0;
  h.minNonZeroValue = Number.MAX_VALUE;
  if (maxIndex >= 0) tracked.updatedMaxValue(h.highestEquivalentValue(h.valueFromIndex(maxIndex)));
  if (minNonZeroIndex >= 0) tracked.updateMinNonZeroValue(h.valueFromIndex(minNonZeroIndex));
  h.setTotalCount(total);
  return h;
}
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The first bin from `from` on (before `limit`) with a count, else `limit`.
 * A function of its own: V8 compiles its loop for the optimising tier while
 * it runs (on the spot, see scripts/launcher.cjs), which costs little for
 * these few lines and ≈ 10 ms for the whole encoder.
 */
function nextCount(counts: Float64Array, from: number, limit: number): number {
  let i = from;
  while (i < limit && counts[i] === 0) i++;
  return i;
}

/** `pendingLow` when nothing is pending: above any bin index, and a small integer as the indexes are. */
const EMPTY_LOW = 0x3fffffff;

export class LatencyHistogram {
  private live: Histogram | undefined;
  /**
   * Counts recorded but not yet handed to the HdrHistogram, by its own bin
   * index: recording is then a few integer operations and an array
   * increment; every read flushes first, so results are HdrHistogram's.
   */
  private pending = new Float64Array(0);
  private pendingCount = 0;
  /** The lowest and highest index of `pending` with a count (a flush walks only them: the array spans ≈ 60 000 bins). */
  private pendingLow = EMPTY_LOW;
  private pendingHigh = -1;

  /** An empty histogram (or, internally, one wrapping a decoded HdrHistogram). */
  constructor(histogram?: Histogram) {
    this.live = histogram ?? build();
  }

  private get histogram(): Histogram {
    if (!this.live) throw new Error('this latency histogram was destroyed');
    return this.live;
  }

  /** Records one latency in seconds (≥ 0). */
  record(seconds: number): void {
    const nanoseconds = Math.round(seconds * NANOSECONDS);
    if (!(nanoseconds >= 0 && nanoseconds < 2 ** 52)) throw new RangeError(`a latency is ≥ 0 seconds, got ${seconds}`);
    const i = hdrIndex(nanoseconds);
    if (i >= this.pending.length) this.growPending(i);
    this.pending[i]++;
    this.pendingCount++;
    if (i < this.pendingLow) this.pendingLow = i;
    if (i > this.pendingHigh) this.pendingHigh = i;
  }

  /** Makes room in `pending` for bin i (apart from record, which V8 copies into each place that records). */
  private growPending(i: number): void {
    const grown = new Float64Array(Math.max(i + 1, this.pending.length * 2, 4096));
    grown.set(this.pending);
    this.pending = grown;
  }

  /** The last answer of `percentiles`, until something is recorded or added (`all` and a lone traffic entry share one histogram). */
  private asked: { ps: string; values: number[] } | null = null;

  private flush(): void {
    if (this.pendingCount === 0) return;
    this.asked = null;
    const pending = this.pending;
    const h = this.histogram;
    // The pending bins are HdrHistogram's own (hdrIndex): where it holds its counts plainly and they fit, they
    // are added in directly, with recordValueWithCount's bookkeeping (largest, smallest non-zero, total) once
    // at the end. A call a bin took ≈ 7 ms of a small run's summary, in code not yet optimised.
    const counts = this.pendingHigh < h.countsArrayLength && h.totalCount + this.pendingCount < 2 ** 52 ? plainCounts(h) : undefined;
    if (counts !== undefined) {
      let added = 0;
      let lowest = -1;
      let highest = -1;
      for (let i = this.pendingLow; i <= this.pendingHigh; i++) {
        const c = pending[i];
        if (c > 0) {
          counts[i] += c;
          pending[i] = 0;
          added += c;
          if (lowest < 0 && i > 0) lowest = i;
          highest = i;
        }
      }
      h.updateMinAndMax(valueAtIndex(highest));
      if (lowest > 0) h.updateMinAndMax(valueAtIndex(lowest));
      h.setTotalCount(h.totalCount + added);
    } else {
      for (let i = this.pendingLow; i <= this.pendingHigh; i++) {
        if (pending[i] > 0) {
          h.recordValueWithCount(valueAtIndex(i), pending[i]);
          pending[i] = 0;
        }
      }
    }
    this.pendingCount = 0;
    this.pendingLow = EMPTY_LOW;
    this.pendingHigh = -1;
  }

  /** Latencies recorded. */
  get count(): number {
    return this.histogram.totalCount + this.pendingCount;
  }

  /** The mean latency in seconds, from bin midpoints (within 0.05%); NaN when empty. */
  get mean(): number {
    this.flush();
    return this.count === 0 ? NaN : this.histogram.mean / NANOSECONDS;
  }

  /** The p-th percentile (0 ≤ p ≤ 100) in seconds; NaN when empty. */
  percentile(p: number): number {
    this.flush();
    return this.count === 0 ? NaN : this.histogram.getValueAtPercentile(p) / NANOSECONDS;
  }

  /**
   * Several percentiles in one walk over the bins: the very values
   * `percentile(p)` gives for each p (HdrHistogram's getValueAtPercentile,
   * step by step), where calling it for each walks the bins from the start
   * every time (a replication's results asked for eight walks of ~60 000 bins).
   */
  percentiles(ps: readonly number[]): number[] {
    this.flush();
    if (this.count === 0) return ps.map(() => NaN);
    const key = ps.join(' ');
    if (this.asked?.ps === key) return this.asked.values.slice();
    const h = this.histogram;
    const want = ps.map((p) => {
      const fp = (Math.min(p, 100) / 100.0) * h.totalCount;
      return Math.max(Math.ceil(fp - ulp(fp)), 1);
    });
    const order = ps.map((_, k) => k).sort((a, b) => want[a] - want[b]);
    const out = ps.map(() => 0);
    let next = 0;
    let total = 0;
    const from = firstBin(h);
    const counts = plainCounts(h);
    for (let i = 0; i < h.countsArrayLength && next < order.length; i = i === 0 ? from : i + 1) {
      total += counts !== undefined ? counts[i] : h.getCountAtIndex(i);
      while (next < order.length && total >= want[order[next]]) {
        const k = order[next++];
        const v = h.valueFromIndex(i);
        out[k] = (ps[k] === 0.0 ? h.lowestEquivalentValue(v) : h.highestEquivalentValue(v)) / NANOSECONDS;
      }
    }
    this.asked = { ps: key, values: out.slice() };
    return out;
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
   * For reports, not the hot path: it walks every bin.
   */
  cdf(xs: readonly number[]): number[] {
    const total = this.count;
    if (total === 0) return xs.map(() => NaN);
    this.flush();
    const copy = this.histogram;
    // The counts and each bin's top read directly (plainCounts, topOfBin) where the layout is svcsim's own:
    // through the library's methods, a report's one CDF took ≈ 7 ms of code not yet optimised.
    const counts = plainCounts(copy);
    const out: number[] = [];
    let cumulative = 0;
    let i = 0;
    const from = firstBin(copy);
    for (const x of xs) {
      const limit = x * NANOSECONDS;
      // Once every latency is counted the bins left are empty: no need to walk them (≈ 60 000) for each x.
      while (i < copy.countsArrayLength && cumulative < total) {
        const c = counts !== undefined ? counts[i] : copy.getCountAtIndex(i);
        if (c > 0 && (counts !== undefined ? topOfBin(i) : copy.highestEquivalentValue(copy.valueFromIndex(i))) > limit) break;
        cumulative += c;
        i = i === 0 ? from : i + 1;
      }
      out.push(cumulative / total);
    }
    return out;
  }

  /** Adds every latency of `other` to this histogram. */
  add(other: LatencyHistogram): void {
    this.flush();
    other.flush();
    this.asked = null;
    this.histogram.add(other.histogram);
  }

  /** The histogram as a compressed base64 string (HdrHistogram's V2 encoding). */
  encode(): string {
    this.flush();
    return encodeV2(this.histogram) ?? encodeIntoCompressedBase64(this.histogram);
  }

  /** A histogram from {@link encode}'s string. */
  static decode(text: string): LatencyHistogram {
    const decoded = decodeV2(text) ?? decodeFromCompressedBase64(text, 64, false);
    if (!(decoded instanceof JsHistogram)) throw new Error('hdr-histogram-js did not decode into its JavaScript histogram');
    // Like a new one: it grows when another histogram with longer latencies is added to it.
    decoded.autoResize = true;
    return new LatencyHistogram(decoded);
  }

  /** Lets the histogram's counts go now (they are a few hundred KB); it must not be used afterwards. */
  destroy(): void {
    this.live = undefined;
  }
}
