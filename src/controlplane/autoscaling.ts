/**
 * Autoscaling in a running replication: the HorizontalPodAutoscaler of each
 * workload with `autoscaling` (hpa.ts) acting through its Deployment's
 * ReplicaSet (replicaSet.ts) on the metrics of podMetrics.ts (spec
 * "autoscaling"; reference §8).
 *
 * The HPAs sync every 15 s from a phase uniform in [0, 15) drawn once per
 * replication; metrics-server scrapes on its own grid, of uniform phase too.
 * A scale-up creates pods placed by the spread rule (the rule rescheduling
 * uses, failures.ts), ready `startupTime` later and then published to every
 * kube-proxy (endpoints.ts) and to the LB's health checks; a pod that no
 * node can take (every node at `maxPods`) waits `Pending` and is placed as
 * soon as a node has room. A scale-down takes the ReplicaSet's victims:
 * `Pending` pods first, then starting ones, then the newest ready ones; a
 * victim leaves the endpoints at once and keeps serving what reaches it
 * until every live kube-proxy has dropped it (propagation and sync) and it
 * holds nothing, as an application that drains before it exits does (it is
 * checked every second, and whenever a slot frees); at
 * `terminationGracePeriod` it is killed and what remains is lost (its
 * clients time out).
 *
 * The cluster autoscaler (clusterAutoscaler.ts) scans every 10 s from a
 * phase uniform in [0, 10) when the scenario has autoscaled node pools. A
 * pool's nodes beyond its current size exist from set-up (topology.ts) but
 * are not provisioned; a scale-up boots some of them, which become Ready
 * `provisionTime` later: then their kube-proxy starts with the API's view,
 * the instance-mode LBs register them (unhealthy until they pass their
 * health checks), nodePort clients may pick them, and Pending pods are
 * placed on them by the spread rule. A scale-down removes empty nodes at
 * once (deregistered from the LBs; a kept-alive connection entering through
 * one fails as through a dead node). `node_seconds` counts a node from the
 * scale-up decision (the machine is paid for while it boots) to its removal.
 *
 * For the results it keeps, per pod, when it was created and when it was
 * deleted or began terminating, and per Pending pod when it waited, so the
 * counts over time (replicas, pending pods, pods on nodes) are exact
 * integrals and exact values at each time bucket's end (`summary`).
 */
import { PodState } from '../dataplane/pod.js';
import type { RandomStream } from '../engine/random.js';
import type { AutoscalingResult, AutoscalingScope } from './autoscalingResult.js';
import type { EndpointPropagation } from './endpoints.js';
import type { FailureListener, Failures } from './failures.js';
import type { HealthChecks } from './healthChecks.js';
import { ControlEvent, type Host } from './host.js';
import { formatHpaDecision, HorizontalPodAutoscaler, HPA_CONTROLLER_DEFAULTS, type HpaPod, resolveHpaSpec } from './hpa.js';
import { type CaNode, ClusterAutoscaler, formatCaDecision } from './clusterAutoscaler.js';
import { emptySample, MILLI_PER_SLOT, PodMetrics } from './podMetrics.js';
import { podsToDelete, type ReplicaView } from './replicaSet.js';

/** A node's life under the cluster autoscaler. */
const enum NodeState {
  /** Not provisioned: a pool's node beyond its current size. */
  Absent = 0,
  /** Added by a scale-up, not Ready yet. */
  Booting = 1,
  /** Provisioned (up, or crashed). */
  There = 2,
}

/** How often a terminating pod is checked for being drained (s). */
const DRAIN_CHECK = 1;

export class Autoscaling implements FailureListener {
  readonly metrics: PodMetrics;
  private readonly hpas: (HorizontalPodAutoscaler | null)[];
  /** `spec.replicas` of each workload's Deployment. */
  readonly desired: Int32Array;
  /** Per workload, the Pending pods (no node yet): index into pendingFrom/pendingTo. */
  private readonly pending: number[][];
  private readonly pendingFrom: number[] = [];
  private readonly pendingTo: number[] = [];
  private readonly pendingWorkload: number[] = [];
  /** Per pod: created (on a node), terminating from, deleted at (Infinity: not yet). */
  private createdAt: Float64Array<ArrayBuffer> = new Float64Array(16);
  private terminatingAt: Float64Array<ArrayBuffer> = new Float64Array(16).fill(Infinity);
  private deletedAt: Float64Array<ArrayBuffer> = new Float64Array(16).fill(Infinity);
  private readonly syncPhase: number;
  private readonly scaleEvents: Int32Array;
  private readonly windowStart: number;
  private readonly windowEnd: number;
  /** The cluster autoscaler, when the scenario has autoscaled node pools. */
  private readonly clusterAutoscaler: ClusterAutoscaler | null;
  private readonly scanPhase: number;
  /** What the last scan saw, so that an unchanged view is explained once. */
  private lastSeen = '';
  /** Per node: absent, booting or there (provisioned, whether alive or crashed). */
  private readonly nodeState: Uint8Array;
  /** Per node: since when it exists (scale-up decision, or 0), NaN when absent. */
  private readonly nodeSince: Float64Array;
  /** Per node: 1 once it has existed in this replication (nodes.csv lists those). */
  private readonly nodeSeen: Uint8Array;
  /** Existence intervals of pool nodes that were removed: [from, to] pairs. */
  private readonly nodeGone: number[] = [];

  constructor(
    private readonly host: Host,
    private readonly endpoints: EndpointPropagation,
    private readonly healthChecks: HealthChecks,
    private readonly failures: Failures,
    rng: RandomStream,
  ) {
    const s = host.scenario;
    const resolution = s.cluster.controlPlane.metricsResolution;
    this.metrics = new PodMetrics(resolution, rng.next() * resolution);
    this.syncPhase = rng.next() * HPA_CONTROLLER_DEFAULTS.syncPeriod;
    this.hpas = s.workloads.map((w) => (w.autoscaling === undefined ? null : new HorizontalPodAutoscaler(resolveHpaSpec(w.autoscaling))));
    this.desired = Int32Array.from(s.workloads.map((w) => w.replicas));
    this.pending = s.workloads.map(() => []);
    this.scaleEvents = new Int32Array(s.workloads.length);
    this.windowStart = s.simulation.warmup;
    this.windowEnd = s.simulation.warmup + s.simulation.duration;
    host.pods.metrics = this.metrics;
    for (let p = 0; p < host.pods.count; p++) this.podCreated(p);
    failures.listener = this;
    const topo = host.topo;
    this.nodeState = Uint8Array.from(topo.nodes, (n) => (n.provisioned ? NodeState.There : NodeState.Absent));
    this.nodeSince = Float64Array.from(topo.nodes, (n) => (n.provisioned ? 0 : NaN));
    this.nodeSeen = Uint8Array.from(this.nodeState, (state) => (state === NodeState.Absent ? 0 : 1));
    const pools = topo.pools.map((p) => ({ name: p.name, min: p.min, max: p.max, provisionTime: p.provisionTime, maxPods: p.maxPods, scaleDownUnneededTime: p.scaleDownUnneededTime }));
    this.clusterAutoscaler = pools.length > 0 ? new ClusterAutoscaler(pools) : null;
    // Drawn after the HPA's phases, and only with pools, so that scenarios without pools draw as before.
    this.scanPhase = this.clusterAutoscaler !== null ? rng.next() * this.clusterAutoscaler.options.scanInterval : 0;
  }

  start(): void {
    this.hpas.forEach((h, w) => {
      if (h !== null) this.host.schedule(this.syncPhase, ControlEvent.HpaSync, w);
    });
    if (this.clusterAutoscaler !== null) this.host.schedule(this.scanPhase, ControlEvent.ClusterAutoscalerScan, 0);
  }

  handle(kind: ControlEvent, payload: number): void {
    if (kind === ControlEvent.HpaSync) this.sync(payload);
    else if (kind === ControlEvent.PodTerminated) this.gracePeriodOver(payload);
    else if (kind === ControlEvent.ClusterAutoscalerScan) this.scan();
    else if (kind === ControlEvent.NodeProvisioned) this.nodeReady(payload);
  }

  /** Whether node k existed at some time of this replication (a pool's node may never have). */
  nodeExisted(k: number): boolean {
    return this.nodeSeen[k] === 1;
  }

  /** One decision line: to the control-plane log and to `--explain-scaling`. */
  private explain(line: () => string): void {
    const host = this.host;
    if (!host.logging && !host.scalingLog) return;
    const text = line();
    if (host.logging) host.log(text);
    host.scalingLog?.push(text);
  }

  // ------------------------------------------------------- cluster autoscaler

  /** A scan of the cluster autoscaler: scale a pool up for the Pending pods, or remove empty nodes. */
  private scan(): void {
    const host = this.host;
    const ca = this.clusterAutoscaler;
    if (ca === null) return;
    const now = host.now;
    host.schedule(now + ca.options.scanInterval, ControlEvent.ClusterAutoscalerScan, 0);
    const topo = host.topo;
    const podsOn = new Int32Array(topo.nodes.length);
    for (let p = 0; p < host.pods.count; p++) if (host.pods.state[p] !== PodState.Deleted) podsOn[host.pods.node[p]]++;
    const nodes: CaNode[] = [];
    for (const n of topo.nodes) {
      const state = this.nodeState[n.index];
      if (state === NodeState.Absent) continue;
      const up = state === NodeState.Booting || host.nodeAlive[n.index] === 1;
      // A crashed node is counted in its pool but offers no room and is never unneeded.
      nodes.push({ id: n.index, pool: n.pool, ready: state === NodeState.There && up, pods: podsOn[n.index], maxPods: up ? n.maxPods : 0 });
    }
    let pending = 0;
    for (const list of this.pending) pending += list.length;
    const d = ca.scan(now, pending, nodes);
    // A scan that acts is explained; one that only sees (unneeded nodes, pools at their max) when what it sees changes.
    const seen = `${d.pendingPods} ${d.note}`;
    if (d.scaleUp !== null || d.remove.length > 0 || (d.note !== '' && seen !== this.lastSeen)) {
      this.explain(() => formatCaDecision(d, (k) => topo.nodes[k].name, (pool) => topo.pools[pool].name));
    }
    this.lastSeen = d.scaleUp !== null || d.remove.length > 0 ? '' : seen;
    if (d.scaleUp !== null) {
      let left = d.scaleUp.count;
      for (const n of topo.nodes) {
        if (left === 0) break;
        if (n.pool !== d.scaleUp.pool || this.nodeState[n.index] !== NodeState.Absent) continue;
        this.nodeState[n.index] = NodeState.Booting;
        this.nodeSince[n.index] = now;
        this.nodeSeen[n.index] = 1;
        host.schedule(d.scaleUp.readyAt, ControlEvent.NodeProvisioned, n.index);
        host.log(`node ${n.name} provisioning (cluster autoscaler), Ready at ${d.scaleUp.readyAt.toFixed(3)}s`);
        left--;
      }
    }
    for (const k of d.remove) this.removeNode(k);
  }

  /** A node added by the cluster autoscaler is Ready: it joins the data path and takes Pending pods. */
  private nodeReady(k: number): void {
    const host = this.host;
    if (this.nodeState[k] !== NodeState.Booting) return;
    const node = host.topo.nodes[k];
    this.nodeState[k] = NodeState.There;
    node.provisioned = true;
    host.nodeAlive[k] = 1;
    this.endpoints.resync(k);
    this.healthChecks.nodeAdded(k);
    host.nodesChanged?.();
    host.log(`node ${node.name} Ready (added by the cluster autoscaler)`);
    this.placePending();
  }

  /** The cluster autoscaler deletes empty node k. */
  private removeNode(k: number): void {
    const host = this.host;
    const node = host.topo.nodes[k];
    this.nodeState[k] = NodeState.Absent;
    this.nodeGone.push(this.nodeSince[k], host.now);
    this.nodeSince[k] = NaN;
    node.provisioned = false;
    host.nodeAlive[k] = 0;
    this.healthChecks.nodeRemoved(k);
    host.nodesChanged?.();
    host.log(`node ${node.name} removed (cluster autoscaler: empty for scaleDownUnneededTime)`);
  }

  /** ∫ existing nodes over the window [a, b]: the fixed nodes all along, the pools' nodes while they existed. */
  private nodeSeconds(a: number, b: number): number {
    const overlap = (from: number, to: number): number => Math.max(0, Math.min(to, b) - Math.max(from, a));
    const topo = this.host.topo;
    let fixed = 0;
    let pooled = 0;
    for (const n of topo.nodes) {
      if (n.pool < 0) fixed++;
      else if (!Number.isNaN(this.nodeSince[n.index])) pooled += overlap(this.nodeSince[n.index], Infinity);
    }
    for (let i = 0; i < this.nodeGone.length; i += 2) pooled += overlap(this.nodeGone[i], this.nodeGone[i + 1]);
    return fixed * (b - a) + pooled;
  }

  /** An eviction deleted pod p (failures.ts). */
  podDeleted(p: number): void {
    this.podCreated(p, false);
    this.deletedAt[p] = this.host.now;
    this.metrics.podStopped(p);
  }

  /** A node came back: Pending pods may fit on it. */
  nodeRecovered(): void {
    this.placePending();
  }

  /** Pod p is created on a node now (by a scale-up or an eviction's replacement); `started`: false only to make room for its records. */
  podCreated(p: number, started = true): void {
    if (p >= this.createdAt.length) {
      const n = Math.max(p + 1, this.createdAt.length * 2);
      const grow = (a: Float64Array, fill: number): Float64Array<ArrayBuffer> => {
        const b = new Float64Array(n).fill(fill);
        b.set(a);
        return b;
      };
      this.createdAt = grow(this.createdAt, 0);
      this.terminatingAt = grow(this.terminatingAt, Infinity);
      this.deletedAt = grow(this.deletedAt, Infinity);
    }
    if (!started) return;
    const now = this.host.now;
    this.createdAt[p] = now;
    this.metrics.podStarted(p, now, this.host.pods.concurrency[p]);
  }

  private sync(w: number): void {
    const host = this.host;
    const hpa = this.hpas[w];
    if (hpa === null) return;
    const now = host.now;
    host.schedule(now + HPA_CONTROLLER_DEFAULTS.syncPeriod, ControlEvent.HpaSync, w);
    const pods = host.pods;
    const views: HpaPod[] = [];
    for (let p = 0; p < pods.count; p++) {
      if (pods.workload[p] !== w || pods.state[p] === PodState.Deleted) continue;
      const ready = pods.state[p] === PodState.Running;
      views.push({
        name: pods.names[p],
        phase: 'Running',
        deleting: this.terminatingAt[p] !== Infinity,
        startTime: this.createdAt[p],
        ready,
        readyTransitionTime: ready ? pods.runningSince[p] : this.createdAt[p],
        cpuRequestMilli: pods.concurrency[p] * MILLI_PER_SLOT,
        sample: this.metrics.read(p, now, emptySample()),
      });
    }
    const spec = host.topo.workloads[w].spec;
    for (const i of this.pending[w]) {
      views.push({
        name: `${spec.name} (Pending)`,
        phase: 'Pending',
        deleting: false,
        startTime: NaN,
        ready: false,
        readyTransitionTime: this.pendingFrom[i],
        cpuRequestMilli: spec.concurrency * MILLI_PER_SLOT,
        sample: emptySample(),
      });
    }
    const d = hpa.sync(now, this.desired[w], views);
    this.explain(() => formatHpaDecision(spec.name, d));
    if (!d.rescale) return;
    if (now >= this.windowStart && now < this.windowEnd) this.scaleEvents[w]++;
    const diff = d.desiredReplicas - this.desired[w];
    this.desired[w] = d.desiredReplicas;
    if (diff > 0) for (let i = 0; i < diff; i++) this.addPod(w);
    else this.removePods(w, -diff);
  }

  /** The ReplicaSet creates a pod of workload w: on a node now, or Pending. */
  private addPod(w: number): void {
    const node = this.failures.spreadTarget(w);
    if (node >= 0) this.place(w, node);
    else this.unplaced(w);
  }

  /** A pod of workload w waits Pending: no node has room. */
  unplaced(w: number): void {
    const i = this.pendingFrom.length;
    this.pendingFrom.push(this.host.now);
    this.pendingTo.push(Infinity);
    this.pendingWorkload.push(w);
    this.pending[w].push(i);
    this.host.log(`pod of ${this.host.topo.workloads[w].name} Pending: no node has room (maxPods)`);
  }

  private place(w: number, node: number): void {
    const host = this.host;
    const p = host.pods.create(w, node, PodState.Starting, host.now);
    this.podCreated(p);
    this.failures.scheduleReady(p, host.topo.workloads[w].spec.startupTime);
    this.healthChecks.podCreated(p);
    host.log(`pod ${host.pods.names[p]} created on ${host.topo.nodes[node].name} (scale-up)`);
  }

  /** Pending pods take a node as soon as one has room (the scheduler retries on every change), oldest first. */
  placePending(): void {
    for (let w = 0; w < this.pending.length; w++) {
      while (this.pending[w].length > 0) {
        const node = this.failures.spreadTarget(w);
        if (node < 0) break;
        const i = this.pending[w].shift() ?? -1;
        this.pendingTo[i] = this.host.now;
        this.place(w, node);
      }
    }
  }

  private removePods(w: number, count: number): void {
    const pods = this.host.pods;
    let left = count;
    // The ReplicaSet deletes unscheduled pods first, newest first.
    while (left > 0 && this.pending[w].length > 0) {
      const i = this.pending[w].pop() ?? -1;
      this.pendingTo[i] = this.host.now;
      left--;
    }
    if (left === 0) return;
    const views: ReplicaView[] = [];
    for (let p = 0; p < pods.count; p++) {
      if (pods.workload[p] !== w || pods.state[p] === PodState.Deleted || this.terminatingAt[p] !== Infinity) continue;
      const ready = pods.state[p] === PodState.Running;
      views.push({ pod: p, assigned: true, running: ready, ready, readySince: ready ? pods.runningSince[p] : NaN, createdAt: this.createdAt[p] });
    }
    for (const p of podsToDelete(views, left)) this.terminate(p);
  }

  private terminate(p: number): void {
    const host = this.host;
    const pods = host.pods;
    this.terminatingAt[p] = host.now;
    this.endpoints.publish(p, false);
    host.log(`pod ${pods.names[p]} terminating (scale-down)`);
    if (pods.state[p] !== PodState.Running) {
      this.stop(p);
      return;
    }
    host.schedule(host.now + DRAIN_CHECK, ControlEvent.PodTerminated, p);
  }

  /** Pod p holds nothing and no live kube-proxy sends it new connections. */
  private drained(p: number): boolean {
    const host = this.host;
    if (host.pods.busy[p] !== 0 || host.pods.queues[p].length !== 0) return false;
    for (let k = 0; k < host.topo.nodes.length; k++) if (host.nodeAlive[k] && host.proxies.ready[k][p]) return false;
    return true;
  }

  /** A slot of pod p was freed and none is busy: a terminating pod stops once it is drained. */
  slotFreed(p: number): void {
    if (this.terminatingAt[p] !== Infinity && this.host.pods.state[p] === PodState.Running && this.drained(p)) this.stop(p);
  }

  /** Periodic check of a terminating pod: stop it once drained, kill it at the end of its grace period. */
  private gracePeriodOver(p: number): void {
    const host = this.host;
    if (host.pods.state[p] !== PodState.Running || this.terminatingAt[p] === Infinity) return;
    if (this.drained(p)) {
      this.stop(p);
      return;
    }
    const deadline = this.terminatingAt[p] + host.topo.workloads[host.pods.workload[p]].spec.terminationGracePeriod;
    if (host.now >= deadline) {
      host.log(`pod ${host.pods.names[p]} killed at the end of its terminationGracePeriod`);
      host.loseAttempts(p, true);
      this.stop(p);
      return;
    }
    host.schedule(Math.min(host.now + DRAIN_CHECK, deadline), ControlEvent.PodTerminated, p);
  }

  private stop(p: number): void {
    const host = this.host;
    host.pods.setState(p, PodState.Deleted, host.now);
    this.deletedAt[p] = host.now;
    this.metrics.podStopped(p);
    host.log(`pod ${host.pods.names[p]} deleted`);
    this.placePending();
  }

  /** The results of the replication, once it has run; `bucketSeconds`: the timeseries resolution. */
  summary(bucketSeconds: number): AutoscalingResult {
    const host = this.host;
    const pods = host.pods;
    const { windowStart: a, windowEnd: b } = this;
    const buckets = Math.max(1, Math.ceil((b - a) / bucketSeconds - 1e-9));
    const ends = Array.from({ length: buckets }, (_, i) => Math.min(b, a + (i + 1) * bucketSeconds));
    const overlap = (from: number, to: number): number => Math.max(0, Math.min(to, b) - Math.max(from, a));
    const countAt = (intervals: readonly (readonly [number, number])[], t: number): number => intervals.filter(([from, to]) => from <= t && t < to).length;
    // The largest count inside the window: at its start or when an interval begins in it.
    const maxIn = (intervals: readonly (readonly [number, number])[]): number =>
      Math.max(...[a, ...intervals.map(([from]) => from).filter((t) => t > a && t < b)].map((t) => countAt(intervals, t)));
    const onNode: [number, number][][] = host.topo.workloads.map(() => []);
    const replica: [number, number][][] = host.topo.workloads.map(() => []);
    const waiting: [number, number][][] = host.topo.workloads.map(() => []);
    for (let p = 0; p < pods.count; p++) {
      const w = pods.workload[p];
      onNode[w].push([this.createdAt[p], this.deletedAt[p]]);
      replica[w].push([this.createdAt[p], Math.min(this.deletedAt[p], this.terminatingAt[p])]);
    }
    this.pendingFrom.forEach((from, i) => waiting[this.pendingWorkload[i]].push([from, this.pendingTo[i]]));
    const scope = (name: string, w: number[], nodeSeconds: number): AutoscalingScope => {
      const nodeIntervals = w.flatMap((i) => onNode[i]);
      const replicaIntervals = w.flatMap((i) => replica[i]);
      return {
        scope: name,
        podSeconds: nodeIntervals.reduce((sum, [from, to]) => sum + overlap(from, to), 0),
        nodeSeconds,
        replicasMean: replicaIntervals.reduce((sum, [from, to]) => sum + overlap(from, to), 0) / (b - a),
        replicasMax: maxIn(replicaIntervals),
        scaleEvents: w.reduce((sum, i) => sum + this.scaleEvents[i], 0),
      };
    };
    const all = host.topo.workloads.map((wl) => wl.index);
    return {
      scopes: [scope('all', all, this.nodeSeconds(a, b)), ...host.topo.workloads.map((wl) => scope(`workload:${wl.name}`, [wl.index], NaN))],
      series: host.topo.workloads.map((wl) => ({
        workload: wl.name,
        replicas: ends.map((t) => countAt(replica[wl.index], t)),
        pending: ends.map((t) => countAt(waiting[wl.index], t)),
      })),
    };
  }
}
