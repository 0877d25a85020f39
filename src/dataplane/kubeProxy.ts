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
 *
 * Cost: `lc` keeps a leftmost-minimum tree per candidate list (O(log n) per
 * connection, the same choice as a scan in pod order); the affinity table
 * holds only the (node, service, client) entries seen and not yet expired,
 * as the kernel's tables do, never a row per node × client. Nodes that
 * agree on the endpoints share their `all` and zone lists, and connection
 * counts per node × pod exist only under `lc`. (Each node's ready flags and
 * its sync still take O(pods): set-up stays O(nodes × pods).)
 */
import { indexOfSorted, MinTree } from '../engine/minTree.js';
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
  /** Per node × service (lc): the counts of all, local and zone candidates, in their order. */
  private readonly allTree: (MinTree | null)[];
  private readonly localTree: (MinTree | null)[];
  private readonly zoneTree: (MinTree | null)[];
  /** Per service: ClientIP affinity on. */
  private readonly affinity: Uint8Array;
  /** source × (node × service) → slot of the pinned pod and the time of its last new connection (sources are not bounded: calls' are pods). */
  private readonly affinitySlot = new Map<number, number>();
  private affinityPod = new Int32Array(64);
  private affinityTime = new Float64Array(64);
  private readonly freeSlots: number[] = [];
  private slotsUsed = 0;
  /** The table size at which expired entries are swept next (amortised O(1) per connection). */
  private sweepAt = 1024;
  private readonly affinityTimeout: Float64Array;
  /** The candidate lists last built, by service (all) or zone × service: shared by the nodes that agree. */
  private readonly lastLists = new Map<number, Int32Array>();
  private readonly preference: Uint8Array;
  private readonly servicesOfWorkload: number[][];
  private readonly nodeZone: Int32Array;
  private readonly nServices: number;
  /** Nodes × services: the cells of the candidate lists. */
  private readonly cells: number;
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
    // Only lc reads connection counts: other modes keep no table per node × pod.
    this.activeConns = topo.nodes.map(() => (this.mode === Mode.LeastConnections ? new Int32Array(Math.max(16, pods.workload.length)) : EMPTY));
    const cells = (this.cells = nNodes * this.nServices);
    this.all = new Array<Int32Array>(cells).fill(EMPTY);
    this.local = new Array<Int32Array>(cells).fill(EMPTY);
    this.zone = new Array<Int32Array>(cells).fill(EMPTY);
    this.rr = new Int32Array(cells);
    const lc = this.mode === Mode.LeastConnections;
    this.allTree = new Array<MinTree | null>(lc ? cells : 0).fill(null);
    this.localTree = new Array<MinTree | null>(lc ? cells : 0).fill(null);
    this.zoneTree = new Array<MinTree | null>(lc ? cells : 0).fill(null);
    this.affinity = new Uint8Array(this.nServices);
    this.affinityTimeout = new Float64Array(this.nServices);
    this.preference = new Uint8Array(this.nServices);
    this.nodeZone = Int32Array.from(topo.nodes.map((n) => n.zone));
    for (const svc of topo.services) {
      const td = svc.spec.trafficDistribution;
      this.preference[svc.index] =
        td === 'PreferSameNode' ? Preference.SameNode : td === 'PreferClose' || td === 'PreferSameZone' ? Preference.SameZone : Preference.None;
      if (svc.spec.sessionAffinity === 'ClientIP') {
        this.affinity[svc.index] = 1;
        this.affinityTimeout[svc.index] = svc.spec.sessionAffinityConfig.clientIP.timeoutSeconds;
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
      if (this.mode !== Mode.LeastConnections) continue;
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
      this.all[cell] = this.shared(s, lists[0][s]);
      this.local[cell] = Int32Array.from(lists[1][s]);
      this.zone[cell] = this.shared(this.nServices * (1 + zone) + s, lists[2][s]);
    }
    if (this.mode === Mode.LeastConnections) this.rebuildTrees(k);
  }

  /**
   * The list last built under `key` when it holds the same pods (nodes that
   * agree on the endpoints share one array: memory follows the views, not
   * nodes × pods), else a new one. Lists are never written after they are built.
   */
  private shared(key: number, pods: number[]): Int32Array {
    const last = this.lastLists.get(key);
    if (last !== undefined && last.length === pods.length && pods.every((p, i) => last[i] === p)) return last;
    const list = Int32Array.from(pods);
    this.lastLists.set(key, list);
    return list;
  }

  private rebuildTrees(k: number): void {
    const active = this.activeConns[k];
    const tree = (list: Int32Array) => new MinTree(list.length, (i) => active[list[i]]);
    for (let s = 0; s < this.nServices; s++) {
      const cell = k * this.nServices + s;
      this.allTree[cell] = tree(this.all[cell]);
      this.localTree[cell] = tree(this.local[cell]);
      this.zoneTree[cell] = tree(this.zone[cell]);
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

    if (this.affinity[s]) {
      const key = client * this.cells + cell;
      let slot = this.affinitySlot.get(key);
      if (slot !== undefined) {
        const pinned = this.affinityPod[slot];
        if (now - this.affinityTime[slot] <= this.affinityTimeout[s] && this.ready[k][pinned] && indexOfSorted(cands, pinned) >= 0) {
          this.affinityTime[slot] = now;
          this.lastAffinity = true;
          this.opened(k, pinned);
          return pinned;
        }
      } else {
        if (this.affinitySlot.size >= this.sweepAt) this.sweepAffinity(now);
        slot = this.newSlot();
        this.affinitySlot.set(key, slot);
      }
      const chosen = this.choose(k, cell, cands, client);
      this.affinityPod[slot] = chosen;
      this.affinityTime[slot] = now;
      return chosen;
    }
    return this.choose(k, cell, cands, client);
  }

  private newSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    if (this.slotsUsed === this.affinityPod.length) {
      const pod = new Int32Array(this.slotsUsed * 2);
      pod.set(this.affinityPod);
      this.affinityPod = pod;
      const time = new Float64Array(this.slotsUsed * 2);
      time.set(this.affinityTime);
      this.affinityTime = time;
    }
    return this.slotsUsed++;
  }

  /** Forgets the entries past their timeout (they could never pin again), as the kernel reaps them. */
  private sweepAffinity(now: number): void {
    for (const [key, slot] of this.affinitySlot) {
      const s = (key % this.cells) % this.nServices;
      if (now - this.affinityTime[slot] > this.affinityTimeout[s]) {
        this.affinitySlot.delete(key);
        this.freeSlots.push(slot);
      }
    }
    this.sweepAt = Math.max(1024, 2 * this.affinitySlot.size);
  }

  /** The min tree of the candidate list select() chose for this cell. */
  private treeOf(cell: number, cands: Int32Array): MinTree {
    if (cands === this.all[cell]) return this.allTree[cell]!;
    if (cands === this.local[cell]) return this.localTree[cell]!;
    return this.zoneTree[cell]!;
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
      default:
        // Least active connections, the first in pod order among equals.
        chosen = cands.length === 1 ? cands[0] : cands[this.treeOf(cell, cands).argmin()];
    }
    this.opened(k, chosen);
    return chosen;
  }

  /** Counts a connection in node k's table (IPVS lc). */
  private opened(k: number, pod: number): void {
    if (this.mode !== Mode.LeastConnections) return;
    this.updateTrees(k, pod, ++this.activeConns[k][pod]);
  }

  /** A connection DNATed by node k to pod has closed. */
  closed(k: number, pod: number): void {
    if (this.mode !== Mode.LeastConnections) return;
    this.updateTrees(k, pod, --this.activeConns[k][pod]);
  }

  /** The pod's count in every candidate list of node k that holds it. */
  private updateTrees(k: number, pod: number, count: number): void {
    for (const s of this.servicesOfWorkload[this.pods.workload[pod]]) {
      const cell = k * this.nServices + s;
      let i = indexOfSorted(this.all[cell], pod);
      if (i >= 0) this.allTree[cell]!.set(i, count);
      i = indexOfSorted(this.local[cell], pod);
      if (i >= 0) this.localTree[cell]!.set(i, count);
      i = indexOfSorted(this.zone[cell], pod);
      if (i >= 0) this.zoneTree[cell]!.set(i, count);
    }
  }

  /** Forgets node k's connection table (its kube-proxy restarted with the node). */
  resetConnections(k: number): void {
    if (this.mode !== Mode.LeastConnections) return;
    this.activeConns[k].fill(0);
    this.rebuildTrees(k);
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
