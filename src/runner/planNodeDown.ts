/**
 * `svcsim plan --node-down steady|transient`: the two questions "with one
 * node down" asks, turned into the scenario each candidate runs.
 *
 * A node crash is a transient: until the control plane notices, kube-proxies
 * keep sending new connections to the dead node's pods (they time out), and
 * the LB keeps choosing the dead node. Then the survivors carry the load —
 * that part is a steady state, and a capacity plan (N − 1) asks about it.
 * So there are two questions, and an answer is for one of them:
 *
 * - **steady**: the node is down from t = 0 and the window starts once every
 *   component has converged, plus the scenario's own warm-up for the queues
 *   to settle at the new load. Its pods are not replaced during the run:
 *   Kubernetes recreates them `podEvictionTimeout` after the NotReady mark
 *   (5 min by default), and the question is whether the rest carry the load
 *   until then (or for good, when the cluster has no room), so the timeout is
 *   raised past the end of the run when it would fall inside it.
 * - **transient**: the node crashes at `crashAt` (default: the end of the
 *   warm-up, so the crash meets a settled system) and the SLOs are judged
 *   over the window from the crash to the control plane's convergence: every
 *   request that meets the detection delay, and no calm time after it to
 *   dilute them (requests arriving in it are followed to their end, up to
 *   `drainLimit`). This is the worst window after a crash that still
 *   contains the whole detection.
 *
 * When is the control plane converged after a crash at t0 (reference §4)?
 * - kube-proxies: the node's last heartbeat came at or before t0, so the node
 *   lifecycle controller marks it NotReady at its first check at or after
 *   heartbeat + `nodeMonitorGracePeriod`: by t0 + grace + `nodeMonitorPeriod`.
 *   Each kube-proxy learns after its `endpointPropagation` draw (its maximum
 *   when it has one: constant, uniform, empirical, histogram; else its
 *   99.9th percentile) and applies it at its next sync, at most
 *   `proxyMinSyncPeriod` later.
 * - each cloud LB: its first probe after t0 comes within one `interval`; the
 *   target is marked down at the `unhealthyThreshold`-th failed probe, which
 *   fails `timeout` after it is sent: by t0 + threshold × interval + timeout.
 * The convergence time is the largest of these bounds.
 *
 * Which node: `--node NAME`, else the busiest one — the node running the most
 * pods (all workloads, as placed in the candidate's scenario), ties to the
 * first in `cluster.nodes` order. It is chosen again for each candidate
 * value, because placement depends on it (5 replicas spread on 3 nodes put 2
 * on the first two).
 *
 * The scenario's own `failures:` are replaced by this one crash, so the
 * answer is for exactly one node down. Arrival schedules and traces keep
 * their times (from t = 0), so the steady window, which starts later than
 * the scenario's, sees them later in its course. Everything is done with `--set`
 * overrides, so the manifest's resolved scenario shows what ran.
 */
import { createSampler, type Distribution } from '../engine/distributions.js';
import { streamFromSeed } from '../engine/random.js';
import type { Scenario } from '../scenario/schema.js';

export const NODE_DOWN_QUESTIONS = ['steady', 'transient'] as const;
export type NodeDownQuestion = (typeof NODE_DOWN_QUESTIONS)[number];

/** One term of the convergence bound. */
export interface ConvergencePart {
  what: string;
  seconds: number;
}

export interface Convergence {
  /** Upper bound on the time from a node crash until every kube-proxy and LB has stopped sending to it. */
  seconds: number;
  /** The kube-proxy path, term by term. */
  kubeProxy: ConvergencePart[];
  /** Each LB's health-check bound (empty without LoadBalancer Services). */
  loadBalancers: { service: string; seconds: number; text: string }[];
  /** The bound in words, e.g. "57 s = nodeMonitorGracePeriod 50 s + …". */
  text: string;
}

/** Draws used to estimate a quantile of an unbounded distribution (fixed stream: the same answer every time). */
const QUANTILE_DRAWS = 100_000;
/** The quantile of an unbounded endpointPropagation that counts as "every kube-proxy has learned". */
export const PROPAGATION_QUANTILE = 0.999;

/**
 * An upper bound of what the engine draws from `d`: its maximum when it has
 * one, else its p-quantile estimated from the engine's own sampler on a
 * fixed stream (so the truncated normal and the rest are exactly what runs).
 */
export function distributionBound(d: Distribution, p = PROPAGATION_QUANTILE): { seconds: number; how: 'maximum' | 'quantile' } {
  switch (d.dist) {
    case 'constant':
      return { seconds: d.value, how: 'maximum' };
    case 'uniform':
      return { seconds: d.max, how: 'maximum' };
    case 'empirical':
      return { seconds: Math.max(...(d.values ?? [0])), how: 'maximum' };
    case 'histogram': {
      const buckets = d.buckets ?? [];
      const finite = buckets.filter((b) => b.le !== Infinity).map((b) => b.le);
      const last = Math.max(0, ...finite);
      return { seconds: buckets.some((b) => b.le === Infinity) ? Math.max(last, d.max ?? last) : last, how: 'maximum' };
    }
    default: {
      const sampler = createSampler(d, streamFromSeed(1, 'plan/propagation-bound'));
      const draws = new Float64Array(QUANTILE_DRAWS);
      for (let i = 0; i < draws.length; i++) draws[i] = sampler.sample();
      draws.sort();
      return { seconds: draws[Math.min(draws.length - 1, Math.ceil(p * draws.length) - 1)], how: 'quantile' };
    }
  }
}

const secs = (x: number): string => `${Number(x.toPrecision(4))} s`;
export const podCount = (n: number): string => `${n} pod${n === 1 ? '' : 's'}`;

/** The time from a node crash until the control plane has converged, from the resolved control-plane and LB settings. */
export function convergence(s: Scenario): Convergence {
  const cp = s.cluster.controlPlane;
  const propagation = distributionBound(cp.endpointPropagation);
  const kubeProxy: ConvergencePart[] = [
    { what: 'nodeMonitorGracePeriod', seconds: cp.nodeMonitorGracePeriod },
    { what: 'nodeMonitorPeriod', seconds: cp.nodeMonitorPeriod },
    { what: `endpointPropagation (${propagation.how === 'maximum' ? 'its maximum' : `its ${PROPAGATION_QUANTILE * 100}th percentile`})`, seconds: propagation.seconds },
    { what: 'proxyMinSyncPeriod', seconds: cp.proxyMinSyncPeriod },
  ];
  const kubeProxySeconds = kubeProxy.reduce((sum, p) => sum + p.seconds, 0);
  const loadBalancers = (s.loadBalancers ?? []).map((lb) => {
    const hc = lb.healthCheck!;
    const seconds = hc.unhealthyThreshold! * hc.interval! + hc.timeout!;
    return { service: lb.service, seconds, text: `the LB of ${lb.service}: unhealthyThreshold ${hc.unhealthyThreshold} × interval ${secs(hc.interval!)} + timeout ${secs(hc.timeout!)} = ${secs(seconds)}` };
  });
  const seconds = Math.max(kubeProxySeconds, ...loadBalancers.map((l) => l.seconds));
  const kubeProxyText = `kube-proxies: ${kubeProxy.map((p) => `${p.what} ${secs(p.seconds)}`).join(' + ')} = ${secs(kubeProxySeconds)}`;
  const text = `${secs(seconds)}, the latest of ${[kubeProxyText, ...loadBalancers.map((l) => l.text)].join('; ')}`;
  return { seconds, kubeProxy, loadBalancers, text };
}

/** Pods per node in the resolved scenario (every workload's placement map), in `cluster.nodes` order. */
export function podsPerNode(s: Scenario): { node: string; pods: number }[] {
  const count = new Map(s.cluster.nodes.map((n) => [n.name, 0]));
  for (const w of s.workloads) {
    if (typeof w.placement !== 'object') continue;
    for (const [node, k] of Object.entries(w.placement)) count.set(node, (count.get(node) ?? 0) + k);
  }
  return [...count].map(([node, pods]) => ({ node, pods }));
}

/** The node running the most pods; ties go to the first in `cluster.nodes` order. */
export function busiestNode(s: Scenario): { node: string; pods: number } {
  let best = { node: s.cluster.nodes[0]?.name ?? '', pods: -1 };
  for (const x of podsPerNode(s)) if (x.pods > best.pods) best = x;
  return best;
}

/** What one candidate runs for a node-down question, and how it was derived. */
export interface NodeDownSetup {
  question: NodeDownQuestion;
  node: string;
  /** Pods on the node before it crashed. */
  pods: number;
  /** How the node was chosen. */
  chosen: 'named' | 'busiest';
  /** The crash time, from the start of the warm-up. */
  crashAt: number;
  /** The measured window [start, end), from the start of the warm-up. */
  window: [number, number];
  /** The scenario's own warm-up (steady: the window starts this long after convergence). */
  warmup: number;
  convergence: Convergence;
  /** steady: podEvictionTimeout raised from → to, when it would have replaced the pods inside the run. */
  evictionRaised?: [number, number];
  /** The scenario's own failures this crash replaces (how many). */
  replacedFailures: number;
  /** The `--set` overrides that make the candidate's scenario. */
  sets: string[];
}

/**
 * The overrides that turn a resolved candidate scenario into the one that
 * answers `question`, or a message saying why it cannot (unknown node).
 */
export function nodeDownSetup(s: Scenario, question: NodeDownQuestion, opts: { node?: string; crashAt?: number } = {}): NodeDownSetup | string {
  const perNode = podsPerNode(s);
  let node: { node: string; pods: number };
  if (opts.node !== undefined) {
    const named = perNode.find((x) => x.node === opts.node);
    if (!named) return `--node ${opts.node}: no node of that name (have: ${perNode.map((x) => x.node).join(', ')})`;
    node = named;
  } else node = busiestNode(s);
  const conv = convergence(s);
  const sim = s.simulation;
  const replacedFailures = s.failures.length;
  const sets: string[] = [];
  let crashAt: number;
  let window: [number, number];
  let evictionRaised: [number, number] | undefined;
  if (question === 'steady') {
    crashAt = 0;
    const warmup = conv.seconds + sim.warmup;
    window = [warmup, warmup + sim.duration];
    const end = window[1] + sim.drainLimit;
    const eviction = s.cluster.controlPlane.podEvictionTimeout;
    // Replacement pods come at NotReady + podEvictionTimeout ≥ podEvictionTimeout (the crash is at 0): keep them out of the run.
    if (eviction < end) {
      evictionRaised = [eviction, Math.ceil(end)];
      sets.push(`cluster.controlPlane.podEvictionTimeout=${Math.ceil(end)}`);
    }
    sets.push(`simulation.warmup=${warmup}`);
  } else {
    crashAt = opts.crashAt ?? sim.warmup;
    window = [crashAt, crashAt + conv.seconds];
    sets.push(`simulation.warmup=${crashAt}`, `simulation.duration=${conv.seconds}`);
  }
  sets.push(`failures=${JSON.stringify([{ at: crashAt, node: node.node }])}`);
  return { question, node: node.node, pods: node.pods, chosen: opts.node === undefined ? 'busiest' : 'named', crashAt, window, warmup: sim.warmup, convergence: conv, ...(evictionRaised ? { evictionRaised } : {}), replacedFailures, sets };
}

/** The question in one sentence, as the terminal, the manifest and the report say it. */
export function describeNodeDown(x: NodeDownSetup): string {
  const which = `node ${x.node} (${x.chosen === 'busiest' ? 'the busiest: ' : ''}${podCount(x.pods)})`;
  const replaced = x.replacedFailures > 0 ? `; it replaces the scenario's ${x.replacedFailures} failure${x.replacedFailures > 1 ? 's' : ''}` : '';
  if (x.question === 'steady') {
    const eviction = x.evictionRaised ? `; its pods are not replaced during the run (podEvictionTimeout raised from ${secs(x.evictionRaised[0])} to ${secs(x.evictionRaised[1])})` : `; its pods are not replaced before the run ends`;
    return (
      `steady state with one node down: ${which} is down from t = 0, and the window [${secs(x.window[0])}, ${secs(x.window[1])}) starts once the control plane has converged ` +
      `(${x.convergence.text}) plus the scenario's warm-up of ${secs(x.warmup)}${eviction}${replaced}`
    );
  }
  return (
    `transient after a node crash: ${which} crashes at t = ${secs(x.crashAt)}, and the SLOs are judged over the window [${secs(x.window[0])}, ${secs(x.window[1])}) ` +
    `from the crash until the control plane has converged (${x.convergence.text})${replaced}`
  );
}
