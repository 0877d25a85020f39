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
import { type CaDecision, type CaNode, ClusterAutoscaler, type NodePoolAutoscaling } from '../../src/controlplane/clusterAutoscaler.js';

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
  /** Nodes with room for `maxPods` pods each, and an autoscaled pool scanned at scanPhase + k·10; without it, room is unlimited. */
  cluster?: { nodes: number; pool: NodePoolAutoscaling; scanPhase: number };
}

interface Pod {
  id: number;
  createdAt: number;
  /** Infinity while Pending. */
  readyAt: number;
  /** -1 while Pending. */
  node: number;
  level: number;
}

export interface LoadRunResult {
  decisions: HpaDecision[];
  /** Replicas after each sync. */
  replicas: number[];
  times: number[];
  /** Cluster autoscaler scans that did something. */
  scans: CaDecision[];
  /** [time, pod id] of each pod placed on a node after being Pending. */
  placed: [number, number][];
  /** Pods, for their ready times. */
  pods: readonly { id: number; createdAt: number; readyAt: number }[];
}

const LONG_AGO = -1000;

export function runConstantLoad(run: LoadRun): LoadRunResult {
  const startup = run.startupTime ?? 5;
  const slots = run.slots ?? 1;
  const resolution = run.resolution ?? 15;
  const gridPhase = run.gridPhase ?? 0;
  const metrics = new PodMetrics(resolution, gridPhase);
  const hpa = new HorizontalPodAutoscaler(run.spec);
  const cluster = run.cluster;
  const ca = cluster ? new ClusterAutoscaler([cluster.pool]) : null;
  // Nodes: time each is ready (Infinity: none yet).
  const nodeReadyAt: number[] = cluster ? new Array<number>(cluster.nodes).fill(LONG_AGO) : [];
  const result: LoadRunResult = { decisions: [], replicas: [], times: [], scans: [], placed: [], pods: [] };
  let nextId = 0;
  const pods: Pod[] = [];
  result.pods = pods;
  const podsOn = (node: number): number => pods.filter((p) => p.node === node).length;
  /** The ready node with the fewest pods and room, or -1. */
  const placement = (t: number): number => {
    if (!cluster) return 0;
    let best = -1;
    for (let n = 0; n < nodeReadyAt.length; n++) {
      if (nodeReadyAt[n] > t || podsOn(n) >= cluster.pool.maxPods) continue;
      if (best < 0 || podsOn(n) < podsOn(best)) best = n;
    }
    return best;
  };
  const place = (pod: Pod, t: number, node: number): void => {
    pod.node = node;
    pod.readyAt = t + startup;
    metrics.podStarted(pod.id, t, slots);
  };
  const addPod = (t: number, readyAfter: number): void => {
    const pod: Pod = { id: nextId++, createdAt: t, readyAt: Infinity, node: -1, level: 0 };
    pods.push(pod);
    const node = placement(t);
    if (node >= 0) {
      place(pod, t, node);
      pod.readyAt = t + readyAfter;
    }
  };
  for (let i = 0; i < run.replicas; i++) addPod(LONG_AGO, startup);

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
      if (run.kind === 'cpu' && pod.node >= 0) metrics.busyChange(pod.id, t, level - pod.level);
      pod.level = level;
    }
  };

  let nextSync = run.syncPhase ?? 0;
  let nextScan = cluster ? cluster.scanPhase : Infinity;
  let replicas = run.replicas;
  rebalance(LONG_AGO);
  while (nextSync <= run.until) {
    // The next moment anything happens: a sync, a scan, a node or pod becoming ready, a load change.
    const t = Math.min(
      nextSync,
      nextScan,
      ...pods.map((p) => p.readyAt).filter((x) => x > last),
      ...nodeReadyAt.filter((x) => x > last),
      ...run.load.map(([from]) => from).filter((x) => x > last),
    );
    rebalance(t);
    if (nodeReadyAt.includes(t)) {
      // The scheduler places Pending pods, oldest first, as soon as a node has room.
      for (const pod of pods) {
        if (pod.node >= 0) continue;
        const node = placement(t);
        if (node < 0) break;
        place(pod, t, node);
        result.placed.push([t, pod.id]);
      }
    }
    if (t === nextScan && ca !== null && cluster) {
      const nodes: CaNode[] = nodeReadyAt.map((at, id) => ({ id, pool: 0, ready: at <= t, pods: podsOn(id), maxPods: cluster.pool.maxPods }));
      const d = ca.scan(t, pods.filter((p) => p.node < 0).length, nodes);
      if (d.scaleUp !== null) {
        result.scans.push(d);
        for (let i = 0; i < d.scaleUp.count; i++) nodeReadyAt.push(d.scaleUp.readyAt);
      }
      nextScan += 10;
    }
    if (t === nextSync) {
      const views: HpaPod[] = pods.map((p) => ({
        name: `pod-${p.id}`,
        phase: p.node < 0 ? 'Pending' : 'Running',
        deleting: false,
        startTime: p.node < 0 ? NaN : p.createdAt,
        ready: p.readyAt <= t,
        readyTransitionTime: p.readyAt <= t ? p.readyAt : p.createdAt,
        cpuRequestMilli: slots * MILLI_PER_SLOT,
        sample: metrics.read(p.id, t, emptySample()),
      }));
      const d = hpa.sync(t, replicas, views);
      result.decisions.push(d);
      if (d.desiredReplicas > replicas) {
        for (let i = replicas; i < d.desiredReplicas; i++) addPod(t, startup);
      } else if (d.desiredReplicas < replicas) {
        // Pending pods go first, then the newest; they leave the endpoints at once.
        for (let i = d.desiredReplicas; i < replicas; i++) {
          const pendingIndex = pods.findLastIndex((p) => p.node < 0);
          const [pod] = pods.splice(pendingIndex >= 0 ? pendingIndex : pods.length - 1, 1);
          metrics.podStopped(pod.id);
        }
      }
      replicas = d.desiredReplicas;
      rebalance(t);
      result.replicas.push(replicas);
      result.times.push(t);
      nextSync += 15;
    }
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
