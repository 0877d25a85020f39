/**
 * Endpoint propagation: how a change of a pod's readiness reaches every
 * kube-proxy. The EndpointSlice controller publishes the change; each
 * node's kube-proxy receives it after its own `endpointPropagation` draw and
 * applies it at its next sync, which comes no sooner than
 * `proxyMinSyncPeriod` after its previous one (changes are batched, reference
 * §2 "Rule sync"). Until then that node keeps DNATing new connections with
 * its old view. A kube-proxy on a dead node does nothing; when the node comes
 * back, it resyncs the whole state at once. At t = 0 every kube-proxy knows
 * every pod ready.
 *
 * Set-up and memory follow nodes + pods: a kube-proxy that agrees with the
 * EndpointSlice (it has applied every change, or the changes it has not
 * applied would not change its view) shares one snapshot of the API's
 * ready flags with every other such node (dataplane/kubeProxy.ts builds its
 * lists once per snapshot); only one that lags behind has a view of its
 * own. Each node counts the pods on which its view and the API differ, so
 * that it knows when it agrees again without comparing every pod.
 */
import { createSampler, type Sampler } from '../engine/distributions.js';
import type { RandomStream } from '../engine/random.js';
import { ControlEvent, type Host } from './host.js';

export class EndpointPropagation {
  /** What the API server says: the ready condition of every pod's endpoint. */
  apiReady = new Uint8Array(64);
  private readonly propagation: Sampler;
  private readonly minSync: number;
  /** Per node: changes received but not applied yet: [arrival time, pod, ready]. */
  private readonly pending: number[][];
  private readonly lastSync: Float64Array;
  private readonly nextSync: Float64Array;
  /** Per node: pods whose ready flag in the node's view differs from apiReady. */
  private readonly differs: Int32Array;
  /** A copy of apiReady that nodes share, never written; undefined once the API has changed since. */
  private snapshot: Uint8Array | undefined;

  constructor(
    private readonly sim: Host,
    rng: RandomStream,
  ) {
    const cp = sim.scenario.cluster.controlPlane;
    this.propagation = createSampler(cp.endpointPropagation, rng);
    this.minSync = cp.proxyMinSyncPeriod;
    const n = sim.topo.nodes.length;
    this.pending = Array.from({ length: n }, () => []);
    this.lastSync = new Float64Array(n).fill(-Infinity);
    this.nextSync = new Float64Array(n).fill(-1);
    this.differs = new Int32Array(n);
    this.ensureCapacity(sim.pods.count);
    for (let p = 0; p < sim.pods.count; p++) this.apiReady[p] = 1;
    const all = this.agreed();
    for (let k = 0; k < n; k++) sim.proxies.shareView(k, all);
  }

  /** The API's ready flags as a view nodes can share (made again only after a change). */
  private agreed(): Uint8Array {
    this.snapshot ??= this.apiReady.slice(0, this.sim.pods.count);
    return this.snapshot;
  }

  private ensureCapacity(pods: number): void {
    if (pods <= this.apiReady.length) return;
    const a = new Uint8Array(Math.max(pods, this.apiReady.length * 2));
    a.set(this.apiReady);
    this.apiReady = a;
  }

  /** The API's ready condition of pod p changes now; every live kube-proxy will learn it. */
  publish(p: number, ready: boolean): void {
    this.ensureCapacity(p + 1);
    this.sim.proxies.ensureCapacity(this.sim.pods.count);
    const value = ready ? 1 : 0;
    if (this.apiReady[p] === value) return;
    this.apiReady[p] = value;
    this.snapshot = undefined;
    const now = this.sim.now;
    this.sim.log(`EndpointSlice: ${this.sim.pods.names[p]} ${ready ? 'ready' : 'not ready'}`);
    const views = this.sim.proxies.ready;
    for (let k = 0; k < this.sim.topo.nodes.length; k++) {
      // The flag flipped under every view: a node that agreed on p now differs, and one that differed agrees.
      this.differs[k] += (views[k][p] | 0) === value ? -1 : 1;
      if (!this.sim.nodeAlive[k]) continue;
      const at = now + this.propagation.sample();
      this.pending[k].push(at, p, value);
      this.sim.schedule(at, ControlEvent.EndpointsArrive, k);
    }
  }

  handle(kind: ControlEvent, k: number): void {
    if (kind === ControlEvent.EndpointsArrive) this.arrive(k);
    else this.sync(k);
  }

  /** A change reached node k: make sure a sync is coming. */
  private arrive(k: number): void {
    if (!this.sim.nodeAlive[k]) return;
    const now = this.sim.now;
    if (this.nextSync[k] >= now) return;
    const at = Math.max(now, this.lastSync[k] + this.minSync);
    this.nextSync[k] = at;
    this.sim.schedule(at, ControlEvent.ProxySync, k);
  }

  /** Node k's kube-proxy applies every change it has received and rewrites its rules. */
  private sync(k: number): void {
    const now = this.sim.now;
    if (this.nextSync[k] !== now || !this.sim.nodeAlive[k]) return;
    this.nextSync[k] = -1;
    this.lastSync[k] = now;
    const pending = this.pending[k];
    const view = this.sim.proxies.ready[k];
    const rest: number[] = [];
    const changes: number[] = [];
    // The view after the changes, where it moves (a pod changed twice counts once).
    const after = new Map<number, number>();
    for (let i = 0; i < pending.length; i += 3) {
      if (pending[i] <= now) {
        changes.push(pending[i + 1], pending[i + 2]);
        after.set(pending[i + 1], pending[i + 2]);
      } else rest.push(pending[i], pending[i + 1], pending[i + 2]);
    }
    this.pending[k] = rest;
    for (const [p, value] of after) {
      const before = view[p] | 0;
      if (before !== value) this.differs[k] += before === this.apiReady[p] ? 1 : -1;
    }
    if (this.differs[k] === 0) this.sim.proxies.shareView(k, this.agreed());
    else this.sim.proxies.applyChanges(k, changes);
    if (this.sim.logging) {
      const applied: string[] = [];
      for (let i = 0; i < changes.length; i += 2) applied.push(`${this.sim.pods.names[changes[i]]} ${changes[i + 1] ? 'ready' : 'not ready'}`);
      this.sim.log(`kube-proxy on ${this.sim.topo.nodes[k].name} synced: ${applied.join(', ')}`);
    }
  }

  /** Node k came back: its kube-proxy starts with the API's current state. */
  resync(k: number): void {
    this.sim.proxies.ensureCapacity(this.sim.pods.count);
    this.pending[k] = [];
    this.lastSync[k] = this.sim.now;
    this.nextSync[k] = -1;
    this.differs[k] = 0;
    this.sim.proxies.resetConnections(k);
    this.sim.proxies.shareView(k, this.agreed());
  }
}
