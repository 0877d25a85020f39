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
 * run converges slowly.
 *
 * The rates reaching a workload are its traffic entries' and the calls of
 * the workloads that call it (a caller receiving r requests/s makes r ×
 * count × probability calls/s of each call). The work counted is the
 * workload's own `serviceTime`; a caller also holds its slot while it waits
 * for its calls, which depends on queueing downstream: a lower bound there.
 *
 * Retries: how many attempts a request makes is not known up front (it
 * depends on how many fail), but which failed attempts cost work is. A pod
 * serves an attempt to the end even after its client gave up, so with a
 * `timeout` every retry of a timed-out attempt is new work on top of the
 * first; so is the retry of an attempt that failed because one of its
 * required calls failed (the caller did its own work first). An attempt
 * that is refused, rejected by a full queue, or never connects was never
 * served, and its retry adds no work beyond the one attempt that is served.
 * So the worst case, when every attempt of an entry that can cost twice
 * fails, is (1 + retries) × its rate, and `worstLoad` says so next to
 * `load`: a load of 0.85 that becomes 2.55 with 2 retries is a retry storm
 * waiting for a slow moment (the overload feeds itself once attempts start
 * timing out).
 *
 * A workload with `autoscaling` is judged at its HPA's `maxReplicas`: the
 * HPA can grow it that far, so only a load ≥ 1 there has no steady state
 * (the cluster's room for the pods is not checked). Its starting replicas'
 * load is given alongside when it is high: that is how hard the first
 * minutes are, until the HPA has scaled up.
 *
 * kube-proxy spreads a Service's connections over its ready endpoints
 * uniformly, so a Service selecting several workloads sends each the share
 * of its pods. The rate is evaluated at time 0 and after each scheduled
 * change of an arrival rate. `arrivalFlowsAt` is the one place that says
 * which rate reaches which workload. Pure: from a resolved scenario to
 * numbers.
 */
import { labelsOf, selectorMatches } from './labels.js';
import { callSites } from './calls.js';
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
  /** replicas × concurrency (maxReplicas × concurrency for a workload with an HPA). */
  slots: number;
  /** With `autoscaling`: the HPA's maxReplicas, at which `slots` and the loads are counted. */
  maxReplicas?: number;
  /** With `autoscaling`: the load with the workload's starting replicas (before the HPA scales). */
  startLoad?: number;
  /** The workload's starting replicas. */
  replicas: number;
  /** Requests one pod serves at once. */
  concurrency: number;
  /** rate × meanWork / slots (Infinity with no slot and some traffic). */
  load: number;
  /** Requests per second if every attempt that costs work again when it fails (a timeout, a failed required call) is retried `retries` times: the worst case. */
  worstRate: number;
  /** worstRate × meanWork / slots. */
  worstLoad: number;
  /** The most retries of any entry or call that makes worstRate exceed rate (0 when none does). */
  retries: number;
  /** What makes a failed attempt cost work again: client timeouts, failed required calls, or both. */
  retriedWhen?: string;
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

/** Each workload (by index) a Service sends to, with its share: its pods over the Service's pods. */
function shares(s: Scenario, serviceName: string): { i: number; share: number }[] {
  const service = s.services.find((x) => x.metadata.name === serviceName);
  if (!service) return [];
  const selected = s.workloads.map((w, i) => ({ w, i })).filter(({ w }) => selectorMatches(service.spec.selector ?? {}, labelsOf(w)));
  const pods = selected.reduce((n, { w }) => n + w.replicas, 0);
  return selected.map(({ w, i }) => ({ i, share: pods > 0 ? w.replicas / pods : w.replicas === 0 && selected.length === 1 ? 1 : 0 }));
}

/** Whether a workload has a required call: an attempt it served can still fail (failed_dependency) and be retried. */
const failsAfterWork = (w: Scenario['workloads'][number]): boolean => callSites(w).some((c) => c.call.required);

/** Requests per second reaching each workload at time t, and in the worst case of retries (see the file comment). */
export interface ArrivalFlows {
  rate: number[];
  worst: number[];
  /** Per workload: the most retries among what makes its worst rate exceed its rate. */
  retries: number[];
  /** Per workload: what makes those retries cost work ('timeout', 'failed call'). */
  why: Set<string>[];
}

/**
 * Requests per second reaching each workload (by index) at time t: each
 * traffic entry's rate, split over the workloads its Service selects by
 * their replicas, then the calls of each workload in the same way (the call
 * graph has no loop: the rules checked it). The worst case multiplies an
 * entry or call by 1 + retries where its failed attempts may have been
 * served (a client timeout, or a target with required calls).
 */
export function arrivalFlowsAt(s: Scenario, t: number): ArrivalFlows {
  const n = s.workloads.length;
  const flows: ArrivalFlows = { rate: new Array<number>(n).fill(0), worst: new Array<number>(n).fill(0), retries: new Array<number>(n).fill(0), why: Array.from({ length: n }, () => new Set<string>()) };
  const send = (serviceName: string, rate: number, worst: number, client: { timeout?: number; retries: number }) => {
    for (const { i, share } of shares(s, serviceName)) {
      const why = [client.timeout !== undefined ? 'timeout' : '', failsAfterWork(s.workloads[i]) ? 'failed call' : ''].filter((x) => x !== '');
      const again = client.retries > 0 && why.length > 0;
      flows.rate[i] += rate * share;
      flows.worst[i] += worst * share * (again ? 1 + client.retries : 1);
      if (again) {
        flows.retries[i] = Math.max(flows.retries[i], client.retries);
        for (const x of why) flows.why[i].add(x);
      }
    }
  };
  for (const traffic of s.traffic) {
    const rate = arrivalRate(traffic.arrival, t);
    send(traffic.to.service, rate, rate, traffic);
  }
  // Calls, callers before callees: a workload's rates are complete once every workload calling it has sent.
  const callers = s.workloads.map(() => new Set<number>());
  s.workloads.forEach((w, c) => {
    for (const site of callSites(w)) for (const { i } of shares(s, site.call.service)) callers[i].add(c);
  });
  const done = new Array<boolean>(n).fill(false);
  for (let round = 0; round < n; round++) {
    for (let c = 0; c < n; c++) {
      if (done[c] || [...callers[c]].some((x) => !done[x])) continue;
      done[c] = true;
      const w = s.workloads[c];
      for (const { call } of callSites(w)) {
        const per = call.count * call.probability;
        send(call.service, flows.rate[c] * per, flows.worst[c] * per, w.client);
      }
    }
  }
  return flows;
}

/** Requests per second reaching each workload (by index) at time t, calls included, retries not (see arrivalFlowsAt). */
export function arrivalRatesAt(s: Scenario, t: number): number[] {
  return arrivalFlowsAt(s, t).rate;
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
  const perTime = times.map((t) => arrivalFlowsAt(s, t));
  s.workloads.forEach((w, i) => {
    const meanWork = distributionMean(w.serviceTime);
    const maxReplicas = w.autoscaling?.maxReplicas;
    const slots = (maxReplicas ?? w.replicas) * w.concurrency;
    const startSlots = w.replicas * w.concurrency;
    let best: OfferedLoad | undefined;
    const loadOf = (rate: number) => (rate === 0 ? 0 : slots > 0 ? (rate * meanWork) / slots : Infinity);
    times.forEach((at, k) => {
      const f = perTime[k];
      const [rate, worstRate] = [f.rate[i], f.worst[i]];
      const load = loadOf(rate);
      const worstLoad = loadOf(worstRate);
      // 'timeout' before 'failed call' (plain order: a first localeCompare loaded ICU's collation, ≈ 8 ms of a command).
      const retried = worstRate > rate ? { retries: f.retries[i], retriedWhen: [...f.why[i]].sort().reverse().map((x) => (x === 'timeout' ? 'attempts time out' : 'their required calls fail')).join(' or ') } : { retries: 0 };
      const autoscaled = maxReplicas === undefined ? {} : { maxReplicas, startLoad: rate === 0 ? 0 : startSlots > 0 ? (rate * meanWork) / startSlots : Infinity };
      if (best === undefined || load > best.load || (load === best.load && worstLoad > best.worstLoad))
        best = { workload: w.name, index: i, at, rate, meanWork, slots, replicas: w.replicas, concurrency: w.concurrency, load, worstRate, worstLoad, ...retried, ...autoscaled };
    });
    if (best) out.push(best);
  });
  return out;
}

/**
 * What to say about a workload's offered load, or undefined when there is
 * nothing to fear: below HIGH_LOAD, and below 1 even if every retry that
 * costs work happens. The worst case with retries is given next to the load.
 */
export function loadMessage(l: OfferedLoad): string | undefined {
  const retried = l.worstLoad > l.load;
  if (!(l.load >= HIGH_LOAD) && !(retried && l.worstLoad >= 1)) return undefined;
  const when = l.at > 0 ? ` from t=${l.at} s` : '';
  // The figures, then when, then the starting replicas' load of an autoscaled workload.
  const worst = retried ? ` (up to ${fmt(l.worstLoad)} with ${l.retries} ${l.retries === 1 ? 'retry' : 'retries'} if ${l.retriedWhen})` : '';
  const slots = l.maxReplicas === undefined ? `${l.slots} slots = replicas × concurrency` : `${l.slots} slots at maxReplicas ${l.maxReplicas} × concurrency ${l.concurrency}`;
  const start = l.startLoad !== undefined && l.startLoad >= HIGH_LOAD ? `; it starts at ${l.replicas} pods: offered load ${fmt(l.startLoad)} until the HPA scales up` : '';
  const numbers = `${fmt(l.rate)} req/s × ${fmt(l.meanWork * 1000)} ms mean service time / (${slots}) = ${fmt(l.load)}${worst}${when}${start}`;
  const more = l.maxReplicas === undefined ? 'add replicas or concurrency' : 'raise maxReplicas or concurrency';
  if (l.load >= 1)
    return `overloaded: no steady state: workload ${l.workload} is offered load ${numbers}; its queues grow for as long as the run lasts, so means and percentiles depend on the run's length (${more}, or lower the rate)`;
  if (l.load >= HIGH_LOAD)
    return `workload ${l.workload} is offered load ${numbers}: close to 1, queues are long and slow to settle (results converge slowly; consider a longer warmup and duration)`;
  return `workload ${l.workload} is offered load ${numbers}: retries can overload it: pods still serve the attempts that failed, and the retries come on top, so a slow moment can feed itself (a retry storm); fewer retries or more capacity keep the worst case below 1`;
}

const fmt = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : String(x));
