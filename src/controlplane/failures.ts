/**
 * Failures and who learns of them, when (spec "failures"; reference §4).
 *
 * A node crash at t0: its pods stop at once and their in-flight work is lost
 * (clients hear nothing and time out); the node stops answering. Its last
 * heartbeat fell at a uniformly random point of the `nodeLeaseInterval`
 * before t0; the node lifecycle controller, which checks leases every
 * `nodeMonitorPeriod` (at a phase uniform per replication), marks it NotReady
 * at its first check at or after that heartbeat + `nodeMonitorGracePeriod`
 * (kube-controller-manager's monitorNodeHealth loop), and its pods' endpoints not ready,
 * which then propagate to each kube-proxy (controlplane/endpoints.ts). The
 * LB learns only through its own health checks. `podEvictionTimeout` after
 * the NotReady mark the pods are deleted and replacements are created on
 * live nodes by the spread rule, ready `startupTime` later; they do not move
 * back when the node recovers. A replacement that no live node has room for
 * waits Pending when the scenario autoscales (autoscaling.ts places it when a
 * node has room, and the cluster autoscaler may add one); otherwise it is not
 * made.
 *
 * A pod crash on a live node: its kubelet reports it not ready at once; its
 * in-flight attempts are reset and new connections to it are refused until
 * the kube-proxies learn; it is ready again `restartAfter` later.
 */
import { createSampler } from '../engine/distributions.js';
import type { RandomStream } from '../engine/random.js';
import { PodState } from '../dataplane/pod.js';
import { spreadPlacement } from '../scenario/resolve.js';
import type { EndpointPropagation } from './endpoints.js';
import type { HealthChecks } from './healthChecks.js';
import { ControlEvent, type Host } from './host.js';

/** Who keeps books of pods (autoscaling.ts): told of the pods an eviction deletes and creates, of a replacement no node can take, and of a node back. */
export interface FailureListener {
  podDeleted(p: number): void;
  podCreated(p: number): void;
  /** A replacement pod of this workload found no node with room: it waits Pending. */
  unplaced(workload: number): void;
  nodeRecovered(): void;
}

export class Failures {
  /** Set by autoscaling.ts when the scenario autoscales; without it an unplaceable replacement is not made. */
  listener: FailureListener | null = null;
  /** Bumped at every crash and recovery of a node: stale scheduled events are ignored. */
  private readonly nodeEpoch: Int32Array;
  private readonly markedNotReady: Uint8Array;
  private readonly recoverAfter: Float64Array;
  private readonly heartbeat: RandomStream;
  /** When the node lifecycle controller's first check falls, in [0, nodeMonitorPeriod). */
  private readonly monitorPhase: number;
  private podReadyEpoch: Int32Array;
  private readonly randomNodes: { node: number; mtbf: () => number; mttr: () => number }[] = [];
  private readonly randomOf: Int32Array;
  /** restartAfter of each scheduled pod failure. */
  private readonly restartDelay = new Map<number, number>();

  constructor(
    private readonly sim: Host,
    private readonly endpoints: EndpointPropagation,
    private readonly healthChecks: HealthChecks,
    stream: (source: string) => RandomStream,
  ) {
    const n = sim.topo.nodes.length;
    this.nodeEpoch = new Int32Array(n);
    this.markedNotReady = new Uint8Array(n);
    this.recoverAfter = new Float64Array(n).fill(Infinity);
    this.heartbeat = stream('heartbeats');
    this.monitorPhase = stream('node-monitor').next() * sim.scenario.cluster.controlPlane.nodeMonitorPeriod;
    this.podReadyEpoch = new Int32Array(Math.max(16, sim.pods.count * 2)).fill(-1);
    this.randomOf = new Int32Array(n).fill(-1);
    sim.scenario.failures.forEach((f, i) => {
      if (f.kind !== 'random') return;
      for (const node of sim.topo.nodes) {
        const rng = stream(`random-${i}/${node.name}`);
        const mtbf = createSampler({ dist: 'exponential', mean: f.mtbf }, rng);
        const mttr = createSampler({ dist: 'exponential', mean: f.mttr }, rng);
        this.randomOf[node.index] = this.randomNodes.length;
        this.randomNodes.push({ node: node.index, mtbf: () => mtbf.sample(), mttr: () => mttr.sample() });
      }
    });
  }

  /** Schedules every failure of the scenario (times count from the start of the warm-up). */
  start(): void {
    const sim = this.sim;
    const nodeIndex = new Map(sim.topo.nodes.map((n) => [n.name, n.index]));
    const podIndex = new Map(sim.pods.names.map((name, p) => [name, p]));
    for (const f of sim.scenario.failures) {
      if (f.kind === 'node') this.scheduleNodeCrash(known(nodeIndex.get(f.node), f.node), f.at, f.recoverAfter);
      else if (f.kind === 'zone') {
        const zone = sim.topo.zones.indexOf(f.zone);
        for (const n of sim.topo.zoneNodes[zone] ?? []) this.scheduleNodeCrash(n, f.at, f.recoverAfter);
      } else if (f.kind === 'pod') {
        const p = known(podIndex.get(f.pod), f.pod);
        sim.schedule(f.at, ControlEvent.PodCrash, p);
        this.restartDelay.set(p, f.restartAfter);
      }
    }
    for (const r of this.randomNodes) sim.schedule(r.mtbf(), ControlEvent.RandomFailure, r.node);
  }

  /** A node crash at `at`; `recoverAfter`: Infinity when it stays down (a later entry for the same node with a finite one wins). */
  private scheduleNodeCrash(node: number, at: number, recoverAfter: number): void {
    this.sim.schedule(at, ControlEvent.NodeCrash, node);
    if (recoverAfter !== Infinity) this.recoverAfter[node] = recoverAfter;
  }

  private encode(node: number): number {
    return this.nodeEpoch[node] * this.sim.topo.nodes.length + node;
  }

  private decode(payload: number): { node: number; current: boolean } {
    const n = this.sim.topo.nodes.length;
    const node = payload % n;
    return { node, current: Math.floor(payload / n) === this.nodeEpoch[node] };
  }

  handle(kind: ControlEvent, payload: number): void {
    switch (kind) {
      case ControlEvent.NodeCrash:
        this.nodeCrash(payload, this.recoverAfter[payload]);
        break;
      case ControlEvent.NodeRecover: {
        const { node, current } = this.decode(payload);
        if (current) this.nodeRecover(node);
        break;
      }
      case ControlEvent.NodeNotReady: {
        const { node, current } = this.decode(payload);
        if (current) this.nodeNotReady(node);
        break;
      }
      case ControlEvent.Evict: {
        const { node, current } = this.decode(payload);
        if (current) this.evict(node);
        break;
      }
      case ControlEvent.PodCrash:
        this.podCrash(payload);
        break;
      case ControlEvent.PodReady:
        this.podReady(payload);
        break;
      case ControlEvent.RandomFailure: {
        const r = this.randomNodes[this.randomOf[payload]];
        if (!this.sim.topo.nodes[payload].provisioned) {
          // A pool's node that does not exist now (not added yet, or removed): nothing fails.
          this.sim.schedule(this.sim.now + r.mtbf(), ControlEvent.RandomFailure, payload);
        } else if (this.sim.nodeAlive[payload]) {
          this.nodeCrash(payload, Infinity);
          this.sim.schedule(this.sim.now + r.mttr(), ControlEvent.RandomFailure, payload);
        } else {
          this.nodeRecover(payload);
          this.sim.schedule(this.sim.now + r.mtbf(), ControlEvent.RandomFailure, payload);
        }
        break;
      }
    }
  }

  nodeCrash(node: number, recoverAfter: number): void {
    const sim = this.sim;
    if (!sim.nodeAlive[node]) return;
    const now = sim.now;
    sim.nodeAlive[node] = 0;
    this.nodeEpoch[node]++;
    sim.log(`node ${sim.topo.nodes[node].name} crashed`);
    for (let p = 0; p < sim.pods.count; p++) {
      if (sim.pods.node[p] !== node || sim.pods.state[p] === PodState.Deleted) continue;
      if (sim.pods.state[p] === PodState.Running) sim.loseAttempts(p, true);
      sim.pods.setState(p, PodState.Crashed, now);
    }
    const cp = sim.scenario.cluster.controlPlane;
    const lastHeartbeat = now - this.heartbeat.next() * cp.nodeLeaseInterval;
    const notReadyAt = this.nextCheck(Math.max(now, lastHeartbeat + cp.nodeMonitorGracePeriod));
    sim.schedule(notReadyAt, ControlEvent.NodeNotReady, this.encode(node));
    if (Number.isFinite(recoverAfter)) sim.schedule(now + recoverAfter, ControlEvent.NodeRecover, this.encode(node));
  }

  /** The node lifecycle controller's first check at or after t. */
  private nextCheck(t: number): number {
    const period = this.sim.scenario.cluster.controlPlane.nodeMonitorPeriod;
    if (!(period > 0)) return t;
    const k = Math.ceil((t - this.monitorPhase) / period);
    return this.monitorPhase + (k > 0 ? k : 0) * period;
  }

  private nodeNotReady(node: number): void {
    const sim = this.sim;
    this.markedNotReady[node] = 1;
    sim.log(`node ${sim.topo.nodes[node].name} marked NotReady (first node-monitor check after nodeMonitorGracePeriod since its last heartbeat)`);
    for (let p = 0; p < sim.pods.count; p++) {
      if (sim.pods.node[p] === node && sim.pods.state[p] !== PodState.Deleted) this.endpoints.publish(p, false);
    }
    sim.schedule(sim.now + sim.scenario.cluster.controlPlane.podEvictionTimeout, ControlEvent.Evict, this.encode(node));
  }

  private evict(node: number): void {
    const sim = this.sim;
    sim.log(`pods of ${sim.topo.nodes[node].name} evicted (podEvictionTimeout after NotReady)`);
    const count = sim.pods.count;
    for (let p = 0; p < count; p++) {
      if (sim.pods.node[p] !== node || sim.pods.state[p] === PodState.Deleted) continue;
      sim.pods.setState(p, PodState.Deleted, sim.now);
      this.endpoints.publish(p, false);
      this.listener?.podDeleted(p);
      const w = sim.pods.workload[p];
      const target = this.spreadTarget(w);
      if (target < 0) {
        // No live node has room: the replacement waits Pending when something autoscales (a node may be added), else it is not made.
        this.listener?.unplaced(w);
        continue;
      }
      const q = sim.pods.create(w, target, PodState.Starting, sim.now);
      this.listener?.podCreated(q);
      sim.log(`pod ${sim.pods.names[p]} deleted; replacement ${sim.pods.names[q]} created on ${sim.topo.nodes[target].name}`);
      this.scheduleReady(q, sim.topo.workloads[w].spec.startupTime);
      this.healthChecks.podCreated(q);
    }
  }

  /**
   * The spread rule of scenario resolution (resolve.ts `spreadPlacement`),
   * over the live nodes: the zone with the fewest pods of this workload, then
   * that zone's node with the fewest, ties by order in cluster.nodes; a node
   * at its maxPods takes none (the pod stays pending: no replacement).
   */
  spreadTarget(workload: number): number {
    const sim = this.sim;
    const live = sim.topo.nodes.filter((n) => sim.nodeAlive[n.index]);
    if (live.length === 0) return -1;
    const existing = new Map<string, number>(live.map((n) => [n.name, 0]));
    // A node takes no more pods than its maxPods (the kubelet's limit), counting every workload.
    const free = new Map<string, number>(live.map((n) => [n.name, n.maxPods]));
    for (let p = 0; p < sim.pods.count; p++) {
      if (sim.pods.state[p] === PodState.Deleted) continue;
      const node = sim.topo.nodes[sim.pods.node[p]];
      if (!existing.has(node.name)) continue;
      free.set(node.name, (free.get(node.name) ?? 0) - 1);
      if (sim.pods.workload[p] === workload) existing.set(node.name, (existing.get(node.name) ?? 0) + 1);
    }
    const placed = spreadPlacement(
      live.map((n) => ({ name: n.name, zone: sim.topo.zones[n.zone] })),
      existing,
      1,
      free,
    );
    const chosen = live.find((n) => placed.get(n.name) !== existing.get(n.name));
    return chosen ? chosen.index : -1;
  }

  private nodeRecover(node: number): void {
    const sim = this.sim;
    // A node the cluster autoscaler removed (or has not added) does not come back.
    if (sim.nodeAlive[node] || !sim.topo.nodes[node].provisioned) return;
    sim.nodeAlive[node] = 1;
    this.nodeEpoch[node]++;
    sim.log(`node ${sim.topo.nodes[node].name} recovered`);
    this.endpoints.resync(node);
    const wasMarked = this.markedNotReady[node] === 1;
    this.markedNotReady[node] = 0;
    for (let p = 0; p < sim.pods.count; p++) {
      if (sim.pods.node[p] !== node || sim.pods.state[p] !== PodState.Crashed) continue;
      // The kubelet restarts the pods that were not evicted; until they are
      // ready it reports them not ready (the API may still think them ready
      // when the node came back within the grace period).
      sim.pods.setState(p, PodState.Starting, sim.now);
      if (!wasMarked) this.endpoints.publish(p, false);
      this.scheduleReady(p, sim.topo.workloads[sim.pods.workload[p]].spec.startupTime);
    }
    // Pending pods may fit there now.
    this.listener?.nodeRecovered();
  }

  private podCrash(p: number): void {
    const sim = this.sim;
    if (sim.pods.state[p] !== PodState.Running || !sim.nodeAlive[sim.pods.node[p]]) return;
    sim.log(`pod ${sim.pods.names[p]} crashed`);
    sim.loseAttempts(p, false);
    sim.pods.setState(p, PodState.Starting, sim.now);
    this.endpoints.publish(p, false);
    this.scheduleReady(p, this.restartDelay.get(p) ?? sim.topo.workloads[sim.pods.workload[p]].spec.startupTime);
  }

  scheduleReady(p: number, delay: number): void {
    if (p >= this.podReadyEpoch.length) {
      const a = new Int32Array(Math.max(p + 1, this.podReadyEpoch.length * 2)).fill(-1);
      a.set(this.podReadyEpoch);
      this.podReadyEpoch = a;
    }
    this.podReadyEpoch[p] = this.sim.pods.epoch[p];
    this.sim.schedule(this.sim.now + delay, ControlEvent.PodReady, p);
  }

  private podReady(p: number): void {
    const sim = this.sim;
    if (this.podReadyEpoch[p] !== sim.pods.epoch[p] || sim.pods.state[p] !== PodState.Starting || !sim.nodeAlive[sim.pods.node[p]]) return;
    sim.pods.setState(p, PodState.Running, sim.now);
    sim.log(`pod ${sim.pods.names[p]} ready on ${sim.topo.nodes[sim.pods.node[p]].name}`);
    this.endpoints.publish(p, true);
  }
}

/** A name the scenario rules guarantee exists (resolve.ts checks every name used). */
function known(index: number | undefined, name: string): number {
  if (index === undefined) throw new Error(`failures: unknown ${name}`);
  return index;
}
