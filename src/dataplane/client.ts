/**
 * Clients: where requests enter. Each traffic entry generates requests by
 * its arrival process (`poisson`, `constant`, a `schedule` of steps, or a
 * `trace` of times); each request comes from one of `clients` client IPs,
 * chosen uniformly. A client keeps at most one open connection per traffic
 * entry and reuses it for up to `requestsPerConnection` requests
 * (keep-alive), so the backend is chosen per connection, not per request.
 */
import type { RandomStream } from '../engine/random.js';
import type { Arrival } from '../scenario/schema.js';

/** Generates the arrival times of one traffic entry, in order, without allocating. */
export class ArrivalProcess {
  private step = 0;
  private traceIndex = 0;
  private readonly steps: { at: number; rate: number; poisson: boolean }[];
  /** 1/rate of a poisson or constant process (0 for the others): the hot path's only field. */
  private readonly meanGap: number;
  private readonly kind: 0 | 1 | 2 | 3;

  constructor(
    private readonly arrival: Arrival,
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
    // Poisson first, without touching the scenario object.
    if (this.kind === 0) return this.meanGap === Infinity ? Infinity : from - Math.log(this.rng.next()) * this.meanGap;
    if (this.kind === 1) return from + this.meanGap;
    const a = this.arrival;
    switch (a.process) {
      case 'poisson':
      case 'constant':
        return Infinity; // handled above
      case 'trace': {
        const times = a.times ?? [];
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
