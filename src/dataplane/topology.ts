/**
 * The cluster as the data path sees it: nodes with their zones and IPs, the
 * pods of every workload on their nodes, the Services with the workloads
 * their selectors match, and each traffic entry bound to its Service port.
 *
 * Built once per replication from a resolved scenario (scenario/resolved.ts:
 * node counts expanded, placement as `{node: count}` maps, nodePorts
 * allocated, one `loadBalancers` entry per LoadBalancer Service). Everything is indexed by small integers so the hot path works on
 * typed arrays; names and addresses are kept only for output and `trace`.
 *
 * An autoscaled node pool (`autoscaling: {min, max, provisionTime}`) gets
 * every node it could ever have, up to its `max`, here at set-up: the ones
 * beyond its starting count come after the scenario's nodes, named
 * `<pool>-<n>` (the first free n), and start "not provisioned" (like a node
 * that does not exist: no pods, no LB target, no kube-proxy) until the
 * cluster autoscaler adds them (controlplane/autoscaling.ts). So per-node
 * arrays keep a fixed size, and a scenario without pools has exactly its own
 * nodes, in its order.
 */
import { nodePools, type NodePool } from '../scenario/autoscaling.js';
import { selectorMatches } from '../scenario/labels.js';
import type { ResolvedLoadBalancer, ResolvedScenario, ResolvedService, ResolvedTraffic, ResolvedWorkload } from '../scenario/resolved.js';

export interface NodeInfo {
  index: number;
  name: string;
  zone: number;
  ip: string;
  /** The kubelet's pod limit. */
  maxPods: number;
  /** Index into `Topology.pools`, or -1 for a node of a fixed entry. */
  pool: number;
  /** false for a pool's node beyond its starting count: it exists only once the cluster autoscaler adds it. */
  provisioned: boolean;
}

export interface WorkloadInfo {
  index: number;
  name: string;
  spec: ResolvedWorkload;
  labels: Record<string, string>;
  /** Container ports by name, for named targetPorts. */
  namedPorts: Map<string, number>;
  /** Next pod ordinal: replacement pods continue the numbering (`web-12`, ...). */
  nextOrdinal: number;
}

export interface ServiceInfo {
  index: number;
  name: string;
  spec: ResolvedService['spec'];
  /** Workloads whose labels match the selector. */
  workloads: number[];
  /** The load balancer in front of it (LoadBalancer Services only). */
  loadBalancer: number;
  /** A stable made-up ClusterIP, for trace output. */
  clusterIP: string;
}

export interface LoadBalancerInfo {
  index: number;
  service: number;
  spec: ResolvedLoadBalancer;
  /** A made-up external IP (TEST-NET-3), for trace output. */
  ip: string;
}

export interface TrafficInfo {
  index: number;
  name: string;
  spec: ResolvedTraffic;
  service: number;
  /** The Service port (`port`), its nodePort, and the targetPort (number or name). */
  port: number;
  nodePort: number;
  targetPort: number | string;
  /** Origin node (from: {node}), zone (from: {zone}) or workload (from: {workload}); -1 when not that kind. */
  originNode: number;
  originZone: number;
  originWorkload: number;
  external: boolean;
  /** Fixed entry node for via: nodePort, or -1 for random. */
  entryNode: number;
  /** Offset of this entry's clients in the global source numbering (session affinity, IPVS sh); calls number their caller pods from the same offset. */
  clientOffset: number;
}

export interface Topology {
  /** The scenario's nodes in its order, then the pools' nodes not provisioned at the start. */
  nodes: NodeInfo[];
  /** The autoscaled node pools (scenario/autoscaling.ts `nodePools`). */
  pools: NodePool[];
  zones: string[];
  /** Node indexes per zone. */
  zoneNodes: number[][];
  workloads: WorkloadInfo[];
  services: ServiceInfo[];
  loadBalancers: LoadBalancerInfo[];
  traffic: TrafficInfo[];
  /** Initial pods: [workload, node] in creation order (pod index = position). */
  initialPods: { workload: number; node: number; name: string }[];
  /** Clients of the scenario's traffic entries; calls' sources (caller pods) are numbered after them. */
  totalClients: number;
}

function nodeIp(index: number): string {
  return `10.0.${Math.floor(index / 250)}.${10 + (index % 250)}`;
}

export function podIp(node: number, slot: number): string {
  return `10.244.${node}.${2 + (slot % 250)}`;
}

/** Resolves a traffic entry's `to.port` (number or name) to the Service port. */
function findServicePort(svc: ResolvedService, port: number | string) {
  return svc.spec.ports.find((p) => (typeof port === 'number' ? p.port === port : p.name === port));
}

export function buildTopology(s: ResolvedScenario): Topology {
  const zones: string[] = [];
  const zoneOf = (name: string): number => {
    const zone = zones.indexOf(name);
    return zone < 0 ? zones.push(name) - 1 : zone;
  };
  const pools = nodePools(s);
  const poolIndex = new Map(pools.map((p, i) => [p.name, i]));
  const nodes: NodeInfo[] = s.cluster.nodes.map((n, index) => ({
    index,
    name: n.name,
    zone: zoneOf(n.zone),
    ip: nodeIp(index),
    maxPods: n.maxPods,
    pool: n.pool !== undefined ? (poolIndex.get(n.pool) ?? -1) : -1,
    provisioned: true,
  }));
  const taken = new Set(nodes.map((n) => n.name));
  pools.forEach((p, pool) => {
    let ordinal = 0;
    for (let k = p.nodes.length; k < p.max; k++) {
      while (taken.has(`${p.name}-${ordinal}`)) ordinal++;
      const name = `${p.name}-${ordinal}`;
      taken.add(name);
      const index = nodes.length;
      nodes.push({ index, name, zone: zoneOf(p.zone), ip: nodeIp(index), maxPods: p.maxPods, pool, provisioned: false });
    }
  });
  const zoneNodes = zones.map((_, z) => nodes.filter((n) => n.zone === z).map((n) => n.index));
  const nodeIndex = new Map(nodes.map((n) => [n.name, n.index]));

  const workloads: WorkloadInfo[] = s.workloads.map((w, index) => {
    const namedPorts = new Map<string, number>();
    for (const p of w.ports) if (typeof p !== 'number' && p.name) namedPorts.set(p.name, p.containerPort);
    return { index, name: w.name, spec: w, labels: w.labels, namedPorts, nextOrdinal: w.replicas };
  });
  const workloadIndex = new Map(workloads.map((w) => [w.name, w.index]));

  const initialPods: Topology['initialPods'] = [];
  for (const w of workloads) {
    let ordinal = 0;
    for (const [nodeName, count] of Object.entries(w.spec.placement)) {
      const node = nodeIndex.get(nodeName);
      if (node === undefined) throw new Error(`workload ${w.name}: placement names unknown node ${nodeName}`);
      for (let i = 0; i < count; i++) initialPods.push({ workload: w.index, node, name: `${w.name}-${ordinal++}` });
    }
  }

  const lbByService = new Map(s.loadBalancers.map((lb, i) => [lb.service, i]));
  const services: ServiceInfo[] = s.services.map((svc, index) => ({
    index,
    name: svc.metadata.name,
    spec: svc.spec,
    workloads: workloads.filter((w) => selectorMatches(svc.spec.selector, w.labels)).map((w) => w.index),
    loadBalancer: lbByService.get(svc.metadata.name) ?? -1,
    clusterIP: `10.96.${Math.floor(index / 250)}.${10 + (index % 250)}`,
  }));
  const serviceIndex = new Map(services.map((x) => [x.name, x.index]));

  const loadBalancers: LoadBalancerInfo[] = s.loadBalancers.map((lb, index) => {
    const service = serviceIndex.get(lb.service);
    if (service === undefined) throw new Error(`loadBalancers: unknown service ${lb.service}`);
    return { index, service, spec: lb, ip: `203.0.113.${10 + index}` };
  });

  let clientOffset = 0;
  const traffic: TrafficInfo[] = s.traffic.map((t, index) => {
    const service = serviceIndex.get(t.to.service);
    if (service === undefined) throw new Error(`traffic ${t.name}: unknown service ${t.to.service}`);
    const svc = s.services[service];
    const sp = findServicePort(svc, t.to.port);
    if (!sp) throw new Error(`traffic ${t.name}: service ${t.to.service} has no port ${t.to.port}`);
    const from = t.from;
    const info: TrafficInfo = {
      index,
      name: t.name,
      spec: t,
      service,
      port: sp.port,
      nodePort: sp.nodePort,
      targetPort: sp.targetPort,
      originNode: from !== 'external' && 'node' in from ? (nodeIndex.get(from.node) ?? -1) : -1,
      originZone: from !== 'external' && 'zone' in from ? zones.indexOf(from.zone) : -1,
      originWorkload: from !== 'external' && 'workload' in from ? (workloadIndex.get(from.workload) ?? -1) : -1,
      external: from === 'external',
      entryNode: t.entryNode === 'random' ? -1 : (nodeIndex.get(t.entryNode) ?? -1),
      clientOffset,
    };
    clientOffset += t.clients;
    return info;
  });

  return { nodes, pools, zones, zoneNodes, workloads, services, loadBalancers, traffic, initialPods, totalClients: clientOffset };
}
