/**
 * Fills the defaults that depend on the rest of the scenario, so that the
 * engine gets a complete scenario and `validate --resolved` can print it.
 * The output is again a valid input that resolves to itself.
 *
 * Invariants of a resolved scenario (the engine relies on them):
 * - `cluster.nodes` has no `count`: every node is listed by name;
 * - every workload has `labels` and a `placement` map `{node: count}`
 *   summing to `replicas`;
 * - every Service port has a `targetPort`; NodePort and LoadBalancer
 *   Services have a `nodePort` on every port; LoadBalancer Services with
 *   `externalTrafficPolicy: Local` have a `healthCheckNodePort`;
 * - `loadBalancers` has exactly one entry per LoadBalancer Service, in
 *   Service order, with `healthCheck` (all four fields), `failOpen` and
 *   `crossZone` filled from its preset.
 */
import type { ClusterNode, LoadBalancer, Scenario, Service } from './schema.js';

type Check = { interval: number; timeout: number; healthyThreshold: number; unhealthyThreshold: number };
const hc = (interval: number, timeout: number, healthyThreshold: number, unhealthyThreshold: number): Check => ({ interval, timeout, healthyThreshold, unhealthyThreshold });

/**
 * Provider defaults by externalTrafficPolicy (reference §5). `azure`: the
 * cloud-provider-azure probe (5 s, threshold 2; an answer counts at once);
 * when every probe is down Azure keeps existing flows but sends no new ones,
 * so `failOpen` is false.
 */
export const LB_PRESETS: Record<LoadBalancer['preset'], { Cluster: Check; Local: Check; crossZone: boolean; failOpen: boolean }> = {
  generic: { Cluster: hc(10, 6, 3, 3), Local: hc(10, 6, 3, 3), crossZone: true, failOpen: true },
  'aws-nlb': { Cluster: hc(10, 10, 3, 3), Local: hc(10, 6, 3, 3), crossZone: false, failOpen: true },
  gke: { Cluster: hc(8, 1, 1, 3), Local: hc(3, 1, 1, 2), crossZone: true, failOpen: true },
  azure: { Cluster: hc(5, 5, 1, 2), Local: hc(5, 5, 1, 2), crossZone: true, failOpen: false },
};

export function expandNodes(nodes: readonly ClusterNode[]): ClusterNode[] {
  return nodes.flatMap((n) =>
    n.count === undefined ? [{ name: n.name, zone: n.zone }] : Array.from({ length: n.count }, (_, i) => ({ name: `${n.name}-${i}`, zone: n.zone })),
  );
}

/**
 * The spread rule: each pod goes to the zone with the fewest pods of this
 * workload, then to that zone's node with the fewest, ties by order in
 * `cluster.nodes` (zones ordered by their first node). `existing` counts
 * pods already placed per node; only the given nodes are candidates.
 */
export function spreadPlacement(nodes: readonly { name: string; zone: string }[], existing: Map<string, number>, count: number): Map<string, number> {
  const placed = new Map(existing);
  const zones = [...new Set(nodes.map((n) => n.zone))];
  for (let i = 0; i < count; i++) {
    let bestZone = '';
    let bestZoneCount = Infinity;
    for (const z of zones) {
      const c = nodes.filter((n) => n.zone === z).reduce((s, n) => s + (placed.get(n.name) ?? 0), 0);
      if (c < bestZoneCount) {
        bestZone = z;
        bestZoneCount = c;
      }
    }
    let best: string | undefined;
    for (const n of nodes) if (n.zone === bestZone && (best === undefined || (placed.get(n.name) ?? 0) < (placed.get(best) ?? 0))) best = n.name;
    if (best === undefined) break;
    placed.set(best, (placed.get(best) ?? 0) + 1);
  }
  return placed;
}

/** `packed`: nodes in order each take ⌈replicas / nodes⌉ pods until all are placed (zones ignored). */
export function packedPlacement(nodes: readonly { name: string }[], count: number): Map<string, number> {
  const per = Math.ceil(count / Math.max(1, nodes.length));
  const placed = new Map<string, number>();
  let left = count;
  for (const n of nodes) {
    if (left <= 0) break;
    const k = Math.min(per, left);
    placed.set(n.name, k);
    left -= k;
  }
  return placed;
}

export function parsePortRange(range: string): [number, number] {
  const [lo, hi] = range.split('-').map(Number);
  return [lo, hi];
}

/**
 * NodePort allocation as in Kubernetes ≥ 1.29: the range is split into a
 * static band (the first min(max(16, size/32), 128) ports) and a dynamic
 * band; automatic allocation takes the dynamic band first. svcsim allocates
 * deterministically, lowest free port first.
 */
export function nodePortAllocator(range: string, used: Set<number>): () => number {
  const [lo, hi] = parsePortRange(range);
  const size = hi - lo + 1;
  const staticBand = Math.min(Math.max(16, Math.floor(size / 32)), 128);
  const order = [...Array.from({ length: size - staticBand }, (_, i) => lo + staticBand + i), ...Array.from({ length: staticBand }, (_, i) => lo + i)];
  let next = 0;
  return () => {
    while (next < order.length && used.has(order[next])) next++;
    if (next >= order.length) throw new Error(`no free nodePort left in ${range}`);
    const port = order[next++];
    used.add(port);
    return port;
  };
}

function needsNodePort(svc: Service): boolean {
  return svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer';
}

export function resolveScenario(input: Scenario): Scenario {
  const s = structuredClone(input);
  s.cluster.nodes = expandNodes(s.cluster.nodes);

  for (const w of s.workloads) {
    w.labels ??= { app: w.name };
    if (w.placement === 'spread') w.placement = Object.fromEntries(spreadPlacement(s.cluster.nodes, new Map(), w.replicas));
    else if (w.placement === 'packed') w.placement = Object.fromEntries(packedPlacement(s.cluster.nodes, w.replicas));
  }

  const used = new Set<number>();
  for (const svc of s.services) {
    for (const p of svc.spec.ports) if (p.nodePort !== undefined && needsNodePort(svc)) used.add(p.nodePort);
    if (svc.spec.healthCheckNodePort !== undefined) used.add(svc.spec.healthCheckNodePort);
  }
  const allocate = nodePortAllocator(s.cluster.serviceNodePortRange, used);
  for (const svc of s.services) {
    for (const p of svc.spec.ports) {
      p.targetPort ??= p.port;
      if (needsNodePort(svc)) p.nodePort ??= allocate();
      else delete p.nodePort;
    }
    if (svc.spec.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local') svc.spec.healthCheckNodePort ??= allocate();
  }

  const given = new Map(s.loadBalancers.map((lb) => [lb.service, lb]));
  s.loadBalancers = s.services
    .filter((svc) => svc.spec.type === 'LoadBalancer')
    .map((svc) => {
      const lb: LoadBalancer = given.get(svc.metadata.name) ?? { service: svc.metadata.name, preset: 'generic', algorithm: 'flowHash', targets: 'nodes', latency: { dist: 'constant', value: 0.0005 } };
      const preset = LB_PRESETS[lb.preset];
      const check = preset[svc.spec.externalTrafficPolicy];
      return {
        ...lb,
        healthCheck: {
          interval: lb.healthCheck?.interval ?? check.interval,
          timeout: lb.healthCheck?.timeout ?? check.timeout,
          healthyThreshold: lb.healthCheck?.healthyThreshold ?? check.healthyThreshold,
          unhealthyThreshold: lb.healthCheck?.unhealthyThreshold ?? check.unhealthyThreshold,
        },
        failOpen: lb.failOpen ?? preset.failOpen,
        crossZone: lb.crossZone ?? preset.crossZone,
      };
    });
  return s;
}
