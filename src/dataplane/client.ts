/**
 * Clients: where requests enter, and what a client decides. Each traffic
 * entry generates requests by its arrival process (`poisson`, `constant`, a
 * `schedule` of steps, or a `trace` of times); each request comes from one
 * of `clients` client IPs, chosen uniformly, and carries its service demand,
 * drawn when it is generated from the entry's own stream (so common random
 * numbers pair the same work across variants whatever pod serves it).
 *
 * A client keeps at most one open connection per traffic entry and reuses it
 * for up to `requestsPerConnection` requests (keep-alive), so the backend is
 * chosen per connection, not per request; a retry always opens a new
 * connection. A failed attempt is retried after `retryBackoff` while
 * `retries` are left and the run is not over.
 */
import { createSampler, type Sampler } from '../engine/distributions.js';
import type { RandomStream } from '../engine/random.js';
import type { ResolvedArrival } from '../scenario/resolved.js';
import type { Connections } from './connections.js';
import type { Topology } from './topology.js';

/** How an attempt ends, as its client sees it. */
export const enum Outcome {
  Ok = 0,
  /** No answer before the client's timeout (or connectTimeout, or tcp_retries2). */
  Timeout = 1,
  /** A reset: ECONNREFUSED. */
  Refused = 2,
  /** HTTP 503 from a pod whose queue is full. */
  Rejected = 3,
  /** An error answer: a required call the pod made to another Service failed (calls.ts). */
  FailedDependency = 4,
}

/** Linux gives up on an established connection to a dead peer after tcp_retries2 = 15 (≥ 924.6 s, reference §4). */
export const TCP_RETRIES2_TIMEOUT = 924.6;

/** The clients of every traffic entry: who sends, how much work, keep-alive and retries. */
export class Clients {
  readonly arrivals: ArrivalProcess[];
  /** Per traffic entry: client timeout (Infinity: none), connectTimeout, retries, handshake (1/0). */
  readonly timeout: Float64Array;
  readonly connectTimeout: Float64Array;
  readonly retries: Int32Array;
  readonly handshake: Uint8Array;
  /** The first workload of each entry's Service, whose service time its demand is drawn from (-1: none). */
  private readonly primaryWorkload: Int32Array;
  private readonly clients: Int32Array;
  private readonly clientStreams: RandomStream[];
  private readonly demand: Sampler[];
  /** Per workload: service time of work other than a request's own first demand (retries, other workloads). */
  private readonly serviceTime: Sampler[];
  private readonly backoff: Sampler[];

  constructor(topo: Topology, stream: (source: string) => RandomStream) {
    const traffic = topo.traffic;
    this.arrivals = traffic.map((t) => new ArrivalProcess(t.spec.arrival, stream(`arrivals/${t.name}`)));
    this.clientStreams = traffic.map((t) => stream(`clients/${t.name}`));
    this.primaryWorkload = Int32Array.from(traffic.map((t) => topo.services[t.service].workloads[0] ?? -1));
    this.demand = traffic.map((t, i) => {
      const w = this.primaryWorkload[i];
      return createSampler(w >= 0 ? topo.workloads[w].spec.serviceTime : { dist: 'constant', value: 0 }, stream(`demand/${t.name}`));
    });
    this.backoff = traffic.map((t) => createSampler(t.spec.retryBackoff, stream(`backoff/${t.name}`)));
    this.serviceTime = topo.workloads.map((w) => createSampler(w.spec.serviceTime, stream(`service/${w.name}`)));
    this.timeout = Float64Array.from(traffic.map((t) => t.spec.timeout));
    this.connectTimeout = Float64Array.from(traffic.map((t) => t.spec.connectTimeout));
    this.clients = Int32Array.from(traffic.map((t) => t.spec.clients));
    this.retries = Int32Array.from(traffic.map((t) => t.spec.retries));
    this.handshake = Uint8Array.from(traffic.map((t) => (t.spec.handshake ? 1 : 0)));
  }

  /** The client (0..clients-1) that sends traffic entry t's next request. */
  pickClient(t: number): number {
    const clients = this.clients[t];
    return clients === 1 ? 0 : this.clientStreams[t].nextInt(clients);
  }

  /** The service demand of traffic entry t's next request (served as is by its first attempt at a pod of the primary workload). */
  drawDemand(t: number): number {
    return this.demand[t].sample();
  }

  /**
   * The service time of an attempt of traffic entry t at a pod of workload
   * w: the request's own `demand` for its first attempt at its Service's
   * primary workload; otherwise (a retry, another workload) new work.
   */
  work(t: number, first: boolean, demand: number, w: number): number {
    return first && w === this.primaryWorkload[t] ? demand : this.serviceTime[w].sample();
  }

  /** When a new connection that nothing answers fails: connectTimeout (Linux SYN retries), or the client's timeout if sooner. */
  connectFailsAt(t: number, start: number, deadline: number): number {
    return Math.min(deadline, start + this.connectTimeout[t]);
  }

  /** When the client of an attempt lost on an established connection gives up: its timeout, or tcp_retries2; not before now. */
  lostAt(start: number, deadline: number, now: number): number {
    const giveUp = Math.min(deadline, start + TCP_RETRIES2_TIMEOUT);
    return giveUp > now ? giveUp : now;
  }

  /** The connection an attempt goes over: the client's kept-alive one, or -1 for a new one (always for a retry). */
  connectionFor(conns: Connections, t: number, client: number, retry: boolean): number {
    return retry ? -1 : conns.keptAlive(t, client);
  }

  /**
   * What the client does after an attempt of traffic entry t ended at `at`
   * with `outcome`: the time of the retry, or -1 when the request ends here
   * (it succeeded, no retries are left, or it ended after `drainEnd`).
   */
  retryAt(t: number, outcome: Outcome, retriesLeft: number, at: number, drainEnd: number): number {
    if (outcome === Outcome.Ok || retriesLeft <= 0 || !(at <= drainEnd)) return -1;
    return at + this.backoff[t].sample();
  }
}

/** Generates the arrival times of one traffic entry, in order, without allocating. */
class ArrivalProcess {
  private step = 0;
  private traceIndex = 0;
  private readonly steps: { at: number; rate: number; poisson: boolean }[];
  /** 1/rate of a poisson or constant process (0 for the others): the hot path's only field. */
  private readonly meanGap: number;
  private readonly kind: 0 | 1 | 2 | 3;

  constructor(
    private readonly arrival: ResolvedArrival,
    private readonly rng: RandomStream,
  ) {
    this.kind = arrival.process === 'poisson' ? 0 : arrival.process === 'constant' ? 1 : arrival.process === 'schedule' ? 2 : 3;
    this.meanGap = (arrival.process === 'poisson' || arrival.process === 'constant') && arrival.rate > 0 ? 1 / arrival.rate : Infinity;
    this.steps =
      arrival.process === 'schedule'
        ? [...(arrival.steps ?? missingSteps(arrival.file))].sort((a, b) => a.at - b.at).map((s) => ({ at: s.at, rate: s.rate, poisson: s.process === 'poisson' }))
        : [];
  }

  /** The rate in force at time t (for trace output and checks). */
  rateAt(t: number): number {
    const a = this.arrival;
    if (a.process === 'poisson' || a.process === 'constant') return a.rate;
    if (a.process === 'trace') return NaN;
    let r = 0;
    for (const s of this.steps) if (s.at <= t) r = s.rate;
    return r;
  }

  /** The first arrival at or after time 0. */
  first(): number {
    const a = this.arrival;
    if (a.process === 'schedule') {
      // Before the first step there is no traffic.
      let i = 0;
      while (i + 1 < this.steps.length && this.steps[i + 1].at <= 0) i++;
      this.step = i;
      return this.next(Math.max(0, this.steps[i].at));
    }
    return this.next(0);
  }

  /** The arrival after one at time `from`; Infinity when there are no more. */
  next(from: number): number {
    // Poisson first, without touching the scenario object; the rest apart, so that this stays small
    // enough for V8 to inline it into the loop.
    if (this.kind === 0) return this.meanGap === Infinity ? Infinity : from - Math.log(this.rng.next()) * this.meanGap;
    if (this.kind === 1) return from + this.meanGap;
    return this.nextOfTraceOrSchedule(from);
  }

  /** `next()` of a trace or a schedule. */
  private nextOfTraceOrSchedule(from: number): number {
    const a = this.arrival;
    switch (a.process) {
      case 'poisson':
      case 'constant':
        return Infinity; // handled above
      case 'trace': {
        const times = a.times;
        return this.traceIndex < times.length ? times[this.traceIndex++] : Infinity;
      }
      case 'schedule': {
        const steps = this.steps;
        let t = from;
        for (;;) {
          const s = steps[this.step];
          const boundary = this.step + 1 < steps.length ? steps[this.step + 1].at : Infinity;
          let candidate = Infinity;
          if (t >= s.at && s.rate > 0) candidate = s.poisson ? t - Math.log(this.rng.next()) / s.rate : t + 1 / s.rate;
          else if (t < s.at) {
            t = s.at;
            continue;
          }
          // A step change restarts the process at the boundary (memoryless for Poisson).
          if (candidate < boundary) return candidate;
          if (boundary === Infinity) return Infinity;
          t = boundary;
          this.step++;
        }
      }
    }
  }
}

/** A schedule given by `file` has its steps filled by the scenario loader; reaching here without them is a bug. */
function missingSteps(file: string | undefined): never {
  throw new Error(`arrival schedule${file === undefined ? '' : ` from ${file}`} has no steps (files are read by the scenario loader)`);
}
