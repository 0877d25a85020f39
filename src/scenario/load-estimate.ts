/**
 * Offered load: how busy each workload's pods must be on average to serve
 * the traffic that reaches them, before any queueing. For a workload w,
 *
 *   load(w, t) = Σ arrival rates reaching w at time t × E[service time of w]
 *                ────────────────────────────────────────────────────────────
 *                                replicas(w) × concurrency(w)
 *
 * At load ≥ 1 no steady state exists: queues (or, with client timeouts, the
 * attempts pods still hold after their clients gave up) grow for as long as
 * the run lasts, and every "mean" depends on the run's length. Near 1 the
 * run converges slowly. Retries are not counted (a lower bound).
 *
 * kube-proxy spreads a Service's connections over its ready endpoints
 * uniformly, so a Service selecting several workloads sends each the share
 * of its pods. The rate is evaluated at time 0 and after each scheduled
 * change of an arrival rate. `arrivalRatesAt` is the one place that says
 * which rate reaches which workload (call graphs add their calls there).
 * Pure: from a resolved scenario to numbers.
 */
import { labelsOf, selectorMatches } from './labels.js';
import { distributionMean } from './moments.js';
import type { Scenario } from './schema.js';

export interface OfferedLoad {
  workload: string;
  /** Index of the workload in scenario.workloads. */
  index: number;
  /** Time (s) at which the rate was evaluated. */
  at: number;
  /** Requests per second reaching the workload. */
  rate: number;
  /** Mean service time (s). */
  meanWork: number;
  /** replicas × concurrency. */
  slots: number;
  /** rate × meanWork / slots (Infinity with no slot and some traffic). */
  load: number;
}

/** Load from which a warning says the run converges slowly. */
export const HIGH_LOAD = 0.9;

/** The rate of a traffic entry's arrival process in force at time t (a trace: its mean rate). */
export function arrivalRate(arrival: Scenario['traffic'][number]['arrival'], t: number): number {
  switch (arrival.process) {
    case 'poisson':
    case 'constant':
      return arrival.rate;
    case 'schedule': {
      let rate = 0;
      for (const s of [...(arrival.steps ?? [])].sort((a, b) => a.at - b.at)) if (s.at <= t) rate = s.rate;
      return rate;
    }
    case 'trace': {
      const times = arrival.times ?? [];
      if (times.length < 2) return 0;
      const span = Math.max(...times) - Math.min(...times);
      return span > 0 ? times.length / span : 0;
    }
  }
}

/**
 * Requests per second reaching each workload (by index) at time t: each
 * traffic entry's rate, split over the workloads its Service selects by
 * their replicas. Call graphs extend this with the calls of each workload.
 */
export function arrivalRatesAt(s: Scenario, t: number): number[] {
  const rates = new Array<number>(s.workloads.length).fill(0);
  for (const traffic of s.traffic) {
    const service = s.services.find((x) => x.metadata.name === traffic.to.service);
    if (!service) continue;
    const selected = s.workloads.map((w, i) => ({ w, i })).filter(({ w }) => selectorMatches(service.spec.selector ?? {}, labelsOf(w)));
    const pods = selected.reduce((n, { w }) => n + w.replicas, 0);
    const rate = arrivalRate(traffic.arrival, t);
    for (const { w, i } of selected) rates[i] += pods > 0 ? (rate * w.replicas) / pods : w.replicas === 0 && selected.length === 1 ? rate : 0;
  }
  return rates;
}

/** The instants at which arrival rates change: 0 and every schedule step. */
export function changeTimes(s: Scenario): number[] {
  const times = new Set<number>([0]);
  for (const t of s.traffic) if (t.arrival.process === 'schedule') for (const step of t.arrival.steps ?? []) if (step.at > 0) times.add(step.at);
  return [...times].sort((a, b) => a - b);
}

/** Each workload's highest offered load over the change times (the first instant where it peaks). */
export function offeredLoads(s: Scenario): OfferedLoad[] {
  const out: OfferedLoad[] = [];
  const times = changeTimes(s);
  const perTime = times.map((t) => arrivalRatesAt(s, t));
  s.workloads.forEach((w, i) => {
    const meanWork = distributionMean(w.serviceTime);
    const slots = w.replicas * w.concurrency;
    let best: OfferedLoad | undefined;
    times.forEach((at, k) => {
      const rate = perTime[k][i];
      const load = rate === 0 ? 0 : slots > 0 ? (rate * meanWork) / slots : Infinity;
      if (best === undefined || load > best.load) best = { workload: w.name, index: i, at, rate, meanWork, slots, load };
    });
    if (best) out.push(best);
  });
  return out;
}

/** What to say about a workload's offered load, or undefined below HIGH_LOAD. */
export function loadMessage(l: OfferedLoad): string | undefined {
  if (!(l.load >= HIGH_LOAD)) return undefined;
  const when = l.at > 0 ? ` from t=${l.at} s` : '';
  const numbers = `${fmt(l.rate)} req/s × ${fmt(l.meanWork * 1000)} ms mean service time / (${l.slots} slots = replicas × concurrency) = ${fmt(l.load)}`;
  return l.load >= 1
    ? `overloaded: no steady state: workload ${l.workload} is offered load ${numbers}${when}; its queues grow for as long as the run lasts, so means and percentiles depend on the run's length (add replicas or concurrency, or lower the rate)`
    : `workload ${l.workload} is offered load ${numbers}${when}: close to 1, queues are long and slow to settle (results converge slowly; consider a longer warmup and duration)`;
}

const fmt = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : String(x));
