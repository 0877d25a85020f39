/**
 * TCP connections from clients to pods, and the time packets take on them.
 *
 * A connection is opened along the path route.ts chose (client → LB → node
 * → kube-proxy DNAT → pod) and keeps it: conntrack pins the flow to its pod
 * even when the pod is gone (reference §2, §4). A client keeps at most one
 * open connection per traffic entry and sends up to `requestsPerConnection`
 * requests on it (keep-alive), which then skip the handshake and kube-proxy;
 * a request sent while the handshake is in flight waits for it. A connection
 * is closed when it has carried its last request or an attempt on it failed,
 * and its record is freed when its last attempt ends.
 *
 * Every traversal of a hop draws its own delay (network.ts); the path is a
 * short list of hop ids per connection. When every hop of the path is
 * constant (the defaults are) its one-way delay is kept, which saves the
 * walk on the hot path.
 *
 * Records are a pool of typed arrays (structure of arrays) with a free list:
 * nothing is allocated per connection once the pool is large enough.
 */
import { grown } from '../engine/typedArrays.js';
import type { KubeProxies } from './kubeProxy.js';
import type { LoadBalancerState } from './loadBalancer.js';
import { HOP_PROXY, type Network } from './network.js';
import { PodState, type Pods } from './pod.js';
import type { Topology } from './topology.js';

/** The most hops a path has: client → LB → node → pod, or client → node → node → pod. */
export const MAX_HOPS = 4;

/** Whether a packet on an established connection reaches a pod that answers. */
export const enum Reach {
  Ok = 0,
  /** The pod's node, or the node that DNATed the flow, is down: nothing answers. */
  NodeDown = 1,
  /** The pod is not running on a live node: the node answers with a reset. */
  PodGone = 2,
}

export class Connections {
  private cap = 0;
  private readonly free: number[] = [];
  traffic = new Int32Array(0);
  client = new Int32Array(0);
  pod = new Int32Array(0);
  /** The node whose kube-proxy DNATed the connection, or -1 (LB straight to pods). */
  entry = new Int32Array(0);
  /** The LB target (node or pod), or -1 without an LB. */
  lbTarget = new Int32Array(0);
  origin = new Int32Array(0);
  /** Requests sent on it so far, and attempts on it that have not ended. */
  carried = new Int32Array(0);
  inFlight = new Int32Array(0);
  closed = new Uint8Array(0);
  /** When its handshake completes: requests sent before wait for it. */
  establishedAt = new Float64Array(0);
  hops = new Int32Array(0);
  hopCount = new Uint8Array(0);
  crossNode = new Uint8Array(0);
  crossZone = new Uint8Array(0);
  /** One-way delay of the path when every hop is constant, else NaN; and its client and LB parts. */
  private fixed = new Float64Array(0);
  private fixedClient = new Float64Array(0);
  private fixedLb = new Float64Array(0);
  /**
   * The parts of the last pathDelay(): client ↔ LB or entry node (`client_network`),
   * LB ↔ target (`load_balancer`); the rest (node ↔ node, node → pod, kube-proxy) is forwarding.
   */
  lastClient = 0;
  lastLb = 0;

  /** Per traffic entry, per client: its kept-alive connection, or -1. */
  private readonly ofClient: Int32Array[];
  private readonly perConnection: Int32Array;
  private readonly lbOf: Int32Array;
  private readonly nodeZone: Int32Array;
  /** While a traced request's packets travel, hop samples go here as [hop, seconds] pairs. */
  hopLog: number[] | null = null;

  constructor(
    topo: Topology,
    private readonly network: Network,
    private readonly pods: Pods,
    private readonly nodeAlive: Uint8Array,
    private readonly proxies: KubeProxies,
    private readonly lbs: readonly LoadBalancerState[],
  ) {
    this.ofClient = topo.traffic.map((t) => new Int32Array(t.spec.clients).fill(-1));
    this.perConnection = Int32Array.from(topo.traffic.map((t) => t.spec.requestsPerConnection));
    this.lbOf = Int32Array.from(topo.traffic.map((t) => topo.services[t.service].loadBalancer));
    this.nodeZone = Int32Array.from(topo.nodes.map((n) => n.zone));
  }

  private grow(): void {
    const cap = Math.max(64, this.cap * 2);
    this.traffic = grown(this.traffic, cap);
    this.client = grown(this.client, cap);
    this.pod = grown(this.pod, cap);
    this.entry = grown(this.entry, cap);
    this.lbTarget = grown(this.lbTarget, cap);
    this.origin = grown(this.origin, cap);
    this.carried = grown(this.carried, cap);
    this.inFlight = grown(this.inFlight, cap);
    this.closed = grown(this.closed, cap);
    this.establishedAt = grown(this.establishedAt, cap);
    this.hops = grown(this.hops, cap * MAX_HOPS);
    this.hopCount = grown(this.hopCount, cap);
    this.crossNode = grown(this.crossNode, cap);
    this.crossZone = grown(this.crossZone, cap);
    this.fixed = grown(this.fixed, cap);
    this.fixedClient = grown(this.fixedClient, cap);
    this.fixedLb = grown(this.fixedLb, cap);
    for (let i = cap - 1; i >= this.cap; i--) this.free.push(i);
    this.cap = cap;
  }

  /** The client's kept-alive connection of traffic entry t that can carry another request, or -1. */
  keptAlive(t: number, client: number): number {
    const table = this.ofClient[t];
    if (client >= table.length) return -1;
    const c = table[client];
    return c >= 0 && this.closed[c] === 0 ? c : -1;
  }

  /**
   * A new connection of traffic entry t's client along a path: `hops[0..hopCount)`,
   * DNATed by node `entry` (-1: none) to `pod`, through LB target `lbTarget` (-1: none).
   */
  open(t: number, client: number, pod: number, entry: number, lbTarget: number, origin: number, hops: Int32Array, hopCount: number): number {
    if (this.free.length === 0) this.grow();
    const c = this.free.pop() as number;
    this.traffic[c] = t;
    this.client[c] = client;
    this.pod[c] = pod;
    this.entry[c] = entry;
    this.lbTarget[c] = lbTarget;
    this.origin[c] = origin;
    this.carried[c] = 0;
    this.inFlight[c] = 0;
    this.closed[c] = 0;
    this.hopCount[c] = hopCount;
    let fixed = 0;
    let clientPart = 0;
    let lbPart = 0;
    // Everything the loop reads is in locals: V8 checks an object's map and reloads its fields at every
    // step of a loop, and reads an exported const (MAX_HOPS) from its module's cell each time.
    const net = this.network;
    const constant = net.constant;
    const lbHop0 = net.lbHop0;
    const trafficHop0 = net.trafficHop0;
    const path = this.hops;
    const base = c * MAX_HOPS;
    for (let i = 0; i < hopCount; i++) {
      const hop = hops[i];
      path[base + i] = hop;
      const d = constant[hop];
      fixed += d;
      if (hop >= lbHop0) lbPart += d;
      else if (hop >= trafficHop0) clientPart += d;
    }
    this.fixed[c] = fixed;
    this.fixedClient[c] = clientPart;
    this.fixedLb[c] = lbPart;
    const podNode = this.pods.node[pod];
    this.crossNode[c] = entry >= 0 && podNode !== entry ? 1 : 0;
    this.crossZone[c] = entry >= 0 && this.nodeZone[podNode] !== this.nodeZone[entry] ? 1 : 0;
    return c;
  }

  /** Connection c is its client's kept-alive connection from now on. */
  keepAlive(c: number): void {
    const t = this.traffic[c];
    const client = this.client[c];
    // Calls number their clients by caller pod: pods created after the start grow the table.
    let table = this.ofClient[t];
    if (client >= table.length) {
      const old = table.length;
      table = this.ofClient[t] = grown(table, Math.max(client + 1, 2 * old));
      table.fill(-1, old);
    }
    table[client] = c;
  }

  /** Whether a packet on c now reaches a pod that answers (conntrack keeps the flow on its pod). */
  reach(c: number): Reach {
    const p = this.pod[c];
    const entry = this.entry[c];
    if (this.nodeAlive[this.pods.node[p]] === 0 || (entry >= 0 && this.nodeAlive[entry] === 0)) return Reach.NodeDown;
    return this.pods.state[p] === PodState.Running ? Reach.Ok : Reach.PodGone;
  }

  /** An attempt is on c (counted until `release`). */
  attach(c: number): void {
    this.inFlight[c]++;
  }

  /** A request is sent on c: attached, and c is closed to new requests when it has carried requestsPerConnection. */
  carry(c: number): void {
    this.inFlight[c]++;
    if (++this.carried[c] >= this.perConnection[this.traffic[c]]) this.close(c);
  }

  /** An attempt on c ended (a failed one closes c); c is freed with its last attempt once closed. */
  release(c: number, ok: boolean): void {
    if (!ok) this.close(c);
    if (--this.inFlight[c] === 0 && this.closed[c]) this.recycle(c);
  }

  /** No new requests go over c; it is freed when its last attempt ends. */
  close(c: number): void {
    if (this.closed[c]) return;
    this.closed[c] = 1;
    const table = this.ofClient[this.traffic[c]];
    const client = this.client[c];
    if (client < table.length && table[client] === c) table[client] = -1;
    if (this.inFlight[c] === 0) this.recycle(c);
  }

  private recycle(c: number): void {
    const entry = this.entry[c];
    if (entry >= 0) this.proxies.closed(entry, this.pod[c]);
    const target = this.lbTarget[c];
    if (target >= 0) this.lbs[this.lbOf[this.traffic[c]]].closed(target);
    this.free.push(c);
  }

  /**
   * When new connection c, opened at `now`, can carry its first request: after
   * the SYN and the SYN-ACK with a handshake, at once without.
   */
  establish(c: number, now: number, handshake: boolean): number {
    let sendAt = now;
    if (handshake) {
      const syn = this.pathDelay(c, true);
      const synAck = this.pathDelay(c, false);
      sendAt = now + syn + synAck;
    }
    this.establishedAt[c] = sendAt;
    return sendAt;
  }

  /** When a request sent now on kept-alive connection c leaves: after c's handshake if that is still in flight. */
  sendTime(c: number, now: number): number {
    return this.establishedAt[c] > now ? this.establishedAt[c] : now;
  }

  /** One-way delay along c's path; `proxy`: this packet is the connection's first at the DNAT node (kube-proxy's cost). */
  pathDelay(c: number, proxy: boolean): number {
    if (c < 0) {
      this.lastClient = this.lastLb = 0;
      return 0;
    }
    const fixed = this.fixed[c];
    if (fixed === fixed && this.hopLog === null) {
      this.lastClient = this.fixedClient[c];
      this.lastLb = this.fixedLb[c];
      return proxy && this.entry[c] >= 0 ? fixed + this.network.sample(HOP_PROXY) : fixed;
    }
    return this.sampledPathDelay(c, proxy);
  }

  /** `pathDelay()` hop by hop: some hop's delay is random, or the hops are being traced. */
  private sampledPathDelay(c: number, proxy: boolean): number {
    const n = this.hopCount[c];
    const base = c * MAX_HOPS;
    const hops = this.hops;
    const net = this.network;
    const log = this.hopLog;
    let d = 0;
    let client = 0;
    let lb = 0;
    // Path order: client side first; kube-proxy's cost sits before the last hop (node → pod).
    const proxyBefore = proxy && this.entry[c] >= 0 ? n - 1 : -1;
    for (let i = 0; i < n; i++) {
      if (i === proxyBefore) {
        const x = net.sample(HOP_PROXY);
        d += x;
        if (log !== null) log.push(HOP_PROXY, x);
      }
      const hop = hops[base + i];
      const x = net.sample(hop);
      d += x;
      if (hop >= net.lbHop0) lb += x;
      else if (hop >= net.trafficHop0) client += x;
      if (log !== null) log.push(hop, x);
    }
    this.lastClient = client;
    this.lastLb = lb;
    return d;
  }
}
