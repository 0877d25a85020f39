/**
 * The records of requests and attempts in flight: pools of typed arrays
 * (structure of arrays, one array per field, indexed by record id) with free
 * lists, grown by doubling. Ids are recycled as requests end, so memory is
 * bounded by what is in flight, not by how many requests ran, and nothing is
 * allocated per event once the pools are large enough. (Connections have
 * their own pool, dataplane/connections.ts.)
 *
 * A request is what a client wants done; an attempt is one try of it over
 * one connection (the first, then each retry).
 */
import { grown } from '../engine/typedArrays.js';

/** Where an attempt is, for the pod that holds it. */
export const enum Where {
  Free = 0,
  /** On its way to its pod. */
  Transit = 1,
  /** Waiting in its pod's queue. */
  Queued = 2,
  /** Being served (holding a slot). */
  Service = 3,
  /** Its own work done, waiting for the calls of a step (still holding its slot, calls.ts). */
  Calls = 4,
}

export class Requests {
  private cap = 0;
  private readonly free: number[] = [];
  traffic = new Int32Array(0);
  client = new Int32Array(0);
  /** When its first attempt started. */
  start = new Float64Array(0);
  /** Its time bucket when counted (first attempt inside the measured window), else -1. */
  bucket = new Int32Array(0);
  retriesLeft = new Int32Array(0);
  /** The service demand drawn when it was generated. */
  demand = new Float64Array(0);
  /** 1 when `trace` follows it. */
  traced = new Uint8Array(0);
  /** 1 from alloc to release. */
  live = new Uint8Array(0);
  /** Records ever allocated (ids are below it). */
  get capacity(): number {
    return this.cap;
  }
  /** A call (calls.ts): the caller's attempt and its generation, whether the call is required; -1 for a client's request. */
  parent = new Int32Array(0);
  parentGen = new Int32Array(0);
  required = new Uint8Array(0);
  /** The recorder scope of the edge request it was made for (its own for a client's request). */
  edge = new Int32Array(0);
  /** How its last attempt ended, kept until its caller learns it. */
  outcome = new Uint8Array(0);
  /** A call's caller pod (its origin node and client). */
  callerPod = new Int32Array(0);

  alloc(): number {
    if (this.free.length === 0) this.grow();
    const r = this.free.pop() as number;
    this.live[r] = 1;
    return r;
  }

  release(r: number): void {
    this.live[r] = 0;
    this.free.push(r);
  }

  private grow(): void {
    const cap = Math.max(64, this.cap * 2);
    this.traffic = grown(this.traffic, cap);
    this.client = grown(this.client, cap);
    this.start = grown(this.start, cap);
    this.bucket = grown(this.bucket, cap);
    this.retriesLeft = grown(this.retriesLeft, cap);
    this.demand = grown(this.demand, cap);
    this.traced = grown(this.traced, cap);
    this.live = grown(this.live, cap);
    this.parent = grown(this.parent, cap);
    this.parentGen = grown(this.parentGen, cap);
    this.required = grown(this.required, cap);
    this.edge = grown(this.edge, cap);
    this.outcome = grown(this.outcome, cap);
    this.callerPod = grown(this.callerPod, cap);
    for (let i = cap - 1; i >= this.cap; i--) this.free.push(i);
    this.cap = cap;
  }
}

export class Attempts {
  /** Records ever allocated (ids are below it). */
  cap = 0;
  private readonly free: number[] = [];
  req = new Int32Array(0);
  /** Its connection until it ends, else -1. */
  conn = new Int32Array(0);
  pod = new Int32Array(0);
  where = new Uint8Array(0);
  /** 1 once its outcome is known to the client (the pod may still hold it). */
  resolved = new Uint8Array(0);
  start = new Float64Array(0);
  /** start + the client's timeout. */
  deadline = new Float64Array(0);
  /**
   * The work it asks of its pod, fixed when it is sent (NaN before): a pod
   * serves it even after its client gave up and its request record moved on
   * to a retry or to another request, so nothing at the pod reads the request.
   */
  demand = new Float64Array(0);
  /**
   * Where its time went, in seconds, for the latency breakdown: network to
   * and from the client, through the LB, forwarding (node ↔ node ↔ pod and
   * kube-proxy), the handshake (or waiting for one), the pod's queue, service.
   */
  segClient = new Float64Array(0);
  segLb = new Float64Array(0);
  segForward = new Float64Array(0);
  segHandshake = new Float64Array(0);
  segQueue = new Float64Array(0);
  segService = new Float64Array(0);
  /** Its pod's calls to other Services: the time they started while they run, then how long they took. */
  segCalls = new Float64Array(0);
  /** 1 when its client gave up on it while a pod (or the way to one) still held it. */
  abandoned = new Uint8Array(0);
  /** 1 when its request is counted (first attempt inside the measured window). */
  counted = new Uint8Array(0);
  /** Its pending arrival or service-end event, and its timeout event, or -1. */
  event = new Int32Array(0);
  timeoutEvent = new Int32Array(0);
  /** Bumped at every alloc, so that a call ending late does not reach a recycled record. */
  gen = new Int32Array(0);
  /** Its pod's call step (calls.ts) and the calls of that step not ended yet. */
  step = new Int32Array(0);
  pending = new Int32Array(0);

  /**
   * A fresh attempt of request r starting at `now`, with its client's
   * deadline. A record comes back to the pool with `where` Free, no
   * connection and no timeout event (the simulation frees an attempt only
   * once it is resolved and no pod holds it, and cancels its timeout then),
   * and a new one starts so (grow): those three are not written again here
   * (three stores fewer a request; src/sim/simulation.ts `freeAttempt` is
   * the one place that returns a record).
   */
  alloc(r: number, now: number, deadline: number, counted: boolean): number {
    if (this.free.length === 0) this.grow();
    const a = this.free.pop() as number;
    this.req[a] = r;
    this.pod[a] = -1;
    this.resolved[a] = 0;
    this.start[a] = now;
    this.deadline[a] = deadline;
    this.demand[a] = NaN;
    this.counted[a] = counted ? 1 : 0;
    this.abandoned[a] = 0;
    this.segClient[a] = 0;
    this.segLb[a] = 0;
    this.segForward[a] = 0;
    this.segHandshake[a] = 0;
    this.segQueue[a] = 0;
    this.segService[a] = 0;
    this.segCalls[a] = 0;
    this.event[a] = -1;
    this.gen[a] = (this.gen[a] + 1) | 0;
    return a;
  }

  release(a: number): void {
    this.free.push(a);
  }

  private grow(): void {
    const cap = Math.max(64, this.cap * 2);
    this.req = grown(this.req, cap);
    this.conn = grown(this.conn, cap).fill(-1, this.cap);
    this.pod = grown(this.pod, cap);
    this.where = grown(this.where, cap);
    this.resolved = grown(this.resolved, cap);
    this.start = grown(this.start, cap);
    this.deadline = grown(this.deadline, cap);
    this.demand = grown(this.demand, cap);
    this.counted = grown(this.counted, cap);
    this.abandoned = grown(this.abandoned, cap);
    this.segClient = grown(this.segClient, cap);
    this.segLb = grown(this.segLb, cap);
    this.segForward = grown(this.segForward, cap);
    this.segHandshake = grown(this.segHandshake, cap);
    this.segQueue = grown(this.segQueue, cap);
    this.segService = grown(this.segService, cap);
    this.segCalls = grown(this.segCalls, cap);
    this.event = grown(this.event, cap);
    this.timeoutEvent = grown(this.timeoutEvent, cap).fill(-1, this.cap);
    this.gen = grown(this.gen, cap);
    this.step = grown(this.step, cap);
    this.pending = grown(this.pending, cap);
    for (let i = cap - 1; i >= this.cap; i--) this.free.push(i);
    this.cap = cap;
  }
}
