/**
 * kube-proxy: on every node, the rules that DNAT a new connection for
 * `clusterIP:port` or `<NodeIP>:nodePort` to one ready endpoint (pod IP).
 *
 * Each node's kube-proxy has its own view of which endpoints are ready: the
 * view changes only when that proxy syncs (controlplane/endpoints.ts), so
 * during a failure different nodes can disagree. The backend is chosen once
 * per connection, on its first packet; conntrack pins the rest of the flow
 * (reference §2). How it chooses:
 *
 * - `iptables` / `nftables`: uniformly at random among the candidates
 *   (`statistic --mode random` chains, `numgen random mod n`).
 * - `ipvs`: a scheduler with state per node: `rr` (and `wrr`, since every
 *   endpoint has weight 1), `lc` (and `wlc`, `sed`, `nq`: least active
 *   connections in this node's IPVS table), `sh` (hash of the client IP).
 *
 * The candidates: a `Local` traffic policy keeps only this node's endpoints
 * and drops the connection when there are none; otherwise
 * `trafficDistribution` prefers this node's zone (or the node, then the
 * zone) when it has ready endpoints. A Service with no ready endpoint at all
 * rejects (the client sees ECONNREFUSED at once). `sessionAffinity:
 * ClientIP` sends a client's new connections through this node to the same
 * endpoint while they come within the timeout (iptables `recent`, IPVS
 * persistence: per node, refreshed by each new connection).
 */
import type { RandomStream } from '../engine/random.js';
import type { Pods } from './pod.js';
import type { Topology } from './topology.js';

/** select() results that are not a pod. */
export const NO_ENDPOINTS = -1;
export const NO_LOCAL_ENDPOINT = -2;

const enum Mode {
  Random = 0,
  RoundRobin = 1,
  LeastConnections = 2,
  SourceHash = 3,
}

const enum Preference {
  None = 0,
  SameZone = 1,
  SameNode = 2,
}

const EMPTY = new Int32Array(0);

export class KubeProxies {
  readonly mode: Mode;
  readonly modeName: string;
  /** Per node: the ready flag of every pod as this node's kube-proxy knows it. */
  readonly ready: Uint8Array[];
  /** Per node × service: candidate endpoint lists, rebuilt at each sync. */
  private readonly all: Int32Array[];
  private readonly local: Int32Array[];
  private readonly zone: Int32Array[];
  private readonly rr: Int32Array;
  /** Per node: active connections per pod in this node's IPVS table (lc). */
  private activeConns: Int32Array[];
  private readonly affinityPod: (Int32Array | null)[];
  private readonly affinityTime: (Float64Array | null)[];
  private readonly affinityTimeout: Float64Array;
  private readonly preference: Uint8Array;
  private readonly servicesOfWorkload: number[][];
  private readonly nodeZone: Int32Array;
  private readonly nServices: number;
  /** Candidates considered by the last select(), for trace output. */
  lastCandidates = 0;
  lastAffinity = false;

  constructor(
    private readonly topo: Topology,
    private readonly pods: Pods,
    proxyMode: 'iptables' | 'nftables' | 'ipvs',
    ipvsScheduler: string,
    private readonly rng: RandomStream,
  ) {
    const nNodes = topo.nodes.length;
    this.nServices = topo.services.length;
    if (proxyMode !== 'ipvs') this.mode = Mode.Random;
    else if (ipvsScheduler === 'rr' || ipvsScheduler === 'wrr') this.mode = Mode.RoundRobin;
    else if (ipvsScheduler === 'sh') this.mode = Mode.SourceHash;
    else this.mode = Mode.LeastConnections;
    this.modeName = proxyMode === 'ipvs' ? `ipvs ${ipvsScheduler}` : proxyMode;
    this.ready = topo.nodes.map(() => new Uint8Array(Math.max(16, pods.workload.length)));
    this.activeConns = topo.nodes.map(() => new Int32Array(Math.max(16, pods.workload.length)));
    const cells = nNodes * this.nServices;
    this.all = new Array<Int32Array>(cells).fill(EMPTY);
    this.local = new Array<Int32Array>(cells).fill(EMPTY);
    this.zone = new Array<Int32Array>(cells).fill(EMPTY);
    this.rr = new Int32Array(cells);
    this.affinityPod = new Array<Int32Array | null>(cells).fill(null);
    this.affinityTime = new Array<Float64Array | null>(cells).fill(null);
    this.affinityTimeout = new Float64Array(this.nServices);
    this.preference = new Uint8Array(this.nServices);
    this.nodeZone = Int32Array.from(topo.nodes.map((n) => n.zone));
    for (const svc of topo.services) {
      const td = svc.spec.trafficDistribution;
      this.preference[svc.index] =
        td === 'PreferSameNode' ? Preference.SameNode : td === 'PreferClose' || td === 'PreferSameZone' ? Preference.SameZone : Preference.None;
      if (svc.spec.sessionAffinity === 'ClientIP') {
        this.affinityTimeout[svc.index] = svc.spec.sessionAffinityConfig.clientIP.timeoutSeconds;
        for (let k = 0; k < nNodes; k++) {
          const pod = new Int32Array(topo.totalClients).fill(-1);
          this.affinityPod[k * this.nServices + svc.index] = pod;
          this.affinityTime[k * this.nServices + svc.index] = new Float64Array(topo.totalClients);
        }
      }
    }
    this.servicesOfWorkload = topo.workloads.map((w) => topo.services.filter((s) => s.workloads.includes(w.index)).map((s) => s.index));
  }

  /** Makes room for pods created after the start (rescheduling). */
  ensureCapacity(pods: number): void {
    if (pods <= this.ready[0].length) return;
    const cap = Math.max(pods, this.ready[0].length * 2);
    for (let k = 0; k < this.ready.length; k++) {
      const r = new Uint8Array(cap);
      r.set(this.ready[k]);
      this.ready[k] = r;
      const a = new Int32Array(cap);
      a.set(this.activeConns[k]);
      this.activeConns[k] = a;
    }
  }

  /** Rebuilds node k's candidate lists from its ready flags (at a sync). */
  rebuild(k: number): void {
    const ready = this.ready[k];
    const pods = this.pods;
    const zone = this.nodeZone[k];
    const lists: number[][][] = [[], [], []];
    for (let s = 0; s < this.nServices; s++) {
      lists[0][s] = [];
      lists[1][s] = [];
      lists[2][s] = [];
    }
    for (let p = 0; p < pods.count; p++) {
      if (!ready[p]) continue;
      const node = pods.node[p];
      for (const s of this.servicesOfWorkload[pods.workload[p]]) {
        lists[0][s].push(p);
        if (node === k) lists[1][s].push(p);
        if (this.nodeZone[node] === zone) lists[2][s].push(p);
      }
    }
    for (let s = 0; s < this.nServices; s++) {
      const cell = k * this.nServices + s;
      this.all[cell] = Int32Array.from(lists[0][s]);
      this.local[cell] = Int32Array.from(lists[1][s]);
      this.zone[cell] = Int32Array.from(lists[2][s]);
    }
  }

  /** Ready endpoints of service s on node k itself, as node k's kube-proxy knows them. */
  localEndpoints(k: number, s: number): number {
    return this.local[k * this.nServices + s].length;
  }

  readyEndpoints(k: number, s: number): number {
    return this.all[k * this.nServices + s].length;
  }

  /**
   * Chooses the endpoint for a new connection DNATed by node k's kube-proxy.
   * `localPolicy`: an externalTrafficPolicy or internalTrafficPolicy of Local
   * applies to this connection (trafficDistribution is then ignored).
   * Returns a pod, NO_ENDPOINTS (reject) or NO_LOCAL_ENDPOINT (drop).
   */
  select(k: number, s: number, localPolicy: boolean, client: number, now: number): number {
    const cell = k * this.nServices + s;
    const all = this.all[cell];
    this.lastAffinity = false;
    if (all.length === 0) {
      this.lastCandidates = 0;
      return NO_ENDPOINTS;
    }
    let cands = all;
    if (localPolicy) {
      cands = this.local[cell];
      if (cands.length === 0) {
        this.lastCandidates = 0;
        return NO_LOCAL_ENDPOINT;
      }
    } else {
      const pref = this.preference[s];
      if (pref === Preference.SameNode && this.local[cell].length > 0) cands = this.local[cell];
      else if (pref !== Preference.None && this.zone[cell].length > 0) cands = this.zone[cell];
    }
    this.lastCandidates = cands.length;

    const affinity = this.affinityPod[cell];
    if (affinity !== null) {
      const times = this.affinityTime[cell]!;
      const pinned = affinity[client];
      if (pinned >= 0 && now - times[client] <= this.affinityTimeout[s] && this.ready[k][pinned] && cands.includes(pinned)) {
        times[client] = now;
        this.lastAffinity = true;
        this.opened(k, pinned);
        return pinned;
      }
      const chosen = this.choose(k, cell, cands, client);
      affinity[client] = chosen;
      times[client] = now;
      return chosen;
    }
    return this.choose(k, cell, cands, client);
  }

  private choose(k: number, cell: number, cands: Int32Array, client: number): number {
    let chosen: number;
    switch (this.mode) {
      case Mode.Random:
        chosen = cands.length === 1 ? cands[0] : cands[this.rng.nextInt(cands.length)];
        break;
      case Mode.RoundRobin: {
        const i = this.rr[cell] % cands.length;
        this.rr[cell] = i + 1;
        chosen = cands[i];
        break;
      }
      case Mode.SourceHash:
        chosen = cands[hashClient(client) % cands.length];
        break;
      default: {
        const active = this.activeConns[k];
        chosen = cands[0];
        let least = active[chosen];
        for (let i = 1; i < cands.length; i++) {
          const c = active[cands[i]];
          if (c < least) {
            least = c;
            chosen = cands[i];
          }
        }
      }
    }
    this.opened(k, chosen);
    return chosen;
  }

  /** Counts a connection in node k's table (IPVS lc). */
  private opened(k: number, pod: number): void {
    this.activeConns[k][pod]++;
  }

  /** A connection DNATed by node k to pod has closed. */
  closed(k: number, pod: number): void {
    this.activeConns[k][pod]--;
  }

  /** Forgets node k's connection table (its kube-proxy restarted with the node). */
  resetConnections(k: number): void {
    this.activeConns[k].fill(0);
  }
}

/** IPVS `sh`: a fixed hash of the source address. */
function hashClient(client: number): number {
  let h = Math.imul(client ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
