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
    this.ensureCapacity(sim.pods.count);
    for (let p = 0; p < sim.pods.count; p++) this.apiReady[p] = 1;
    for (let k = 0; k < n; k++) {
      for (let p = 0; p < sim.pods.count; p++) sim.proxies.ready[k][p] = 1;
      sim.proxies.rebuild(k);
    }
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
    const now = this.sim.now;
    this.sim.log(`EndpointSlice: ${this.sim.pods.names[p]} ${ready ? 'ready' : 'not ready'}`);
    for (let k = 0; k < this.sim.topo.nodes.length; k++) {
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
    const ready = this.sim.proxies.ready[k];
    const rest: number[] = [];
    const applied: string[] = [];
    for (let i = 0; i < pending.length; i += 3) {
      if (pending[i] <= now) {
        ready[pending[i + 1]] = pending[i + 2];
        applied.push(`${this.sim.pods.names[pending[i + 1]]} ${pending[i + 2] ? 'ready' : 'not ready'}`);
      } else rest.push(pending[i], pending[i + 1], pending[i + 2]);
    }
    this.pending[k] = rest;
    this.sim.proxies.rebuild(k);
    if (this.sim.logging) this.sim.log(`kube-proxy on ${this.sim.topo.nodes[k].name} synced: ${applied.join(', ')}`);
  }

  /** Node k came back: its kube-proxy starts with the API's current state. */
  resync(k: number): void {
    this.sim.proxies.ensureCapacity(this.sim.pods.count);
    const ready = this.sim.proxies.ready[k];
    for (let p = 0; p < this.sim.pods.count; p++) ready[p] = this.apiReady[p];
    this.pending[k] = [];
    this.lastSync[k] = this.sim.now;
    this.nextSync[k] = -1;
    this.sim.proxies.resetConnections(k);
    this.sim.proxies.rebuild(k);
  }
}
