/**
 * Pods: where requests queue and are served. A pod has `concurrency` slots;
 * an attempt that finds every slot busy waits in a FIFO queue (a ring
 * buffer), and one that finds `queueCapacity` attempts already waiting is
 * rejected with HTTP 503. A slot is held for the attempt's service time even
 * when its client has given up (the response is then discarded).
 *
 * The pod decides (`admit`: start, queue or reject; `nextWaiting`: who takes
 * a freed slot); the event loop (sim/simulation.ts) acts on the decision.
 *
 * A pod's life: Starting (after creation or a restart, until `startupTime`
 * has passed) → Running (serves) → Crashed (its node died, or the pod
 * failed) → Running again, or Deleted (evicted from a dead node). Only a
 * Running pod answers; the others refuse (pod gone on a live node) or do
 * not answer at all (node down). Busy slot-time and running time are
 * integrated over the measured window for utilisation.
 */
import type { PodMetrics } from '../controlplane/podMetrics.js';
import { RingBuffer } from '../engine/ringBuffer.js';
import { grown, type Growable } from '../engine/typedArrays.js';
import { podIp, type WorkloadInfo } from './topology.js';

export const enum PodState {
  Starting = 0,
  Running = 1,
  Crashed = 2,
  Deleted = 3,
}

/** What a pod does with an attempt that reaches it. */
export const enum Admission {
  /** A slot is free: service starts now. */
  Start = 0,
  /** Every slot is busy: the attempt waits in the queue. */
  Queue = 1,
  /** The queue is full: HTTP 503. */
  Reject = 2,
}

export class Pods {
  count = 0;
  names: string[] = [];
  workload: Int32Array;
  node: Int32Array;
  state: Uint8Array;
  /** Bumped at every state change, so that stale scheduled events can be recognised. */
  epoch: Int32Array;
  concurrency: Int32Array;
  /** Waiting attempts beyond which the pod rejects; Infinity = unlimited. */
  queueCapacity: Float64Array;
  busy: Int32Array;
  queues: RingBuffer[] = [];
  /** Attempts of counted requests that reached the pod (served or rejected). */
  counted: Float64Array;
  /** Busy slot-seconds inside the window, and running seconds inside the window. */
  busyArea: Float64Array;
  runningTime: Float64Array;
  /** Time of the last change of `busy` / of the running state, for the integrals. */
  busySince: Float64Array;
  runningSince: Float64Array;
  ips: string[] = [];
  /** The HPA's view of busy slot-time and served attempts (autoscaling only). */
  metrics: PodMetrics | null = null;
  /** Bumped when a pod is added or changes state: the running lists are rebuilt after it. */
  private version = 0;
  private runningVersion = -1;
  private runningLists: Int32Array[] = [];

  constructor(
    private readonly workloads: readonly WorkloadInfo[],
    capacity: number,
    private readonly windowStart: number,
    private readonly windowEnd: number,
  ) {
    this.workload = new Int32Array(capacity);
    this.node = new Int32Array(capacity);
    this.state = new Uint8Array(capacity);
    this.epoch = new Int32Array(capacity);
    this.concurrency = new Int32Array(capacity);
    this.queueCapacity = new Float64Array(capacity);
    this.busy = new Int32Array(capacity);
    this.counted = new Float64Array(capacity);
    this.busyArea = new Float64Array(capacity);
    this.runningTime = new Float64Array(capacity);
    this.busySince = new Float64Array(capacity);
    this.runningSince = new Float64Array(capacity);
  }

  private grow(): void {
    const cap = this.workload.length * 2 || 8;
    const g = <T extends Growable>(a: T): T => grown(a, cap);
    this.workload = g(this.workload);
    this.node = g(this.node);
    this.state = g(this.state);
    this.epoch = g(this.epoch);
    this.concurrency = g(this.concurrency);
    this.queueCapacity = g(this.queueCapacity);
    this.busy = g(this.busy);
    this.counted = g(this.counted);
    this.busyArea = g(this.busyArea);
    this.runningTime = g(this.runningTime);
    this.busySince = g(this.busySince);
    this.runningSince = g(this.runningSince);
  }

  /**
   * Creates a pod of a workload on a node (initial, or a replacement named
   * `<workload>-<next ordinal>`); returns its index.
   */
  create(workload: number, node: number, state: PodState, now: number, name?: string): number {
    const w = this.workloads[workload];
    if (this.count === this.workload.length) this.grow();
    const p = this.count++;
    this.names.push(name ?? `${w.name}-${w.nextOrdinal++}`);
    this.ips.push(podIp(node, p));
    this.workload[p] = workload;
    this.node[p] = node;
    this.state[p] = state;
    this.concurrency[p] = w.spec.concurrency;
    this.queueCapacity[p] = w.spec.queueCapacity;
    this.busySince[p] = now;
    this.runningSince[p] = now;
    this.queues.push(new RingBuffer(16));
    this.version++;
    return p;
  }

  /** Start, queue or reject an attempt that reaches Running pod p. */
  admit(p: number): Admission {
    if (this.busy[p] < this.concurrency[p]) return Admission.Start;
    return this.queues[p].length < this.queueCapacity[p] ? Admission.Queue : Admission.Reject;
  }

  /** The waiting attempt that takes a free slot of pod p now, or -1 (none waiting, or no slot free). */
  nextWaiting(p: number): number {
    return this.queues[p].length > 0 && this.busy[p] < this.concurrency[p] ? this.queues[p].shift() : -1;
  }

  /** Running pods of a workload (cached until a pod is added or changes state). */
  running(workload: number): Int32Array {
    if (this.runningVersion !== this.version) {
      const lists: number[][] = this.workloads.map(() => []);
      for (let p = 0; p < this.count; p++) if (this.state[p] === PodState.Running) lists[this.workload[p]].push(p);
      this.runningLists = lists.map((l) => Int32Array.from(l));
      this.runningVersion = this.version;
    }
    return this.runningLists[workload];
  }

  /** Overlap of [a, b) with the measured window. */
  private inWindow(a: number, b: number): number {
    // Each bound read once: a branch first taken when the window ends would otherwise find no type feedback and deoptimise the hot callers.
    const start = this.windowStart;
    const end = this.windowEnd;
    const lo = a > start ? a : start;
    const hi = b < end ? b : end;
    return hi > lo ? hi - lo : 0;
  }

  /** Changes the number of busy slots by `delta` at time `now`, integrating the busy area first. */
  changeBusy(p: number, delta: number, now: number): void {
    this.metrics?.busyChange(p, now, delta);
    const busy = this.busy[p];
    if (busy > 0) this.busyArea[p] += busy * this.inWindow(this.busySince[p], now);
    this.busySince[p] = now;
    this.busy[p] = busy + delta;
  }

  setState(p: number, state: PodState, now: number): void {
    this.version++;
    const was = this.state[p];
    if (was === state) return;
    if (was === PodState.Running) this.runningTime[p] += this.inWindow(this.runningSince[p], now);
    if (state === PodState.Running) this.runningSince[p] = now;
    if (state !== PodState.Running && this.busy[p] > 0) this.changeBusy(p, -this.busy[p], now);
    this.state[p] = state;
    this.epoch[p]++;
  }

  /** Closes the integrals at the end of the run. */
  finish(now: number): void {
    for (let p = 0; p < this.count; p++) {
      if (this.busy[p] > 0) this.changeBusy(p, 0, now);
      if (this.state[p] === PodState.Running) {
        this.runningTime[p] += this.inWindow(this.runningSince[p], now);
        this.runningSince[p] = now;
      }
    }
  }
}
