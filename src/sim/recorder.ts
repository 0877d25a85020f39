/**
 * What a replication counts: per scope (`all`, then each traffic entry) the
 * outcomes of counted requests (those whose first attempt starts inside the
 * measured window), their latency, and the forwarding statistics; per time
 * bucket the series of `timeseries.csv`; per bucket from t = 0 the mean
 * latency that the MSER-5 warm-up suggestion is computed from.
 *
 * Per node: the new connections it received, forwarded to another node,
 * and dropped (nodes.csv).
 *
 * Counters are plain typed arrays; latencies go into an HDR histogram per
 * scope (0.1% relative error) and a small log histogram per time bucket,
 * made when the bucket's first ok request ends: a bucket that sees no work
 * costs its three counters only. A bucket's histogram is read once, for its
 * p50 and p99, as soon as nothing more can end in it (no request starts in
 * the bucket any more and every one that did has ended), and its bins go to
 * the next bucket: the histograms held are those of the buckets with
 * requests in flight, not one per bucket of the run (926 of 8 KB each for
 * the 10⁶-request M/M/4, ≈ 1 600 pages touched, ≈ 20 ms on a virtual
 * machine).
 */
import { Outcome } from '../dataplane/client.js';
import type { Attempts } from './pools.js';
import { SEGMENTS } from './result.js';
import { LatencyHistogram } from '../stats/histogram.js';
import { BinStore, TimeHistogram } from '../stats/timeHistogram.js';

// Field offsets of the per-scope counters.
const REQUESTS = 0;
const OK = 1;
const TIMEOUT = 2;
const REFUSED = 3;
const REJECTED = 4;
const RETRIES = 5;
const FORWARDED = 6;
const CROSS_NODE = 7;
const CROSS_ZONE = 8;
const LATENCY_SUM = 9;
const LATENCY_MAX = 10;
const DEPENDENCY = 11;
const CALLS = 12;
const FIELDS = 13;

/** The counters by name, for reading results (not the hot path). */
const FIELD_OF = { requests: REQUESTS, ok: OK, timeout: TIMEOUT, refused: REFUSED, rejected: REJECTED, retries: RETRIES, forwarded: FORWARDED, crossNode: CROSS_NODE, crossZone: CROSS_ZONE, latencySum: LATENCY_SUM, latencyMax: LATENCY_MAX, dependency: DEPENDENCY, calls: CALLS } as const;

const N_SEGMENTS = SEGMENTS.length;

/**
 * Time spent per bucket by things that come and go (requests in flight,
 * attempts in pod queues): each adds the interval it was there, so the
 * bucket's area / its width is the time-average of how many there were.
 */
export class Occupancy {
  readonly area: Float64Array;

  constructor(
    private readonly windowStart: number,
    private readonly windowEnd: number,
    private readonly bucketSeconds: number,
    buckets: number,
  ) {
    this.area = new Float64Array(buckets);
  }

  /** One was there during [from, to). */
  add(from: number, to: number): void {
    // Each bound read once (see Pods.inWindow): no branch of the hot path first taken at the window's end.
    const windowStart = this.windowStart;
    const windowEnd = this.windowEnd;
    let a = from > windowStart ? from : windowStart;
    const end = to < windowEnd ? to : windowEnd;
    const last = this.area.length - 1;
    while (a < end) {
      const b = Math.min(last, Math.floor((a - windowStart) / this.bucketSeconds));
      const bucketEnd = b === last ? end : Math.min(end, windowStart + (b + 1) * this.bucketSeconds);
      if (!(bucketEnd > a)) break;
      this.area[b] += bucketEnd - a;
      a = bucketEnd;
    }
  }
}

export class Recorder {
  readonly counters: Float64Array;
  readonly histograms: LatencyHistogram[];
  readonly buckets: number;
  readonly bucketRequests: Float64Array;
  readonly bucketOk: Float64Array;
  readonly bucketFailed: Float64Array;
  /** Failed requests of each bucket by the cause of their last attempt. */
  readonly bucketTimeout: Float64Array;
  readonly bucketRefused: Float64Array;
  readonly bucketRejected: Float64Array;
  readonly bucketDependency: Float64Array;
  /** Requests in flight and attempts waiting in pod queues, integrated per bucket. */
  readonly inFlight: Occupancy;
  readonly queued: Occupancy;
  /** Per scope, per segment (SEGMENTS): seconds summed over counted ok requests. */
  readonly segments: Float64Array;
  /** Per bucket, made at its first ok request (undefined until then, and again once its quantiles are taken). */
  readonly bucketLatency: (TimeHistogram | undefined)[];
  /** Per bucket, its latency p50 and p99 in seconds once taken (see `finishBucket`); NaN before, and for a bucket without ok requests. */
  private readonly bucketP50: Float64Array;
  private readonly bucketP99: Float64Array;
  /**
   * The bucket of the latest counted edge request: requests start in time
   * order, so none will start in an earlier bucket.
   */
  private openBucket = 0;
  /**
   * With one traffic entry (edgeScopes 2) its scope and `all` see the same
   * requests in the same order: only the entry's scope counts and `all` reads
   * its counters (as they share one histogram), which halves the counting on
   * the hot path and gives the same sums to the last bit. With more entries
   * `all` counts each entry's requests as well. Tested with === true and
   * !== true: V8 knows a boolean field only as an object, and `!x` on it
   * tests every falsy kind (false, '', 0, NaN, null, undefined, document.all,
   * 0n); a comparison is one.
   */
  private readonly allIsEntry: boolean;
  /** Where the bucket histograms' bins come from (one store for the replication's buckets). */
  private readonly bucketBins = new BinStore();
  readonly warmupBuckets: number;
  readonly warmupSum: Float64Array;
  readonly warmupCount: Float64Array;
  /** Per node: new connections of counted requests it received, of which forwarded to another node, and dropped. */
  readonly nodeReceived: Float64Array;
  readonly nodeCrossNode: Float64Array;
  readonly nodeDropped: Float64Array;

  constructor(
    readonly scopes: number,
    nodes: number,
    readonly windowStart: number,
    readonly windowEnd: number,
    readonly bucketSeconds: number,
    /** Scopes below this one are the edge's (`all`, `traffic:*`); from it on, calls to a Service (`service:*`), which `all` and the time series do not count. */
    readonly edgeScopes = scopes,
  ) {
    this.allIsEntry = edgeScopes === 2;
    this.counters = new Float64Array(scopes * FIELDS);
    this.nodeReceived = new Float64Array(nodes);
    this.nodeCrossNode = new Float64Array(nodes);
    this.nodeDropped = new Float64Array(nodes);
    // With one traffic entry its scope is `all`: one histogram serves both (calls to Services have their own).
    const all = new LatencyHistogram();
    this.histograms = Array.from({ length: scopes }, (_, i) => (i === 0 || (i === 1 && edgeScopes === 2) ? all : new LatencyHistogram()));
    this.buckets = Math.max(1, Math.ceil((windowEnd - windowStart) / bucketSeconds - 1e-9));
    this.bucketRequests = new Float64Array(this.buckets);
    this.bucketOk = new Float64Array(this.buckets);
    this.bucketFailed = new Float64Array(this.buckets);
    this.bucketTimeout = new Float64Array(this.buckets);
    this.bucketRefused = new Float64Array(this.buckets);
    this.bucketRejected = new Float64Array(this.buckets);
    this.bucketDependency = new Float64Array(this.buckets);
    this.inFlight = new Occupancy(windowStart, windowEnd, bucketSeconds, this.buckets);
    this.queued = new Occupancy(windowStart, windowEnd, bucketSeconds, this.buckets);
    this.segments = new Float64Array(scopes * N_SEGMENTS);
    this.bucketLatency = new Array<TimeHistogram | undefined>(this.buckets).fill(undefined);
    this.bucketP50 = new Float64Array(this.buckets).fill(NaN);
    this.bucketP99 = new Float64Array(this.buckets).fill(NaN);
    this.warmupBuckets = Math.max(1, Math.ceil(windowEnd / bucketSeconds - 1e-9));
    this.warmupSum = new Float64Array(this.warmupBuckets);
    this.warmupCount = new Float64Array(this.warmupBuckets);
  }

  /** The time bucket of a counted request that started at t. */
  bucketOf(t: number): number {
    const b = Math.floor((t - this.windowStart) / this.bucketSeconds);
    return b < this.buckets ? b : this.buckets - 1;
  }

  request(scope: number, bucket: number): void {
    this.counters[scope * FIELDS + REQUESTS] += 1;
    if (scope >= this.edgeScopes) return;
    if (this.allIsEntry !== true) this.counters[REQUESTS] += 1;
    this.bucketRequests[bucket] += 1;
    if (bucket > this.openBucket) this.bucketsClosed(bucket);
  }

  /** A counted request starts in `bucket`, later than the open one: the buckets before it whose requests have all ended are finished. */
  private bucketsClosed(bucket: number): void {
    for (let b = this.openBucket; b < bucket; b++) if (this.bucketEnded(b)) this.finishBucket(b);
    this.openBucket = bucket;
  }

  /** A counted request of `bucket` has ended (ok or failed): the bucket is finished if no request can start or end in it any more. */
  private requestEndedIn(bucket: number): void {
    if (bucket < this.openBucket && this.bucketEnded(bucket)) this.finishBucket(bucket);
  }

  /** Every counted request of bucket b has ended (some may never, past the drain: then it is finished at the end). */
  private bucketEnded(b: number): boolean {
    return this.bucketRequests[b] === this.bucketOk[b] + this.bucketFailed[b];
  }

  /** Takes bucket b's latency quantiles, once nothing more can be recorded in it, and gives its histogram's bins to the buckets still open. */
  private finishBucket(b: number): void {
    const h = this.bucketLatency[b];
    if (h === undefined) return;
    const [p50, p99] = h.quantilePair(0.5, 0.99);
    this.bucketP50[b] = p50;
    this.bucketP99[b] = p99;
    h.release();
    this.bucketLatency[b] = undefined;
  }

  /** Bucket b's latency p50 and p99 in seconds (NaN without ok requests); at the end of the replication. */
  bucketQuantiles(b: number): [number, number] {
    this.finishBucket(b);
    return [this.bucketP50[b], this.bucketP99[b]];
  }

  retry(scope: number): void {
    this.counters[scope * FIELDS + RETRIES] += 1;
    if (scope < this.edgeScopes && this.allIsEntry !== true) this.counters[RETRIES] += 1;
  }

  /** A call attempt to the Service of scope `scope`, on behalf of a counted request of edge scope `edge`. */
  call(scope: number, edge: number): void {
    const c = this.counters;
    c[scope * FIELDS + CALLS] += 1;
    c[edge * FIELDS + CALLS] += 1;
    if (this.allIsEntry !== true) c[CALLS] += 1;
  }

  /**
   * A request's new connection was DNATed by `node` (-1: none, IP-mode LB), to
   * a pod on another node when crossNode is 1 (in another zone when crossZone
   * is 1); counted when bucket ≥ 0. The two flags are 0 or 1 and added as
   * they are: no branch, and a boolean argument of a function V8 does not
   * inline costs a test of every falsy kind at each use.
   */
  forwarded(scope: number, bucket: number, node: number, crossNode: number, crossZone: number): void {
    if (bucket < 0 || node < 0) return;
    this.nodeReceived[node]++;
    this.nodeCrossNode[node] += crossNode;
    const c = this.counters;
    const o = scope * FIELDS;
    c[o + FORWARDED] += 1;
    c[o + CROSS_NODE] += crossNode;
    c[o + CROSS_ZONE] += crossZone;
    if (scope >= this.edgeScopes || this.allIsEntry === true) return;
    c[FORWARDED] += 1;
    c[CROSS_NODE] += crossNode;
    c[CROSS_ZONE] += crossZone;
  }

  /** A counted request's new connection was dropped at `node` (node down, or no local endpoint). */
  dropped(node: number): void {
    this.nodeDropped[node]++;
  }

  ok(scope: number, bucket: number, latency: number): void {
    const c = this.counters;
    const o = scope * FIELDS;
    c[o + OK] += 1;
    c[o + LATENCY_SUM] += latency;
    if (latency > c[o + LATENCY_MAX]) c[o + LATENCY_MAX] = latency;
    if (scope >= this.edgeScopes) {
      this.histograms[scope].record(latency);
      return;
    }
    if (this.allIsEntry !== true) {
      c[OK] += 1;
      c[LATENCY_SUM] += latency;
      if (latency > c[LATENCY_MAX]) c[LATENCY_MAX] = latency;
    }
    this.histograms[0].record(latency);
    if (this.edgeScopes > 2) this.histograms[scope].record(latency);
    this.bucketOk[bucket] += 1;
    (this.bucketLatency[bucket] ??= new TimeHistogram(this.bucketBins)).record(latency);
    this.requestEndedIn(bucket);
  }

  failed(scope: number, bucket: number, outcome: Outcome): void {
    const field = outcome === Outcome.Timeout ? TIMEOUT : outcome === Outcome.Refused ? REFUSED : outcome === Outcome.Rejected ? REJECTED : DEPENDENCY;
    this.counters[scope * FIELDS + field] += 1;
    if (scope >= this.edgeScopes) return;
    if (this.allIsEntry !== true) this.counters[field] += 1;
    this.bucketFailed[bucket] += 1;
    const byCause = outcome === Outcome.Timeout ? this.bucketTimeout : outcome === Outcome.Refused ? this.bucketRefused : outcome === Outcome.Rejected ? this.bucketRejected : this.bucketDependency;
    byCause[bucket] += 1;
    this.requestEndedIn(bucket);
  }

  /**
   * Where a counted ok request's time went: its successful attempt a's
   * segments, and `before` seconds of failed attempts and backoff before it.
   */
  breakdown(scope: number, att: Attempts, a: number, before: number): void {
    // A call's segments are its Service scope's; `all` is the edge requests', as its latency is.
    if (scope < this.edgeScopes && this.allIsEntry !== true) this.addSegments(0, att, a, before);
    this.addSegments(scope * N_SEGMENTS, att, a, before);
  }

  private addSegments(o: number, att: Attempts, a: number, before: number): void {
    const g = this.segments;
    g[o] += att.segClient[a];
    g[o + 1] += att.segLb[a];
    g[o + 2] += att.segForward[a];
    g[o + 3] += att.segHandshake[a];
    g[o + 4] += att.segQueue[a];
    g[o + 5] += att.segService[a];
    g[o + 6] += att.segCalls[a];
    g[o + 7] += before;
  }

  /** Scope `scope`'s mean seconds per counted ok request in each segment (NaN without ok requests). */
  segmentMeans(scope: number): number[] {
    const ok = this.get(scope, 'ok');
    const s = this.counting(scope);
    return SEGMENTS.map((_, i) => (ok > 0 ? this.segments[s * N_SEGMENTS + i] / ok : NaN));
  }

  /**
   * A request of scope `scope` ended at `at` (bucket -1: not counted). Every
   * ok request feeds the warm-up series; a counted one that ends after the
   * drain limit is `unfinished`: neither ok nor failed.
   */
  ended(scope: number, bucket: number, start: number, at: number, outcome: Outcome, drainEnd: number): void {
    if (outcome === Outcome.Ok && scope < this.edgeScopes) this.warmupSample(start, at - start);
    if (bucket < 0 || !(at <= drainEnd)) return;
    if (outcome === Outcome.Ok) this.ok(scope, bucket, at - start);
    else this.failed(scope, bucket, outcome);
  }

  /** Any ok request, counted or not, by the bucket from t = 0 of its first attempt (MSER-5 series). */
  warmupSample(start: number, latency: number): void {
    const b = Math.floor(start / this.bucketSeconds);
    if (b < this.warmupBuckets) {
      this.warmupSum[b] += latency;
      this.warmupCount[b] += 1;
    }
  }

  get(scope: number, field: keyof typeof FIELD_OF): number {
    return this.counters[this.counting(scope) * FIELDS + FIELD_OF[field]];
  }

  /** The scope whose counters hold scope `scope`'s: the traffic entry's for `all` when it is the only one (see `allIsEntry`). */
  private counting(scope: number): number {
    return scope === 0 && this.allIsEntry === true ? 1 : scope;
  }
}
