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
 * connection, the same choice as a scan in pod order), built when the node
 * first chooses with it; the affinity table holds only the (node, service,
 * client) entries seen and not yet expired, as the kernel's tables do, never
 * a row per node × client. Set-up and memory follow nodes + pods, not
 * nodes × pods: nodes whose kube-proxy agrees with the EndpointSlice share
 * one view (its ready flags, and candidate lists built once per view), and
 * only a node that lags behind it (its sync has not applied every change
 * yet) has ready flags and lists of its own; connection counts per pod
 * exist only for nodes that DNATed a connection under `lc`.
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

/** The candidate lists of one shared view, built once: per service, per zone × service, and per node (its own pods) × service. */
interface ViewLists {
  all: Int32Array[];
  zone: Int32Array[];
  local: Map<number, Int32Array[]>;
}

export class KubeProxies {
  readonly mode: Mode;
  readonly modeName: string;
  /**
   * Per node: the ready flag of every pod as this node's kube-proxy knows it
   * (a pod past the array's end: not ready). Read only: nodes that agree
   * share one array; views change through shareView, setView and applyChanges.
   */
  readonly ready: Uint8Array[];
  /** Per node: 1 when ready[k] is the node's own array (it may be written), 0 when shared. */
  private readonly ownView: Uint8Array;
  private readonly viewLists = new WeakMap<Uint8Array, ViewLists>();
  private readonly nZones: number;
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
    // Every node starts with one shared view in which no pod is ready yet (controlplane/endpoints.ts gives the first).
    const none = new Uint8Array(0);
    this.ready = topo.nodes.map(() => none);
    this.ownView = new Uint8Array(nNodes);
    // Only lc reads connection counts, and only a node that DNATs gets a table (connsOf).
    this.activeConns = topo.nodes.map(() => EMPTY);
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
    this.nZones = Math.max(0, ...topo.nodes.map((n) => n.zone + 1));
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

  /** Makes room in the connection tables for pods created after the start (rescheduling); views grow when written. */
  ensureCapacity(pods: number): void {
    for (let k = 0; k < this.activeConns.length; k++) {
      const old = this.activeConns[k];
      if (old === EMPTY || pods <= old.length) continue;
      const a = new Int32Array(Math.max(pods, old.length * 2));
      a.set(old);
      this.activeConns[k] = a;
    }
  }

  /** Node k's IPVS connection counts per pod, made when it first needs them. */
  private connsOf(k: number): Int32Array {
    let a = this.activeConns[k];
    if (a === EMPTY) {
      a = new Int32Array(Math.max(16, this.pods.count));
      this.activeConns[k] = a;
    }
    return a;
  }

  /**
   * Node k's kube-proxy now sees exactly `view`, an array shared by every
   * node that agrees with it and never written again, and rewrites its rules
   * from lists built once per view.
   */
  shareView(k: number, view: Uint8Array): void {
    this.ready[k] = view;
    this.ownView[k] = 0;
    let lists = this.viewLists.get(view);
    if (!lists) {
      lists = this.listsOf(view);
      this.viewLists.set(view, lists);
    }
    const zone = this.nodeZone[k];
    const local = lists.local.get(k);
    for (let s = 0; s < this.nServices; s++) {
      const cell = k * this.nServices + s;
      this.all[cell] = lists.all[s];
      this.local[cell] = local ? local[s] : EMPTY;
      this.zone[cell] = lists.zone[zone * this.nServices + s];
    }
    this.invalidateTrees(k);
  }

  /** Node k's kube-proxy sees pod p ready when `view[p]` is 1 (a copy of its own), and rewrites its rules. */
  setView(k: number, view: Uint8Array): void {
    const own = new Uint8Array(Math.max(view.length, this.pods.count));
    own.set(view);
    this.ready[k] = own;
    this.ownView[k] = 1;
    this.rebuild(k);
  }

  /** Node k's kube-proxy applies changes (pod, ready as 0 or 1, in pairs), in order, and rewrites its rules. */
  applyChanges(k: number, changes: readonly number[]): void {
    let view = this.ready[k];
    if (this.ownView[k] === 0 || view.length < this.pods.count) {
      const own = new Uint8Array(Math.max(this.pods.count, this.ownView[k] === 0 ? 0 : view.length * 2));
      own.set(view.subarray(0, Math.min(view.length, own.length)));
      view = own;
      this.ready[k] = own;
      this.ownView[k] = 1;
    }
    for (let i = 0; i < changes.length; i += 2) view[changes[i]] = changes[i + 1];
    this.rebuild(k);
  }

  /** The candidate lists of a shared view: O(pods), once per view. */
  private listsOf(view: Uint8Array): ViewLists {
    const pods = this.pods;
    const nS = this.nServices;
    const all: number[][] = Array.from({ length: nS }, () => []);
    const zone: number[][] = Array.from({ length: this.nZones * nS }, () => []);
    const local = new Map<number, number[][]>();
    const end = Math.min(view.length, pods.count);
    for (let p = 0; p < end; p++) {
      if (!view[p]) continue;
      const node = pods.node[p];
      const z = this.nodeZone[node];
      let own = local.get(node);
      if (!own) {
        own = Array.from({ length: nS }, () => []);
        local.set(node, own);
      }
      for (const s of this.servicesOfWorkload[pods.workload[p]]) {
        all[s].push(p);
        own[s].push(p);
        zone[z * nS + s].push(p);
      }
    }
    return {
      all: all.map((l, s) => this.shared(s, l)),
      zone: zone.map((l, i) => this.shared(nS * (1 + Math.floor(i / nS)) + (i % nS), l)),
      local: new Map([...local].map(([node, lists]) => [node, lists.map((l) => Int32Array.from(l))])),
    };
  }

  /** Rebuilds node k's candidate lists from its own ready flags. */
  private rebuild(k: number): void {
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
    this.invalidateTrees(k);
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

  /** Node k's lists changed: its lc trees are built again from its counts when next chosen from. */
  private invalidateTrees(k: number): void {
    if (this.mode !== Mode.LeastConnections) return;
    for (let s = 0; s < this.nServices; s++) {
      const cell = k * this.nServices + s;
      this.allTree[cell] = null;
      this.localTree[cell] = null;
      this.zoneTree[cell] = null;
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

  /** The min tree of the candidate list select() chose for this cell, built from node k's counts if needed. */
  private treeOf(k: number, cell: number, cands: Int32Array): MinTree {
    const trees = cands === this.all[cell] ? this.allTree : cands === this.local[cell] ? this.localTree : this.zoneTree;
    let tree = trees[cell];
    if (tree === null) {
      const active = this.connsOf(k);
      tree = new MinTree(cands.length, (i) => active[cands[i]]);
      trees[cell] = tree;
    }
    return tree;
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
        chosen = cands.length === 1 ? cands[0] : cands[this.treeOf(k, cell, cands).argmin()];
    }
    this.opened(k, chosen);
    return chosen;
  }

  /** Counts a connection in node k's table (IPVS lc). */
  private opened(k: number, pod: number): void {
    if (this.mode !== Mode.LeastConnections) return;
    this.updateTrees(k, pod, ++this.connsOf(k)[pod]);
  }

  /** A connection DNATed by node k to pod has closed. */
  closed(k: number, pod: number): void {
    if (this.mode !== Mode.LeastConnections) return;
    this.updateTrees(k, pod, --this.activeConns[k][pod]);
  }

  /** The pod's count in every candidate list of node k that holds it (trees not built yet read the counts when they are). */
  private updateTrees(k: number, pod: number, count: number): void {
    for (const s of this.servicesOfWorkload[this.pods.workload[pod]]) {
      const cell = k * this.nServices + s;
      const all = this.allTree[cell];
      const local = this.localTree[cell];
      const zone = this.zoneTree[cell];
      let i: number;
      if (all !== null && (i = indexOfSorted(this.all[cell], pod)) >= 0) all.set(i, count);
      if (local !== null && (i = indexOfSorted(this.local[cell], pod)) >= 0) local.set(i, count);
      if (zone !== null && (i = indexOfSorted(this.zone[cell], pod)) >= 0) zone.set(i, count);
    }
  }

  /** Forgets node k's connection table (its kube-proxy restarted with the node). */
  resetConnections(k: number): void {
    if (this.mode !== Mode.LeastConnections) return;
    this.activeConns[k].fill(0);
    this.invalidateTrees(k);
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
