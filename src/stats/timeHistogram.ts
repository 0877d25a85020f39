/**
 * A small latency histogram for one time bucket of `timeseries.csv`, where a
 * replication needs one per bucket: thousands for a long window (a
 * 10⁶-request M/M/4 at 3.6/s has 277,778 one-second buckets).
 *
 * So that many of them stay small:
 * - the first 32 latencies of a bucket are kept as they are, and its
 *   quantiles are exact (a quiet bucket costs a few bytes);
 * - from the 33rd on, latencies are counted in log-spaced bins 1% wide
 *   (bin i ≥ 1 holds [1 µs·1.01^(i−1), 1 µs·1.01^i); bin 0 everything below
 *   1 µs; the last bin everything from 10⁵ s up), and only the range of
 *   bins actually hit is stored: at the 33rd, the power of two that covers
 *   their spread, then growing by doubling (latencies from 1 ms to 1 s need
 *   695 bins, 2.8 KB).
 *
 * A quantile from bins is the geometric middle of its bin, clamped to the
 * smallest and largest latency recorded, so its relative error is at most
 * √1.01 − 1 ≈ 0.499% (the bins below 1 µs and above 10⁵ s excepted); the
 * smallest and largest latency themselves are exact.
 *
 * `quantile(q)` takes q in [0, 1] and returns the order statistic of rank
 * ⌈q·n⌉ (at least 1), the definition HdrHistogram uses; NaN when empty.
 */
const LOWEST = 1e-6;
const HIGHEST = 1e5;
const LOG_GROWTH = Math.log(1.01);
/** Bin 0 (below 1 µs), then 1% bins up to 10⁵ s, the last one open-ended. */
const BIN_COUNT = Math.ceil(Math.log(HIGHEST / LOWEST) / LOG_GROWTH) + 2;
const EXACT_LIMIT = 32;
const INITIAL_BINS = 64;

function binOf(seconds: number): number {
  if (!(seconds >= LOWEST)) return 0;
  const i = Math.floor(Math.log(seconds / LOWEST) / LOG_GROWTH) + 1;
  return i < BIN_COUNT ? i : BIN_COUNT - 1;
}

/** The geometric middle of bin i (bin 0: half of 1 µs). */
function middleOf(bin: number): number {
  return bin === 0 ? LOWEST / 2 : LOWEST * Math.exp((bin - 0.5) * LOG_GROWTH);
}

export class TimeHistogram {
  private total = 0;
  private smallest = Infinity;
  private largest = -Infinity;
  /** The latencies themselves while there are at most EXACT_LIMIT of them. */
  private exact: number[] | null = null;
  /** Counts of bins offset .. offset + bins.length − 1, once past EXACT_LIMIT. */
  private bins: Uint32Array | null = null;
  private offset = 0;

  /** `store`: where its bins come from, shared by the histograms of one replication (see BinStore). */
  constructor(private readonly store: BinStore = new BinStore()) {}

  /** Latencies recorded. */
  get count(): number {
    return this.total;
  }

  /** Records one latency in seconds (≥ 0). */
  record(seconds: number): void {
    if (seconds < this.smallest) this.smallest = seconds;
    if (seconds > this.largest) this.largest = seconds;
    if (this.bins !== null) {
      this.countInBin(seconds);
    } else if (this.total < EXACT_LIMIT) {
      (this.exact ??= []).push(seconds);
    } else {
      this.startBins(seconds);
    }
    this.total++;
  }

  /**
   * Past the exact limit: the kept latencies and this one move into bins,
   * sized for their spread. Apart from record, which V8 copies into each
   * place that records: this runs once a histogram.
   */
  private startBins(seconds: number): void {
    const exact = this.exact!;
    exact.push(seconds);
    const low = binOf(this.smallest);
    const spread = binOf(this.largest) - low + 1;
    let length = INITIAL_BINS;
    while (length < spread && length < BIN_COUNT) length *= 2;
    length = Math.min(length, BIN_COUNT);
    this.offset = Math.max(0, Math.min(low - ((length - spread) >> 1), BIN_COUNT - length));
    this.bins = this.store.take(length);
    for (const x of exact) this.countInBin(x);
    this.exact = null;
  }

  /** The q-quantile (0 ≤ q ≤ 1) in seconds; NaN when empty. */
  quantile(q: number): number {
    return this.quantilePair(q, q)[0];
  }

  /**
   * The q1- and q2-quantiles (0 ≤ q1 ≤ q2 ≤ 1) in one pass: a time series
   * asks two per bucket, and each asked alone would sort the exact
   * latencies, or walk the bins, again. NaN when empty.
   */
  quantilePair(q1: number, q2: number): [number, number] {
    if (this.total === 0) return [NaN, NaN];
    const ranks = [Math.max(1, Math.ceil(q1 * this.total)), Math.max(1, Math.ceil(q2 * this.total))];
    if (this.bins === null) {
      const sorted = this.exact!.slice(0, this.total).sort((a, b) => a - b);
      return [sorted[ranks[0] - 1], sorted[ranks[1] - 1]];
    }
    const out: [number, number] = [this.largest, this.largest];
    let k = 0;
    let seen = 0;
    for (let i = 0; k < 2 && i < this.bins.length; i++) {
      seen += this.bins[i];
      for (; k < 2 && seen >= ranks[k]; k++) out[k] = this.binValue(ranks[k], i);
    }
    return out;
  }

  /** The order statistic of `rank`, which falls in stored bin i: the first and last are known exactly, the others are their bin's middle. */
  private binValue(rank: number, i: number): number {
    if (rank === 1) return this.smallest;
    if (rank >= this.total) return this.largest;
    return Math.min(this.largest, Math.max(this.smallest, middleOf(this.offset + i)));
  }

  /** Forgets every latency and gives its bins back to the store, for another histogram to take. */
  release(): void {
    if (this.bins !== null) this.store.give(this.bins);
    this.bins = null;
    this.exact = null;
    this.reset();
  }

  /** Forgets every latency, keeping the storage. */
  reset(): void {
    this.total = 0;
    this.smallest = Infinity;
    this.largest = -Infinity;
    this.bins?.fill(0);
  }

  private countInBin(seconds: number): void {
    const bin = binOf(seconds);
    if (bin < this.offset || bin >= this.offset + this.bins!.length) this.growBins(bin);
    this.bins![bin - this.offset]++;
  }

  /** Doubles the stored range of bins (at least) until it covers `bin`, keeping the far end. */
  private growBins(bin: number): void {
    const old = this.bins!;
    const high = this.offset + old.length;
    let length = old.length * 2;
    while (length < Math.max(high, bin + 1) - Math.min(this.offset, bin)) length *= 2;
    length = Math.min(length, BIN_COUNT);
    const offset = bin < this.offset ? Math.max(0, high - length) : Math.min(this.offset, BIN_COUNT - length);
    const next = this.store.take(length);
    next.set(old, this.offset - offset);
    this.store.give(old);
    this.bins = next;
    this.offset = offset;
  }
}

/**
 * Where bin arrays come from. A typed array of its own costs microseconds
 * (its buffer is allocated outside the heap), and a busy bucket's bins grow
 * a few times as its latencies spread: allocation was most of the cost of
 * recording. So bins are views carved from large shared buffers, and the
 * arrays a histogram outgrows are kept, by length, for the next one to take
 * (buckets fill one after another, so what one outgrows serves the next).
 * One store serves the histograms of one replication and goes with them.
 */
export class BinStore {
  /** Elements of each shared buffer (256 KB). */
  private static readonly SLAB_LENGTH = 1 << 16;
  private slab = new Uint32Array(0);
  private slabUsed = 0;
  private readonly spare = new Map<number, Uint32Array[]>();

  /** Zeroed bins of the given length. */
  take(length: number): Uint32Array {
    const spare = this.spare.get(length)?.pop();
    if (spare !== undefined) return spare.fill(0);
    if (this.slabUsed + length > this.slab.length) {
      this.slab = new Uint32Array(Math.max(BinStore.SLAB_LENGTH, length));
      this.slabUsed = 0;
    }
    const bins = new Uint32Array(this.slab.buffer, this.slabUsed * Uint32Array.BYTES_PER_ELEMENT, length);
    this.slabUsed += length;
    return bins;
  }

  /** Bins a histogram has outgrown, for another to take. */
  give(bins: Uint32Array): void {
    let list = this.spare.get(bins.length);
    if (list === undefined) this.spare.set(bins.length, (list = []));
    list.push(bins);
  }
}
