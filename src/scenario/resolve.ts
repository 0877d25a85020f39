/**
 * Fills the defaults that depend on the rest of the scenario, so that the
 * engine gets a complete scenario and `validate --resolved` can print it.
 * `resolveScenario` is pure, runs on a scenario that passed the schema and
 * the rules, and its output is again a valid input that resolves to itself.
 *
 * Invariants of a resolved scenario (the engine may rely on them):
 * - `cluster.nodes`: one entry per node, none with `count` (an entry
 *   `{name: az1, count: 3}` became `az1-0, az1-1, az1-2`, in that order, each
 *   with the entry's `zone` and `maxPods`); names are unique.
 * - Every workload has `labels` (default `{app: <name>}`) and `placement` as a
 *   `{node: count}` map: keys are existing nodes in `cluster.nodes` order,
 *   every count ≥ 1, counts sum to `replicas` (an empty map for 0 replicas);
 *   pods of all workloads on a node never exceed its `maxPods`. Pods are
 *   named `<workload>-0..` in the order of that map.
 * - Every Service port has `targetPort`; every port of a NodePort or
 *   LoadBalancer Service has a `nodePort`, ClusterIP Services have none; a
 *   LoadBalancer Service with `externalTrafficPolicy: Local` has a
 *   `healthCheckNodePort`, no other Service has one. All nodePorts and
 *   healthCheckNodePorts are distinct and inside `serviceNodePortRange`.
 * - Every Service selects at least one workload, and each targetPort is a
 *   container port (by number, or by name) of every workload it selects.
 * - `loadBalancers` has exactly one entry per LoadBalancer Service, in the
 *   order of `services`, and none for other Services; each has `healthCheck`
 *   with all four fields, `failOpen` and `crossZone`, filled from its preset
 *   for the Service's `externalTrafficPolicy` where the user gave none.
 * - Empirical distributions given by `file` carry their `values`, and trace
 *   arrivals their `times` (seconds, ascending), read by the loader.
 * - Every name used anywhere (traffic `to.service`, `from`, `entryNode`,
 *   failures, loadBalancers) exists; `entryNode` other than `random` only
 *   with `via: nodePort`.
 */
import { labelsOf } from './labels.js';
// Types only: the simulation uses this file's placement (rescheduling, in
// every worker thread), which must not load zod and build the schema.
import type { ClusterNode, LoadBalancer, Scenario, Service, Workload } from './schema.js';

// ------------------------------------------------------------------- nodes

/** Nodes with `count` expanded into `name-0..name-(count-1)`. */
export function expandNodes(nodes: readonly ClusterNode[]): ClusterNode[] {
  return nodes.flatMap((n) => {
    const { count, ...node } = n;
    return count === undefined ? [node] : Array.from({ length: count }, (_, i) => ({ ...node, name: `${n.name}-${i}` }));
  });
}

/** How many nodes the list expands to, without expanding it. */
export function expandedNodeCount(nodes: readonly ClusterNode[]): number {
  return nodes.reduce((sum, n) => sum + (n.count ?? 1), 0);
}

// --------------------------------------------------------------- placement

/** A binary min-heap on a "comes first" order. */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(x: T): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l], a[m])) m = l;
        if (r < a.length && this.before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

interface Slot {
  name: string;
  order: number;
  pods: number;
  free: number;
}
interface ZoneSlots {
  order: number;
  pods: number;
  nodes: Heap<Slot>;
}

/**
 * The spread rule of the scenario format: each new pod goes to the zone with
 * the fewest pods of this workload, then to that zone's node with the
 * fewest, ties by order in `nodes` (zones are ordered by their first node in
 * `nodes`). `existing` counts the workload's pods already on each node (only
 * the given nodes count: pass the live ones to reschedule); `free`, when
 * given, is how many more pods each node can take (nodes missing from it take
 * none); without it there is no limit.
 *
 * Returns the workload's placement after adding the `count` new pods: a copy
 * of `existing` (every key kept, zeros included) with the new pods added.
 * When the nodes are full, fewer than `count` are added.
 */
export function spreadPlacement(
  nodes: readonly { name: string; zone: string }[],
  existing: ReadonlyMap<string, number>,
  count: number,
  free?: ReadonlyMap<string, number>,
): Map<string, number> {
  const zones = new Map<string, ZoneSlots>();
  nodes.forEach((n, order) => {
    let zone = zones.get(n.zone);
    if (!zone) {
      zone = { order: zones.size, pods: 0, nodes: new Heap<Slot>((a, b) => a.pods < b.pods || (a.pods === b.pods && a.order < b.order)) };
      zones.set(n.zone, zone);
    }
    const pods = existing.get(n.name) ?? 0;
    zone.pods += pods;
    const slot = { name: n.name, order, pods, free: free ? (free.get(n.name) ?? 0) : Infinity };
    if (slot.free > 0) zone.nodes.push(slot);
  });
  const zoneHeap = new Heap<ZoneSlots>((a, b) => a.pods < b.pods || (a.pods === b.pods && a.order < b.order));
  for (const z of zones.values()) if (z.nodes.size > 0) zoneHeap.push(z);

  const placed = new Map(existing);
  for (let i = 0; i < count && zoneHeap.size > 0; i++) {
    const zone = zoneHeap.pop()!;
    const node = zone.nodes.pop()!;
    node.pods++;
    node.free--;
    zone.pods++;
    placed.set(node.name, (placed.get(node.name) ?? 0) + 1);
    if (node.free > 0) zone.nodes.push(node);
    if (zone.nodes.size > 0) zoneHeap.push(zone);
  }
  return placed;
}

/**
 * The `packed` rule: fill nodes in `cluster.nodes` order, each up to the pods
 * it can still take (its `maxPods`, 110 by default like the kubelet's, less
 * the pods already placed on it). With the default that puts up to 110 pods
 * of a workload on the first node: the opposite extreme to `spread`, e.g.
 * for the cost of a single failure domain or of uneven `Local` traffic.
 */
export function packedPlacement(nodes: readonly { name: string }[], count: number, free?: ReadonlyMap<string, number>): Map<string, number> {
  const placed = new Map<string, number>();
  let left = count;
  for (const n of nodes) {
    if (left <= 0) break;
    const k = Math.min(left, free ? (free.get(n.name) ?? 0) : Infinity);
    if (k > 0) placed.set(n.name, k);
    left -= k;
  }
  return placed;
}

function inNodeOrder(nodes: readonly { name: string }[], counts: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of nodes) {
    const c = counts.get(n.name) ?? 0;
    if (c > 0) out.set(n.name, c);
  }
  return out;
}

/** One workload's place in the cluster, or how many of its pods found no room. */
export interface WorkloadPlacement {
  placement: Map<string, number>;
  unplaced: number;
}

/**
 * Places every workload on the (expanded) nodes: explicit `{node: count}`
 * maps first, as written, then `spread` and `packed` workloads in list order
 * into the room left by `maxPods`.
 */
export function placeWorkloads(nodes: readonly ClusterNode[], workloads: readonly Workload[]): WorkloadPlacement[] {
  const free = new Map(nodes.map((n) => [n.name, n.maxPods]));
  const take = (placement: ReadonlyMap<string, number>) => {
    for (const [node, c] of placement) free.set(node, (free.get(node) ?? 0) - c);
  };
  const out: WorkloadPlacement[] = workloads.map((w) => {
    if (typeof w.placement !== 'object') return { placement: new Map(), unplaced: 0 };
    const placement = inNodeOrder(nodes, new Map(Object.entries(w.placement)));
    take(placement);
    return { placement, unplaced: 0 };
  });
  const room = () => new Map([...free].map(([n, f]) => [n, Math.max(0, f)]));
  workloads.forEach((w, i) => {
    if (typeof w.placement === 'object') return;
    const placement = inNodeOrder(nodes, w.placement === 'packed' ? packedPlacement(nodes, w.replicas, room()) : spreadPlacement(nodes, new Map(), w.replicas, room()));
    take(placement);
    let placed = 0;
    for (const c of placement.values()) placed += c;
    out[i] = { placement, unplaced: w.replicas - placed };
  });
  return out;
}

// --------------------------------------------------------------- nodePorts

export function parsePortRange(range: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(range);
  return m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
}

/**
 * The order in which nodePorts are handed out, as in Kubernetes ≥ 1.29: the
 * range is split into a static band (its first min(max(16, size/32), 128)
 * ports, none when the range has fewer than 16, for users who pick their own) and a dynamic band (the rest), and
 * automatic allocation takes the dynamic band first. Kubernetes picks at
 * random inside a band; svcsim takes the lowest free port, so a scenario
 * always gets the same ports (30086, 30087, ... in the default range).
 */
export function nodePortAllocator(range: string, used: Set<number>): () => number | undefined {
  const [lo, hi] = parsePortRange(range);
  const size = hi - lo + 1;
  if (!(size > 0)) return () => undefined;
  // Kubernetes' calculateRangeOffset: no static band below 16 ports.
  const staticBand = size < 16 ? 0 : Math.min(Math.max(16, Math.floor(size / 32)), 128);
  const dynamicStart = lo + Math.min(staticBand, size);
  let next = 0;
  const portAt = (k: number) => (k < hi - dynamicStart + 1 ? dynamicStart + k : lo + (k - (hi - dynamicStart + 1)));
  return () => {
    while (next < size && used.has(portAt(next))) next++;
    if (next >= size) return undefined;
    const port = portAt(next++);
    used.add(port);
    return port;
  };
}

export function hasNodePorts(svc: Service): boolean {
  return svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer';
}

export function hasHealthCheckNodePort(svc: Service): boolean {
  return svc.spec.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local';
}

/** The nodePorts (per Service, per port) and healthCheckNodePorts every Service ends up with; `undefined` where the range ran out. */
export interface NodePortAssignment {
  nodePorts: (number | undefined)[][];
  healthCheckNodePorts: (number | undefined)[];
  /** How many ports could not be allocated. */
  missing: number;
}

/** Keeps the ports the user gave and allocates the others, Services in order, each Service's ports then its healthCheckNodePort. */
export function assignNodePorts(services: readonly Service[], range: string): NodePortAssignment {
  const used = new Set<number>();
  for (const svc of services) {
    if (!hasNodePorts(svc)) continue;
    for (const p of svc.spec.ports) if (p.nodePort !== undefined) used.add(p.nodePort);
    if (hasHealthCheckNodePort(svc) && svc.spec.healthCheckNodePort !== undefined) used.add(svc.spec.healthCheckNodePort);
  }
  const allocate = nodePortAllocator(range, used);
  let missing = 0;
  const take = (given: number | undefined) => {
    const port = given ?? allocate();
    if (port === undefined) missing++;
    return port;
  };
  const nodePorts = services.map((svc) => svc.spec.ports.map((p) => (hasNodePorts(svc) ? take(p.nodePort) : undefined)));
  const healthCheckNodePorts = services.map((svc) => (hasHealthCheckNodePort(svc) ? take(svc.spec.healthCheckNodePort) : undefined));
  return { nodePorts, healthCheckNodePorts, missing };
}

// ----------------------------------------------------------- load balancers

export interface HealthCheck {
  interval: number;
  timeout: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}
export interface LoadBalancerPreset {
  Cluster: HealthCheck;
  Local: HealthCheck;
  crossZone: boolean;
  failOpen: boolean;
}

const check = (interval: number, timeout: number, healthyThreshold: number, unhealthyThreshold: number): HealthCheck => ({ interval, timeout, healthyThreshold, unhealthyThreshold });

/**
 * Provider defaults by externalTrafficPolicy (reference §5).
 * - `generic`: the format's defaults (10 s / 6 s / 3 / 3, cross-zone, fail open).
 * - `aws-nlb` (AWS Load Balancer Controller, instance mode): Cluster probes
 *   the traffic port over TCP (10 s / 10 s / 3 / 3), Local probes
 *   healthCheckNodePort over HTTP (10 s / 6 s / 3 / 3); cross-zone load
 *   balancing is off by default; NLBs fail open.
 * - `gke` (L4 LB): Cluster uses the shared kube-proxy check (8 s / 1 s / 1 / 3),
 *   Local the healthCheckNodePort (3 s / 1 s / 1 / 2); regional, fails open.
 * - `azure` (cloud-provider-azure): 5 s interval and a threshold of 2, which
 *   Azure applies both ways (2 successes mark a target up, 2 failures down);
 *   an unanswered probe fails after the interval (5 s). When every probe is
 *   down a Standard LB keeps established TCP flows but sends new flows
 *   nowhere, so `failOpen` is false: new connections are dropped (svcsim's
 *   LB never resets established connections, so they carry on).
 */
export const LB_PRESETS: Record<LoadBalancer['preset'], LoadBalancerPreset> = {
  generic: { Cluster: check(10, 6, 3, 3), Local: check(10, 6, 3, 3), crossZone: true, failOpen: true },
  'aws-nlb': { Cluster: check(10, 10, 3, 3), Local: check(10, 6, 3, 3), crossZone: false, failOpen: true },
  gke: { Cluster: check(8, 1, 1, 3), Local: check(3, 1, 1, 2), crossZone: true, failOpen: true },
  azure: { Cluster: check(5, 5, 2, 2), Local: check(5, 5, 2, 2), crossZone: true, failOpen: false },
};

/** A loadBalancers entry with the preset's health check, failOpen and crossZone where the user gave none. */
export function withPreset(lb: LoadBalancer, svc: Service): LoadBalancer {
  const preset = LB_PRESETS[lb.preset];
  const hc = preset[svc.spec.externalTrafficPolicy];
  return {
    ...lb,
    healthCheck: {
      interval: lb.healthCheck?.interval ?? hc.interval,
      timeout: lb.healthCheck?.timeout ?? hc.timeout,
      healthyThreshold: lb.healthCheck?.healthyThreshold ?? hc.healthyThreshold,
      unhealthyThreshold: lb.healthCheck?.unhealthyThreshold ?? hc.unhealthyThreshold,
    },
    failOpen: lb.failOpen ?? preset.failOpen,
    crossZone: lb.crossZone ?? preset.crossZone,
  };
}

// ------------------------------------------------------------------ resolve

/** `defaultLoadBalancer(service)`: the entry of a LoadBalancer Service that `loadBalancers` leaves out (schema.ts's, passed in: see the imports). */
export function resolveScenario(input: Scenario, defaultLoadBalancer: (service: string) => LoadBalancer): Scenario {
  const s = structuredClone(input);
  s.cluster.nodes = expandNodes(s.cluster.nodes);

  const placements = placeWorkloads(s.cluster.nodes, s.workloads);
  s.workloads.forEach((w, i) => {
    w.labels = labelsOf(w);
    w.placement = Object.fromEntries(placements[i].placement);
  });

  const ports = assignNodePorts(s.services, s.cluster.serviceNodePortRange);
  s.services.forEach((svc, i) => {
    svc.spec.ports.forEach((p, j) => {
      p.targetPort ??= p.port;
      const nodePort = ports.nodePorts[i][j];
      if (nodePort === undefined) delete p.nodePort;
      else p.nodePort = nodePort;
    });
    const hc = ports.healthCheckNodePorts[i];
    if (hc === undefined) delete svc.spec.healthCheckNodePort;
    else svc.spec.healthCheckNodePort = hc;
  });

  const given = new Map<string, LoadBalancer>();
  for (const lb of s.loadBalancers) if (!given.has(lb.service)) given.set(lb.service, lb);
  s.loadBalancers = s.services
    .filter((svc) => svc.spec.type === 'LoadBalancer')
    .map((svc) => withPreset(given.get(svc.metadata.name) ?? defaultLoadBalancer(svc.metadata.name), svc));
  return s;
}
