/**
 * A small deterministic world for the HPA controller: a constant (piecewise
 * constant) load shared equally by the ready pods of one workload, pods that
 * become ready `startupTime` after the HPA creates them, metrics measured by
 * the real PodMetrics windows, and HPA syncs every 15 s. No simulation
 * engine: the controller sees exactly the metric values such a load
 * produces, so its decisions can be checked against hand-computed numbers.
 */
import { HorizontalPodAutoscaler, type HpaDecision, type HpaPod, type ResolvedHpaSpec } from '../../src/controlplane/hpa.js';
import { emptySample, MILLI_PER_SLOT, PodMetrics } from '../../src/controlplane/podMetrics.js';

export interface LoadRun {
  spec: ResolvedHpaSpec;
  /** Replicas before the first sync; these pods have been ready for a long time. */
  replicas: number;
  /** `cpu`: the load is busy slots in total (capped at each pod's slots); `rps`: requests per second in total. */
  kind: 'cpu' | 'rps';
  /** Piecewise constant load: [from time, load] in increasing time; the first applies from long before. */
  load: readonly (readonly [number, number])[];
  /** Time of the last sync. */
  until: number;
  startupTime?: number;
  slots?: number;
  /** metrics-server resolution and the phase of its scrape grid. */
  resolution?: number;
  gridPhase?: number;
  /** HPA syncs at syncPhase + k·15, k ≥ 0. */
  syncPhase?: number;
}

interface Pod {
  id: number;
  createdAt: number;
  readyAt: number;
  level: number;
}

export interface LoadRunResult {
  decisions: HpaDecision[];
  /** Replicas after each sync. */
  replicas: number[];
  times: number[];
}

const LONG_AGO = -1000;

export function runConstantLoad(run: LoadRun): LoadRunResult {
  const startup = run.startupTime ?? 5;
  const slots = run.slots ?? 1;
  const resolution = run.resolution ?? 15;
  const gridPhase = run.gridPhase ?? 0;
  const metrics = new PodMetrics(resolution, gridPhase);
  const hpa = new HorizontalPodAutoscaler(run.spec);
  let nextId = 0;
  const pods: Pod[] = [];
  const addPod = (t: number, readyAt: number): void => {
    const pod = { id: nextId++, createdAt: t, readyAt, level: 0 };
    pods.push(pod);
    metrics.podStarted(pod.id, t, slots);
  };
  for (let i = 0; i < run.replicas; i++) addPod(LONG_AGO, LONG_AGO + startup);

  const loadAt = (t: number): number => {
    let value = run.load[0][1];
    for (const [from, v] of run.load) if (from <= t) value = v;
    return value;
  };
  let last = LONG_AGO;
  // Bring every pod's accounting to time t, then share the load at t anew.
  const rebalance = (t: number): void => {
    if (run.kind === 'rps') {
      for (const pod of pods) if (pod.level > 0) serve(metrics, pod.id, last, t, pod.level, resolution, gridPhase);
    }
    last = t;
    const ready = pods.filter((p) => p.readyAt <= t);
    const share = ready.length > 0 ? loadAt(t) / ready.length : 0;
    for (const pod of pods) {
      const level = pod.readyAt <= t ? (run.kind === 'cpu' ? Math.min(slots, share) : share) : 0;
      if (run.kind === 'cpu') metrics.busyChange(pod.id, t, level - pod.level);
      pod.level = level;
    }
  };

  const result: LoadRunResult = { decisions: [], replicas: [], times: [] };
  const syncPhase = run.syncPhase ?? 0;
  let replicas = run.replicas;
  rebalance(LONG_AGO);
  for (let k = 0; syncPhase + 15 * k <= run.until; k++) {
    const t = syncPhase + 15 * k;
    // Readiness and load changes between the previous sync and this one, in order.
    const changes = [...pods.map((p) => p.readyAt), ...run.load.map(([from]) => from)]
      .filter((x) => x > last && x <= t)
      .sort((a, b) => a - b);
    for (const c of changes) rebalance(c);
    rebalance(t);
    const views: HpaPod[] = pods.map((p) => ({
      name: `pod-${p.id}`,
      phase: 'Running',
      deleting: false,
      startTime: p.createdAt,
      ready: p.readyAt <= t,
      readyTransitionTime: p.readyAt <= t ? p.readyAt : p.createdAt,
      cpuRequestMilli: slots * MILLI_PER_SLOT,
      sample: metrics.read(p.id, t, emptySample()),
    }));
    const d = hpa.sync(t, replicas, views);
    result.decisions.push(d);
    if (d.desiredReplicas > replicas) {
      for (let i = replicas; i < d.desiredReplicas; i++) addPod(t, t + startup);
    } else if (d.desiredReplicas < replicas) {
      // The newest pods go first; they leave the endpoints at once.
      for (let i = d.desiredReplicas; i < replicas; i++) {
        const pod = pods.pop();
        if (pod !== undefined) metrics.podStopped(pod.id);
      }
    }
    replicas = d.desiredReplicas;
    rebalance(t);
    result.replicas.push(replicas);
    result.times.push(t);
  }
  return result;
}

/** Requests served at `rate` over [a, b), split at scrape times so each lands in its own window. */
function serve(metrics: PodMetrics, pod: number, a: number, b: number, rate: number, res: number, phase: number): void {
  let x = a;
  while (x < b) {
    const nextGrid = phase + (Math.floor((x - phase) / res) + 1) * res;
    const y = Math.min(b, nextGrid);
    metrics.served(pod, (x + y) / 2, rate * (y - x));
    x = y;
  }
}
