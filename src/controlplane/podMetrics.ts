/**
 * Pod metrics as the HorizontalPodAutoscaler reads them: what metrics-server
 * (CPU) or a custom-metrics adapter (`requests_per_second`) would report for
 * each pod at a given moment.
 *
 * metrics-server scrapes every kubelet every `--metric-resolution` (the
 * scenario's `controlPlane.metricsResolution`, 15 s); the CPU figure is a rate
 * between two consecutive scrapes, so the value the HPA sees at time t covers
 * the last whole window [s − resolution, s) with s the last scrape at or
 * before t, and a pod has no value at all until it has been running for one
 * whole window (it needs two scrapes). Scrapes fall on one grid for the whole
 * cluster, s = phase + k·resolution.
 *
 * Here CPU is the pod's busy slot-time: its `concurrency` slots stand for its
 * CPU request, so a pod whose slots were all busy for the whole window used
 * 100% of its request. `requests_per_second` is the number of attempts the
 * pod finished serving in the window divided by its length.
 *
 * The accounting is lazy: a pod's open window is closed only when the pod is
 * touched (a slot taken or freed, a request served, a read), so there is no
 * scrape event, and each touch costs O(1) without allocating. Closed windows
 * go into a small per-pod ring (typed arrays) so that a value may also cover
 * several windows (`windowsPerSample`, the `rate(...[2m])` of an adapter).
 */

/** One pod's metric as the HPA receives it; `available` false means "no metric for this pod". */
export interface PodMetricSample {
  available: boolean;
  /** End of the (last) window: the scrape time, the metric's `Timestamp`. */
  timestamp: number;
  /** Length the value is averaged over: the metric's `Window`. */
  window: number;
  /** Busy slot-time / (slots × window): the fraction of the CPU request used, 0..1. */
  cpuFraction: number;
  /** CPU used in millicores with 1 slot = 1000m of request, rounded as metrics-server's Quantity is. */
  cpuMilli: number;
  /** The pod's CPU request in millicores (slots × 1000m). */
  cpuRequestMilli: number;
  /** Attempts served per second over the window. */
  requestsPerSecond: number;
}

export function emptySample(): PodMetricSample {
  return {
    available: false,
    timestamp: 0,
    window: 0,
    cpuFraction: 0,
    cpuMilli: 0,
    cpuRequestMilli: 0,
    requestsPerSecond: 0,
  };
}

/** Millicores of CPU request that one concurrency slot stands for. */
export const MILLI_PER_SLOT = 1000;

export class PodMetrics {
  private capacity = 0;
  /** Slots of the pod (its CPU request); 0 while the pod is not running. */
  private slots = new Float64Array(0);
  /** Slots busy now (may be fractional when a caller models a fluid load). */
  private busy = new Float64Array(0);
  /** Time of the last change of `busy`, within the open window. */
  private lastChange = new Float64Array(0);
  /** Index k of the open window [phase + k·res, phase + (k+1)·res). */
  private openWindow = new Float64Array(0);
  private busyAcc = new Float64Array(0);
  private servedAcc = new Float64Array(0);
  private startedAt = new Float64Array(0);
  /** Ring of closed windows per pod: busy slot-seconds and served counts, `ringSize` slots each. */
  private ringBusy = new Float64Array(0);
  private ringServed = new Float64Array(0);
  private ringHead = new Int32Array(0);
  private ringCount = new Int32Array(0);
  private readonly ringSize: number;

  /**
   * @param resolution metrics-server's `--metric-resolution` (s)
   * @param phase time of one scrape; the others are phase ± k·resolution
   * @param windowsPerSample how many whole windows one value averages (1 for metrics-server)
   */
  constructor(
    readonly resolution: number,
    readonly phase = 0,
    readonly windowsPerSample = 1,
  ) {
    if (!(resolution > 0)) throw new RangeError(`metrics resolution must be positive, got ${resolution}`);
    if (!Number.isInteger(windowsPerSample) || windowsPerSample < 1) {
      throw new RangeError(`windowsPerSample must be a positive integer, got ${windowsPerSample}`);
    }
    this.ringSize = windowsPerSample;
  }

  private windowIndex(t: number): number {
    return Math.floor((t - this.phase) / this.resolution);
  }

  private windowStart(k: number): number {
    return this.phase + k * this.resolution;
  }

  private ensureCapacity(pods: number): void {
    if (pods <= this.capacity) return;
    const n = Math.max(pods, this.capacity * 2, 16);
    const grow = <T extends Float64Array | Int32Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.slots = grow(this.slots, n);
    this.busy = grow(this.busy, n);
    this.lastChange = grow(this.lastChange, n);
    this.openWindow = grow(this.openWindow, n);
    this.busyAcc = grow(this.busyAcc, n);
    this.servedAcc = grow(this.servedAcc, n);
    this.startedAt = grow(this.startedAt, n);
    this.ringBusy = grow(this.ringBusy, n * this.ringSize);
    this.ringServed = grow(this.ringServed, n * this.ringSize);
    this.ringHead = grow(this.ringHead, n);
    this.ringCount = grow(this.ringCount, n);
    this.capacity = n;
  }

  /** Pod p's containers started at `now` with `slots` slots: its accounting begins, empty. */
  podStarted(p: number, now: number, slots: number): void {
    this.ensureCapacity(p + 1);
    this.slots[p] = slots;
    this.busy[p] = 0;
    this.lastChange[p] = now;
    this.openWindow[p] = this.windowIndex(now);
    this.busyAcc[p] = 0;
    this.servedAcc[p] = 0;
    this.startedAt[p] = now;
    this.ringHead[p] = 0;
    this.ringCount[p] = 0;
  }

  /** Pod p stopped (deleted, or its node died): it has no metric any more. */
  podStopped(p: number): void {
    if (p >= this.capacity) return;
    this.slots[p] = 0;
    this.busy[p] = 0;
    this.ringCount[p] = 0;
  }

  isRunning(p: number): boolean {
    return p < this.capacity && this.slots[p] > 0;
  }

  /** `delta` more of pod p's slots are busy from `now` on (negative when slots are freed). */
  busyChange(p: number, now: number, delta: number): void {
    if (!this.isRunning(p)) return;
    this.advance(p, now);
    this.busyAcc[p] += this.busy[p] * (now - this.lastChange[p]);
    this.lastChange[p] = now;
    this.busy[p] += delta;
  }

  /** Pod p finished serving `count` attempts at `now`. */
  served(p: number, now: number, count = 1): void {
    if (!this.isRunning(p)) return;
    this.advance(p, now);
    this.servedAcc[p] += count;
  }

  /** Close every window of pod p that ended at or before `now`. */
  private advance(p: number, now: number): void {
    const k = this.windowIndex(now);
    const open = this.openWindow[p];
    if (k <= open) return;
    // The open window ends: its busy time runs to its end.
    const end = this.windowStart(open + 1);
    this.push(p, this.busyAcc[p] + this.busy[p] * (end - this.lastChange[p]), this.servedAcc[p]);
    // Whole windows in between saw a constant busy level and no completion;
    // only the last ringSize of them can matter.
    const between = Math.min(k - open - 1, this.ringSize);
    for (let i = 0; i < between; i++) this.push(p, this.busy[p] * this.resolution, 0);
    this.openWindow[p] = k;
    this.lastChange[p] = this.windowStart(k);
    this.busyAcc[p] = 0;
    this.servedAcc[p] = 0;
  }

  private push(p: number, busySlotSeconds: number, served: number): void {
    const i = p * this.ringSize + this.ringHead[p];
    this.ringBusy[i] = busySlotSeconds;
    this.ringServed[i] = served;
    this.ringHead[p] = (this.ringHead[p] + 1) % this.ringSize;
    if (this.ringCount[p] < this.ringSize) this.ringCount[p]++;
  }

  /**
   * What the metrics pipeline reports for pod p at `now`, written into `out`
   * (no allocation). Not available when the pod is not running or has not
   * been running for `windowsPerSample` whole windows.
   */
  read(p: number, now: number, out: PodMetricSample): PodMetricSample {
    out.available = false;
    if (!this.isRunning(p)) return out;
    this.advance(p, now);
    const w = this.windowsPerSample;
    const open = this.openWindow[p];
    const from = this.windowStart(open - w);
    if (this.ringCount[p] < w || this.startedAt[p] > from) return out;
    let busy = 0;
    let served = 0;
    for (let j = 0; j < w; j++) {
      const i = p * this.ringSize + ((this.ringHead[p] - 1 - j + 2 * this.ringSize) % this.ringSize);
      busy += this.ringBusy[i];
      served += this.ringServed[i];
    }
    const window = w * this.resolution;
    const slots = this.slots[p];
    out.available = true;
    out.timestamp = this.windowStart(open);
    out.window = window;
    out.cpuFraction = busy / (slots * window);
    out.cpuRequestMilli = slots * MILLI_PER_SLOT;
    out.cpuMilli = cpuMilliOf(out.cpuFraction * slots);
    out.requestsPerSecond = served / window;
    return out;
  }
}

/**
 * CPU cores in use → the millicores the HPA reads. metrics-server reports
 * whole nanocores; the HPA takes `Quantity.MilliValue()`, which rounds up.
 * The small guard absorbs floating-point noise in an exact fraction.
 */
export function cpuMilliOf(cores: number): number {
  const nano = Math.floor(cores * 1e9 + 1e-3);
  return Math.ceil(nano / 1e6);
}

/**
 * A custom metric value → milli-units as the HPA reads it. The adapters
 * (prometheus-adapter and others) build it with
 * `NewMilliQuantity(int64(value*1000))`, which truncates.
 */
export function customMilliOf(value: number): number {
  return Math.floor(value * 1000 + 1e-6);
}
