/**
 * The route of a new connection, in the order it happens: the client's
 * origin (an in-cluster client sends from a live node, or from the node of a
 * running pod of its workload), the cloud LB's pick of a target (a node, or a
 * pod in IP mode), the entry node where the packet lands, that node's
 * kube-proxy DNAT to a pod, and the hop to that pod's node.
 *
 * `route()` answers with the pod, or with why the connection fails before it
 * reaches one (a `RouteFailure`, a negative code); the hops of the path and
 * the LB target, entry node and origin go into the router's scratch fields,
 * which the caller reads before the next call. Nothing is allocated. Only
 * views are consulted: the LB's health (controlplane/healthChecks.ts) and the
 * entry node's kube-proxy rules (controlplane/endpoints.ts) may be stale;
 * whether the chosen pod answers is the connection's business (connections.ts).
 *
 * How a traffic entry's connections enter (spec `traffic.to.via`):
 * - `loadBalancer` from outside: client → LB → node (or pod) → kube-proxy;
 * - `nodePort`: client → <NodeIP>:nodePort (a fixed or random node) → kube-proxy,
 *   with the entry node's `externalTrafficPolicy`;
 * - `clusterIP`, or an in-cluster client calling the LB IP: kube-proxy on the
 *   client's own node intercepts it with Cluster semantics (reference §3),
 *   or with `internalTrafficPolicy` for clusterIP.
 */
import type { RandomStream } from '../engine/random.js';
import { NO_ENDPOINTS, NO_LOCAL_ENDPOINT, type KubeProxies } from './kubeProxy.js';
import { LB_DROP, type LoadBalancerState } from './loadBalancer.js';
import { MAX_HOPS } from './connections.js';
import { Network } from './network.js';
import type { Pods } from './pod.js';
import type { Topology } from './topology.js';

/** Why a new connection fails before reaching a pod (route() returns these, all negative). */
export const enum RouteFailure {
  /** An in-cluster client has no live node or running pod left to send from (a retry after its origin died). */
  NoOrigin = -1,
  /** The LB has no healthy target and does not fail open: the SYN is dropped. */
  LbDrop = -2,
  /** The entry node is down: the SYN is not answered. */
  NodeDown = -3,
  /** The Service has no ready endpoint in the entry node's view: kube-proxy rejects (ECONNREFUSED). */
  NoEndpoints = -4,
  /** A Local traffic policy and no local endpoint on the entry node: kube-proxy drops the SYN. */
  NoLocalEndpoint = -5,
}

/** How a traffic entry's new connections find their DNAT node. */
const enum Via {
  /** External client → cloud LB → node (or pod). */
  LoadBalancer = 0,
  /** Client → <NodeIP>:nodePort. */
  NodePort = 1,
  /** In-cluster client → kube-proxy on its own node (clusterIP, or the LB IP short-circuited). */
  ClusterIP = 2,
}

export class Router {
  /** Scratch output of the last route(): the path's hops, in order from the client. */
  readonly hops = new Int32Array(MAX_HOPS);
  hopCount = 0;
  /** The origin node (-1: external), the LB target (-1: no LB), the entry node (-1: none, IP mode). */
  origin = -1;
  /** The pod a `{workload}` origin sends from (-1 for other origins), for trace output. */
  originPod = -1;
  lbTarget = -1;
  entry = -1;
  /** What the entry node's kube-proxy answered (a pod, NO_ENDPOINTS or NO_LOCAL_ENDPOINT), for trace output. */
  selected = -1;
  /**
   * Traffic entries from this one on are calls between Services (calls.ts):
   * they leave from `callerNode`, the caller pod's node, and kube-proxy sees
   * the caller pod `callerPod` as their source (ClientIP affinity, IPVS sh).
   */
  firstCallEntry = 0x7fffffff;
  callerNode = -1;
  callerPod = -1;

  private readonly viaOf: Uint8Array;
  private readonly externalOf: Uint8Array;
  /** 1 when a Local traffic policy applies to the entry's connections at the DNAT node. */
  readonly localPolicyOf: Uint8Array;
  /** The load balancer in front of each traffic entry's Service, or -1. */
  readonly lbOf: Int32Array;
  private readonly serviceOf: Int32Array;
  private readonly entryNodeOf: Int32Array;
  private readonly clientOffsetOf: Int32Array;
  private readonly nodeZone: Int32Array;
  /** The nodes that exist (an autoscaled pool's node only once provisioned): a random nodePort entry is one of them. */
  private entryNodes: Int32Array;

  constructor(
    private readonly topo: Topology,
    private readonly network: Network,
    private readonly pods: Pods,
    private readonly nodeAlive: Uint8Array,
    private readonly proxies: KubeProxies,
    private readonly lbs: readonly LoadBalancerState[],
    /** Per traffic entry: the stream that picks origins and random entry nodes. */
    private readonly originStreams: readonly RandomStream[],
  ) {
    const traffic = topo.traffic;
    this.viaOf = Uint8Array.from(traffic.map((t) => (t.spec.to.via === 'loadBalancer' && t.external ? Via.LoadBalancer : t.spec.to.via === 'nodePort' ? Via.NodePort : Via.ClusterIP)));
    this.externalOf = Uint8Array.from(traffic.map((t) => (t.external ? 1 : 0)));
    this.localPolicyOf = Uint8Array.from(
      traffic.map((t) => {
        const spec = topo.services[t.service].spec;
        const via = t.spec.to.via;
        // An in-cluster client calling the LB IP always gets Cluster semantics (reference §3).
        if (via === 'loadBalancer') return t.external && spec.externalTrafficPolicy === 'Local' ? 1 : 0;
        if (via === 'nodePort') return spec.externalTrafficPolicy === 'Local' ? 1 : 0;
        return spec.internalTrafficPolicy === 'Local' ? 1 : 0;
      }),
    );
    this.lbOf = Int32Array.from(traffic.map((t) => topo.services[t.service].loadBalancer));
    this.serviceOf = Int32Array.from(traffic.map((t) => t.service));
    this.entryNodeOf = Int32Array.from(traffic.map((t) => t.entryNode));
    this.clientOffsetOf = Int32Array.from(traffic.map((t) => t.clientOffset));
    this.nodeZone = Int32Array.from(topo.nodes.map((n) => n.zone));
    this.entryNodes = new Int32Array(0);
    this.nodesChanged();
  }

  /** The cluster autoscaler added or removed a node (topology.ts `provisioned`). */
  nodesChanged(): void {
    this.entryNodes = Int32Array.from(this.topo.nodes.filter((n) => n.provisioned).map((n) => n.index));
  }

  /** Whether traffic entry t's new connections go through its Service's cloud LB (external clients via loadBalancer). */
  viaLoadBalancer(t: number): boolean {
    return this.viaOf[t] === Via.LoadBalancer;
  }

  /** Whether traffic entry t can send now: external clients always; in-cluster ones need a live node or running pod. */
  originExists(t: number): boolean {
    return this.topo.traffic[t].external || this.inClusterOriginExists(t);
  }

  /** Whether in-cluster traffic entry t has its origin node, a live node of its zone or a running pod. */
  private inClusterOriginExists(t: number): boolean {
    const info = this.topo.traffic[t];
    if (info.originNode >= 0) return this.nodeAlive[info.originNode] === 1;
    if (info.originZone >= 0) {
      for (const n of this.topo.zoneNodes[info.originZone]) if (this.nodeAlive[n]) return true;
      return false;
    }
    return this.pods.running(info.originWorkload).length > 0;
  }

  /** The node a new connection of an in-cluster origin comes from; -1 when none is left. */
  private pickOrigin(t: number): number {
    this.originPod = -1;
    if (t >= this.firstCallEntry) return this.callerNode;
    const info = this.topo.traffic[t];
    if (info.originNode >= 0) return info.originNode;
    const rng = this.originStreams[t];
    if (info.originZone >= 0) {
      const nodes = this.topo.zoneNodes[info.originZone];
      let live = 0;
      for (const n of nodes) live += this.nodeAlive[n];
      if (live === 0) return -1;
      let k = rng.nextInt(live);
      for (const n of nodes) if (this.nodeAlive[n] && k-- === 0) return n;
      return -1;
    }
    const pods = this.pods.running(info.originWorkload);
    if (pods.length === 0) return -1;
    this.originPod = pods[rng.nextInt(pods.length)];
    return this.pods.node[this.originPod];
  }

  /**
   * Routes a new connection of traffic entry t's `client` at time `now`:
   * returns the pod it reaches, or a RouteFailure. The LB and kube-proxy
   * count the connection as open on success (connections.ts closes it).
   */
  route(t: number, client: number, now: number): number {
    const hops = this.hops;
    let hopCount = 0;
    hops[hopCount++] = this.network.trafficHop0 + t;
    let entry = -1;
    let lbTarget = -1;
    let origin = -1;
    let pod = -1;
    const via = this.viaOf[t];
    this.selected = -1;

    if (via !== Via.LoadBalancer && this.externalOf[t] === 0) {
      origin = this.pickOrigin(t);
      if (origin < 0) return this.fail(RouteFailure.NoOrigin, hopCount, origin, lbTarget, entry, t);
    }
    if (via === Via.LoadBalancer) {
      const lbIndex = this.lbOf[t];
      const lb = this.lbs[lbIndex];
      hops[hopCount++] = this.network.lbHop0 + lbIndex;
      lbTarget = lb.pick();
      if (lbTarget === LB_DROP) return this.fail(RouteFailure.LbDrop, hopCount, origin, -1, entry, t);
      if (lb.targetsArePods) pod = lbTarget;
      else entry = lbTarget;
    } else if (via === Via.NodePort) {
      const fixed = this.entryNodeOf[t];
      if (fixed >= 0) entry = fixed;
      else if (this.entryNodes.length > 0) entry = this.entryNodes[this.originStreams[t].nextInt(this.entryNodes.length)];
      else return this.fail(RouteFailure.NoOrigin, hopCount, origin, lbTarget, entry, t);
      if (origin >= 0) hops[hopCount++] = Network.between(origin, entry, this.nodeZone[origin], this.nodeZone[entry]);
    } else entry = origin;

    if (entry >= 0) {
      if (this.nodeAlive[entry] === 0) return this.fail(RouteFailure.NodeDown, hopCount, origin, lbTarget, entry, t);
      const source = this.clientOffsetOf[t] + (t >= this.firstCallEntry ? this.callerPod : client);
      pod = this.proxies.select(entry, this.serviceOf[t], this.localPolicyOf[t] === 1, source, now);
      this.selected = pod;
      if (pod === NO_ENDPOINTS) return this.fail(RouteFailure.NoEndpoints, hopCount, origin, lbTarget, entry, t);
      if (pod === NO_LOCAL_ENDPOINT) return this.fail(RouteFailure.NoLocalEndpoint, hopCount, origin, lbTarget, entry, t);
      const podNode = this.pods.node[pod];
      hops[hopCount++] = Network.between(entry, podNode, this.nodeZone[entry], this.nodeZone[podNode]);
    }
    this.hopCount = hopCount;
    this.origin = origin;
    this.lbTarget = lbTarget;
    this.entry = entry;
    return pod;
  }

  /** Records where a failed route got to, and undoes the LB's count of the connection. */
  private fail(why: RouteFailure, hopCount: number, origin: number, lbTarget: number, entry: number, t: number): RouteFailure {
    this.hopCount = hopCount;
    this.origin = origin;
    this.lbTarget = lbTarget;
    this.entry = entry;
    if (lbTarget >= 0) this.lbs[this.lbOf[t]].closed(lbTarget);
    return why;
  }

  /** How long the reject of a failed route takes to come back: every hop so far, there and back. */
  rejectDelay(): number {
    let d = 0;
    for (let i = 0; i < this.hopCount; i++) d += this.network.sample(this.hops[i]) + this.network.sample(this.hops[i]);
    return d;
  }

  /** What the client sees when the last route() failed, and why, for trace output. */
  explain(why: RouteFailure, t: number): string {
    const nodeName = this.entry >= 0 ? this.topo.nodes[this.entry].name : '';
    switch (why) {
      case RouteFailure.NoOrigin:
        return 'the client has no live node or running pod left to send from';
      case RouteFailure.LbDrop:
        return 'the load balancer has no healthy target and does not fail open: connection dropped';
      case RouteFailure.NodeDown:
        return `node ${nodeName} is down: the SYN is not answered`;
      case RouteFailure.NoEndpoints:
        return `service ${this.topo.services[this.serviceOf[t]].name} has no ready endpoints: kube-proxy rejects the connection`;
      case RouteFailure.NoLocalEndpoint:
        return `${nodeName} has no local endpoint for ${this.viaOf[t] === Via.ClusterIP ? 'internalTrafficPolicy' : 'externalTrafficPolicy'}: Local: dropped`;
    }
  }
}
