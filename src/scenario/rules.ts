/**
 * The rules Kubernetes enforces, and the ones without which a scenario means
 * nothing, checked on a scenario that passed the schema (so every field has
 * its type). Each finding names the place (concrete segments into the
 * document, for its line and column) and says why, in Kubernetes' terms.
 *
 * Warnings point at fields that are accepted but do not do here what they do
 * in a cluster (the ignored parts of a pasted Service), or at settings that
 * probably skew the results.
 *
 * Sweep and `--set` paths are checked by the loader, which has the document
 * as written (see paths.ts).
 */
import { labelsOf, selectorMatches } from './labels.js';
import type { Segment } from './paths.js';
import { assignNodePorts, expandedNodeCount, expandNodes, hasNodePorts, parsePortRange, placeWorkloads } from './resolve.js';
import { failureKind } from './failureKind.js';
import type { Scenario, Service, ServicePort, Workload } from './schema.js';
import { calledServices, callSites, servicePortIndex } from './calls.js';
import { parseSloScope } from './slos.js';

export interface Finding {
  segs: Segment[];
  message: string;
  warning?: boolean;
  /** Point at the key of the last segment rather than at its value (a name in a map). */
  atKey?: boolean;
}

/** Bounds that keep every scenario quick to load (and to simulate at all). */
export const LIMITS = { nodes: 10_000, variants: 1_000 } as const;

function have(names: Iterable<string>): string {
  const a = [...new Set(names)];
  return a.length ? ` (have: ${a.join(', ')})` : '';
}

function flow(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')}}`;
}

function containerPorts(w: Workload): string {
  return w.ports.map((cp) => (typeof cp === 'number' ? String(cp) : cp.name ? `${cp.name}=${cp.containerPort}` : String(cp.containerPort))).join(', ');
}

function servicePorts(svc: Service): string {
  return svc.spec.ports.map((p) => (p.name ? `${p.name}=${p.port}` : String(p.port))).join(', ');
}

/** Does workload `w` have the container port a targetPort names (a number, or a port name)? */
function hasContainerPort(w: Workload, target: number | string): boolean {
  return w.ports.some((cp) => (typeof cp === 'number' ? cp === target : typeof target === 'number' ? cp.containerPort === target : cp.name === target));
}

function findServicePort(svc: Service, port: number | string): ServicePort | undefined {
  return svc.spec.ports[servicePortIndex(svc, port)];
}

export function checkRules(s: Scenario): Finding[] {
  const out: Finding[] = [];
  const error = (segs: Segment[], message: string, atKey = false) => out.push({ segs, message, ...(atKey ? { atKey } : {}) });
  const warn = (segs: Segment[], message: string, atKey = false) => out.push({ segs, message, warning: true, ...(atKey ? { atKey } : {}) });

  // ------------------------------------------------------------ the cluster
  const expandedCount = expandedNodeCount(s.cluster.nodes);
  if (expandedCount > LIMITS.nodes) {
    error(['cluster', 'nodes'], `expands to ${expandedCount} nodes; svcsim simulates at most ${LIMITS.nodes}`);
    return out; // every other rule would walk them all
  }
  const nodes = expandNodes(s.cluster.nodes);
  const nodeNames = new Set<string>();
  s.cluster.nodes.forEach((entry, i) => {
    const names = entry.count === undefined ? [entry.name] : Array.from({ length: entry.count }, (_, k) => `${entry.name}-${k}`);
    for (const name of names) {
      if (nodeNames.has(name)) {
        error(['cluster', 'nodes', i, 'name'], `node ${name} is already defined${entry.count !== undefined ? ` (this entry expands to ${entry.name}-0..${entry.name}-${entry.count - 1})` : ''}; node names must be unique: each is one machine with its own IP`);
        break;
      }
      nodeNames.add(name);
    }
  });
  const zones = new Set(nodes.map((n) => n.zone));
  nodePoolRules(s, error, warn);

  const [lo, hi] = parsePortRange(s.cluster.serviceNodePortRange);
  const rangeOk = lo >= 1 && hi <= 65535 && lo <= hi;
  if (!rangeOk) error(['cluster', 'serviceNodePortRange'], 'must be a range FIRST-LAST of ports with FIRST ≤ LAST ≤ 65535, like the API server flag --service-node-port-range (default 30000-32767)');
  if (s.cluster.proxyMode !== 'ipvs' && s.cluster.ipvsScheduler !== 'rr')
    warn(['cluster', 'ipvsScheduler'], `only used with proxyMode: ipvs; in ${s.cluster.proxyMode} mode kube-proxy picks endpoints uniformly at random`);

  // ----------------------------------------------------------------- names
  const unique = <T>(list: readonly T[], name: (x: T) => string, segsOf: (i: number) => Segment[], what: string, why: string) => {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      const n = name(x);
      if (seen.has(n)) error(segsOf(i), `${what} named ${n} is already defined above; ${why}`);
      seen.add(n);
    });
  };
  unique(s.workloads, (w) => w.name, (i) => ['workloads', i, 'name'], 'a workload', 'workload names must be unique (pods are named after them)');
  unique(s.services, (x) => x.metadata.name, (i) => ['services', i, 'metadata', 'name'], 'a Service', 'Service names are unique in a namespace');
  unique(s.traffic, (t) => t.name, (i) => ['traffic', i, 'name'], 'a traffic entry', 'traffic names must be unique (they name the per-traffic results)');
  const workloads = new Map<string, Workload>();
  for (const w of s.workloads) if (!workloads.has(w.name)) workloads.set(w.name, w);
  const services = new Map<string, Service>();
  for (const svc of s.services) if (!services.has(svc.metadata.name)) services.set(svc.metadata.name, svc);

  // ------------------------------------------------------------- workloads
  const explicitPerNode = new Map<string, number>();
  s.workloads.forEach((w, i) => {
    if (typeof w.placement === 'object') {
      let sum = 0;
      for (const [node, count] of Object.entries(w.placement)) {
        sum += count;
        if (!nodeNames.has(node)) error(['workloads', i, 'placement', node], `no node named ${node}${have(nodeNames)}`, true);
        else explicitPerNode.set(node, (explicitPerNode.get(node) ?? 0) + count);
      }
      if (sum !== w.replicas) error(['workloads', i, 'placement'], `places ${sum} pod${sum === 1 ? '' : 's'} but replicas is ${w.replicas}: the counts must add up to replicas`);
    }
    const names = new Set<string>();
    w.ports.forEach((cp, j) => {
      if (typeof cp === 'number' || cp.name === undefined) return;
      if (names.has(cp.name)) error(['workloads', i, 'ports', j, 'name'], `container port name ${cp.name} is already used in this workload; Kubernetes requires unique port names in a pod (a named targetPort must say which port it means)`);
      names.add(cp.name);
    });
  });
  s.workloads.forEach((w, i) => hpaRules(w, i, error, warn));
  const maxPods = new Map(nodes.map((n) => [n.name, n.maxPods]));
  for (const [node, count] of explicitPerNode) {
    const cap = maxPods.get(node) ?? 0;
    if (count <= cap) continue;
    s.workloads.forEach((w, i) => {
      if (typeof w.placement === 'object' && (w.placement[node] ?? 0) > 0)
        error(['workloads', i, 'placement', node], `node ${node} runs at most ${cap} pods (its maxPods) but the placements put ${count} there; Kubernetes would leave the rest Pending`, true);
    });
  }
  const placementsFit = [...explicitPerNode].every(([node, count]) => count <= (maxPods.get(node) ?? 0));
  const placements = placementsFit ? placeWorkloads(nodes, s.workloads) : undefined;
  if (placements) {
    placements.forEach((p, i) => {
      if (p.unplaced > 0)
        error(['workloads', i, 'replicas'], `${p.unplaced} of ${s.workloads[i].replicas} pods fit on no node: the nodes' maxPods are taken; add nodes or raise maxPods (Kubernetes would leave them Pending)`);
    });
  }

  // -------------------------------------------------------------- services
  const assigned = rangeOk ? assignNodePorts(s.services, s.cluster.serviceNodePortRange) : undefined;
  if (assigned && assigned.missing > 0)
    error(['cluster', 'serviceNodePortRange'], `${s.cluster.serviceNodePortRange} has too few free ports: ${assigned.missing} nodePort${assigned.missing === 1 ? '' : 's'} could not be allocated`);
  const portOwners = new Map<number, string>();
  const claimPort = (port: number, owner: string, segs: Segment[], what: string) => {
    if (rangeOk && (port < lo || port > hi)) {
      error(segs, `${what} ${port} is outside serviceNodePortRange ${s.cluster.serviceNodePortRange}; the API server only allocates ports from that range`);
      return;
    }
    const other = portOwners.get(port);
    if (other !== undefined) error(segs, `${what} ${port} is already used by ${other}; a node port is opened on every node, so each one is unique in the cluster`);
    else portOwners.set(port, owner);
  };

  s.services.forEach((svc, i) => {
    const spec = svc.spec;
    const name = svc.metadata.name;
    const where = (...rest: Segment[]): Segment[] => ['services', i, 'spec', ...rest];
    const selected = s.workloads.filter((w) => selectorMatches(spec.selector, labelsOf(w)));
    if (Object.keys(spec.selector).length === 0)
      error(where('selector'), 'is empty: a Service without a selector gets no endpoints from Kubernetes (only manually managed ones, which svcsim does not model); select a workload by its labels');
    else if (selected.length === 0)
      error(where('selector'), `selects no workload, so the Service has no endpoints and refuses every connection; workload labels: ${s.workloads.map((w) => `${w.name} ${flow(labelsOf(w))}`).join(', ')}`);

    const portNames = new Set<string>();
    const portNumbers = new Set<number>();
    spec.ports.forEach((p, j) => {
      if (spec.ports.length > 1 && p.name === undefined) error(where('ports', j), 'needs a name: Kubernetes requires every port of a multi-port Service to be named');
      if (p.name !== undefined) {
        if (portNames.has(p.name)) error(where('ports', j, 'name'), `port name ${p.name} is already used in this Service; port names must be unique`);
        portNames.add(p.name);
      }
      if (portNumbers.has(p.port)) error(where('ports', j, 'port'), `port ${p.port}/TCP is already defined in this Service; Kubernetes rejects duplicate ports`);
      portNumbers.add(p.port);

      const target = p.targetPort ?? p.port;
      for (const w of selected) {
        if (hasContainerPort(w, target)) continue;
        error(
          where('ports', j, p.targetPort === undefined ? 'port' : 'targetPort'),
          typeof target === 'string'
            ? `targetPort ${target} names no container port of workload ${w.name} (ports: ${containerPorts(w)}); Kubernetes resolves a named targetPort in each pod, and a pod without it is no endpoint of this port`
            : `${p.targetPort === undefined ? 'targetPort (default: port) ' : 'targetPort '}${target} is not a container port of workload ${w.name} (ports: ${containerPorts(w)}); its pods would refuse these connections`,
        );
      }

      if (p.nodePort !== undefined) {
        if (!hasNodePorts(svc)) error(where('ports', j, 'nodePort'), `a ClusterIP Service opens no port on the nodes; nodePort needs type NodePort or LoadBalancer`);
        else claimPort(p.nodePort, `Service ${name}${p.name ? ` (port ${p.name})` : ''}`, where('ports', j, 'nodePort'), 'nodePort');
      }
    });

    if (spec.healthCheckNodePort !== undefined) {
      if (spec.type !== 'LoadBalancer' || spec.externalTrafficPolicy !== 'Local')
        error(where('healthCheckNodePort'), 'only a LoadBalancer Service with externalTrafficPolicy: Local has a healthCheckNodePort (kube-proxy answers on it whether the node has a local endpoint)');
      else claimPort(spec.healthCheckNodePort, `Service ${name} (healthCheckNodePort)`, where('healthCheckNodePort'), 'healthCheckNodePort');
    }
    if (spec.type === 'ClusterIP' && spec.externalTrafficPolicy === 'Local')
      error(where('externalTrafficPolicy'), 'applies to NodePort and LoadBalancer Services only; Kubernetes rejects Local on a ClusterIP Service (use internalTrafficPolicy for in-cluster traffic)');
    if (spec.trafficDistribution !== undefined && (spec.externalTrafficPolicy === 'Local' || spec.internalTrafficPolicy === 'Local'))
      warn(where('trafficDistribution'), `is ignored where a Local traffic policy applies (${spec.externalTrafficPolicy === 'Local' ? 'externalTrafficPolicy: Local for external traffic' : 'internalTrafficPolicy: Local for in-cluster traffic'}): the policy wins, as in Kubernetes`);
    ignoredServiceFields(svc, i, s, warn);
  });

  // ---------------------------------------------------------- loadBalancers
  const lbSeen = new Set<string>();
  s.loadBalancers.forEach((lb, i) => {
    const svc = services.get(lb.service);
    if (!svc) error(['loadBalancers', i, 'service'], `no Service named ${lb.service}${have(services.keys())}`);
    else if (svc.spec.type !== 'LoadBalancer')
      error(['loadBalancers', i, 'service'], `Service ${lb.service} is of type ${svc.spec.type}: only a LoadBalancer Service gets a cloud load balancer`);
    else if (lb.targets === 'pods' && svc.spec.externalTrafficPolicy === 'Local')
      warn(['loadBalancers', i, 'targets'], `with targets: pods the LB sends straight to pod IPs (no node hop, no kube-proxy), so Service ${lb.service}'s externalTrafficPolicy: Local has no effect`);
    if (lbSeen.has(lb.service)) error(['loadBalancers', i, 'service'], `Service ${lb.service} already has a loadBalancers entry above; one entry per Service`);
    lbSeen.add(lb.service);
  });

  /** Why `port` is not a port of `svc` (a Service port by number or name), or undefined when it is. */
  const portProblem = (svc: Service, port: number | string, viaNodePort: boolean): string | undefined => {
    if (findServicePort(svc, port)) return undefined;
    const k = s.services.indexOf(svc);
    const j = typeof port === 'number' ? svc.spec.ports.findIndex((p, jj) => (assigned?.nodePorts[k][jj] ?? p.nodePort) === port) : -1;
    if (j >= 0) {
      const sp = svc.spec.ports[j];
      return `${port} is a nodePort of Service ${svc.metadata.name}, not one of its ports: there is no clusterIP:nodePort; use port: ${sp.name ?? sp.port}${viaNodePort ? ` (with via: nodePort the client then dials <NodeIP>:${port})` : ''}`;
    }
    return `Service ${svc.metadata.name} has no port ${typeof port === 'number' ? port : `named ${port}`} (ports: ${servicePorts(svc)})`;
  };

  // ----------------------------------------------------------------- calls
  s.workloads.forEach((w, i) => {
    for (const { call, segs } of callSites(w)) {
      const at = (...rest: Segment[]): Segment[] => ['workloads', i, ...segs, ...rest];
      const svc = services.get(call.service);
      if (!svc) {
        error(at('service'), `no Service named ${call.service}${have(services.keys())}; a call goes to a Service's clusterIP`);
        continue;
      }
      const wrong = portProblem(svc, call.port, false);
      if (wrong) error(at('port'), `${wrong}; a call dials clusterIP:port`);
      if (svc.spec.internalTrafficPolicy === 'Local' && placements) {
        // kube-proxy on the caller's node only uses endpoints on that node: callers elsewhere get no answer.
        const served = new Set(s.workloads.flatMap((x, k) => (selectorMatches(svc.spec.selector, labelsOf(x)) ? [...placements[k].placement.keys()] : [])));
        const stranded = [...placements[i].placement.keys()].filter((node) => !served.has(node));
        if (stranded.length)
          warn(at('service'), `Service ${svc.metadata.name} has internalTrafficPolicy: Local and no endpoint on ${stranded.join(', ')}, where ${w.name} runs pods: kube-proxy there drops these calls (they fail as failed_timeout)`);
      }
    }
  });
  for (const loop of callLoops(s.workloads, services)) error(['workloads', loop.workload, ...loop.segs, 'service'], loop.message);

  // --------------------------------------------------------------- traffic
  s.traffic.forEach((t, i) => {
    const where = (...rest: Segment[]): Segment[] => ['traffic', i, ...rest];
    const svc = services.get(t.to.service);
    const external = t.from === 'external';
    if (!svc) error(where('to', 'service'), `no Service named ${t.to.service}${have(services.keys())}`);
    else {
      const type = svc.spec.type;
      if (t.to.via === 'clusterIP' && external)
        error(where('to', 'via'), `a ClusterIP Service is only reachable from inside the cluster; use from: {zone: ...} or a NodePort/LoadBalancer Service`);
      else if (t.to.via === 'nodePort' && type === 'ClusterIP')
        error(where('to', 'via'), `Service ${svc.metadata.name} is of type ClusterIP, which opens no port on the nodes; via: nodePort needs type NodePort or LoadBalancer`);
      else if (t.to.via === 'loadBalancer' && type !== 'LoadBalancer')
        error(where('to', 'via'), `Service ${svc.metadata.name} is of type ${type}: only a LoadBalancer Service gets a cloud load balancer; use ${type === 'NodePort' ? 'via: nodePort' : 'via: clusterIP from inside the cluster'}, or type: LoadBalancer`);

      const wrong = portProblem(svc, t.to.port, t.to.via === 'nodePort');
      if (wrong) error(where('to', 'port'), wrong);
    }
    if (typeof t.from === 'object') {
      const f = t.from;
      if ('node' in f && !nodeNames.has(f.node)) error(where('from', 'node'), `no node named ${f.node}${have(nodeNames)}`);
      if ('zone' in f && !zones.has(f.zone)) error(where('from', 'zone'), `no zone named ${f.zone}${have(zones)}`);
      if ('workload' in f && !workloads.has(f.workload)) error(where('from', 'workload'), `no workload named ${f.workload}${have(workloads.keys())}`);
    }
    if (t.entryNode !== 'random') {
      if (t.to.via !== 'nodePort')
        error(where('entryNode'), `chooses the node a client dials with via: nodePort; with via: ${t.to.via} the ${t.to.via === 'loadBalancer' ? 'load balancer picks the node' : "client's own node DNATs the connection"}`);
      else if (!nodeNames.has(t.entryNode)) error(where('entryNode'), `no node named ${t.entryNode}${have(nodeNames)}`);
    }
    if (t.arrival.process === 'schedule') {
      const steps = t.arrival.steps ?? []; // steps read from a file are in order by construction
      steps.forEach((step, k) => {
        if (k > 0 && step.at <= steps[k - 1].at) error(where('arrival', 'steps', k, 'at'), 'must be later than the step before: steps are in increasing order of at');
      });
    }
  });

  // -------------------------------------------------------------- failures
  s.failures.forEach((f, i) => {
    const kind = failureKind(f);
    if (kind === 'node' && !nodeNames.has(f.node!)) error(['failures', i, 'node'], `no node named ${f.node}${have(nodeNames)}`);
    if (kind === 'zone' && !zones.has(f.zone!)) error(['failures', i, 'zone'], `no zone named ${f.zone}${have(zones)}`);
    if (kind === 'pod') {
      const m = /^(.+)-(0|[1-9]\d*)$/.exec(f.pod!);
      const w = m ? workloads.get(m[1]) : undefined;
      if (!w || Number(m![2]) >= w.replicas)
        error(['failures', i, 'pod'], `no pod named ${f.pod}: pods are named <workload>-<i> with i < replicas (${s.workloads.map((x) => (x.replicas > 0 ? `${x.name}-0..${x.name}-${x.replicas - 1}` : `${x.name}: none`)).join(', ')})`);
    }
  });

  // ------------------------------------------------------------------ slos
  const called = calledServices(s);
  s.slos.forEach((slo, i) => {
    const scope = parseSloScope(slo.scope);
    if (!scope || scope.kind === 'all') return;
    const at: Segment[] = ['slos', i, 'scope'];
    const { kind, name } = scope;
    if (kind === 'traffic' && !s.traffic.some((t) => t.name === name)) error(at, `no traffic entry named ${name}${have(s.traffic.map((t) => t.name))}: summary.csv has one traffic:<name> scope per traffic entry`);
    if (kind === 'workload' && !workloads.has(name)) error(at, `no workload named ${name}${have(workloads.keys())}: summary.csv has one workload:<name> scope per workload`);
    if (kind === 'service') {
      if (!services.has(name)) error(at, `no Service named ${name}${have(services.keys())}`);
      else if (!called.has(name)) error(at, `no workload calls Service ${name}: summary.csv has a service:<name> scope for each Service that pods call (workloads[].calls)${called.size ? ` (called: ${[...called].join(', ')})` : ''}; traffic to it from outside is in its traffic:<name> scope`);
    }
  });

  // ------------------------------------------------------ simulation, sweep
  const changing = s.traffic.some((t) => t.arrival.process === 'schedule' || t.arrival.process === 'trace');
  if (s.simulation.warmup === 0 && (s.failures.length > 0 || changing))
    warn(['simulation', 'warmup'], `is 0: the measured window starts on an empty system (no queues, no open connections)${s.failures.length > 0 ? ' while failures are scheduled' : ' under a changing arrival rate'}; give a warm-up (run reports an MSER-5 suggestion)`);
  const sweep = s.sweep;
  if (sweep) {
    const params = sweep.parameters;
    params.forEach((p, k) => {
      if (p.labels !== undefined && p.labels.length !== p.values.length)
        error(['sweep', 'parameters', k, 'labels'], `has ${p.labels.length} label${p.labels.length === 1 ? '' : 's'} for ${p.values.length} value${p.values.length === 1 ? '' : 's'}: one label per value`);
      if (sweep.mode === 'zip' && p.group !== undefined)
        error(['sweep', 'parameters', k, 'group'], 'goes with mode: grid, where the parameters of a group vary together; in zip mode every parameter already does');
    });
    const dimensions = sweepDimensions(params, sweep.mode);
    for (const dim of dimensions) {
      const first = params[dim[0]];
      for (const k of dim.slice(1)) {
        const n = params[k].values.length;
        if (n === first.values.length) continue;
        error(
          ['sweep', 'parameters', k, 'values'],
          sweep.mode === 'zip'
            ? `has ${n} value${n === 1 ? '' : 's'} but the first parameter has ${first.values.length}: zip mode takes the i-th values of every parameter together, so the lists need the same length`
            : `has ${n} value${n === 1 ? '' : 's'} but parameter ${dim[0]} of group ${first.group} has ${first.values.length}: a group's parameters take their i-th values together, so the lists need the same length`,
        );
      }
    }
    const lengths = dimensions.map((dim) => Math.min(...dim.map((k) => params[k].values.length)));
    const variants = lengths.reduce((a, b) => a * b, 1);
    if (variants > LIMITS.variants) error(['sweep', 'parameters'], `makes ${variants} variants (${lengths.join(' × ')}); svcsim runs at most ${LIMITS.variants}`);
  }
  return out;
}

/**
 * The dimensions of a sweep, each a list of parameter indices that vary
 * together: in zip mode one, of every parameter; in grid mode one per
 * parameter without a group, and one per group (its parameters in order),
 * in the order of their first parameter.
 */
export function sweepDimensions(params: readonly { group?: string }[], mode: 'grid' | 'zip'): number[][] {
  if (mode === 'zip') return [params.map((_, k) => k)];
  const dims: number[][] = [];
  const byGroup = new Map<string, number[]>();
  params.forEach((p, k) => {
    if (p.group === undefined) {
      dims.push([k]);
      return;
    }
    const dim = byGroup.get(p.group);
    if (dim) dim.push(k);
    else {
      const made = [k];
      byGroup.set(p.group, made);
      dims.push(made);
    }
  });
  return dims;
}

type Report = (segs: Segment[], message: string, atKey?: boolean) => void;

/**
 * Node pools: the entries that share a `pool` are one pool, made from one
 * template (zone, maxPods, autoscaling), and start within [min, max].
 */
function nodePoolRules(s: Scenario, error: Report, warn: Report): void {
  const first = new Map<string, number>();
  const size = new Map<string, number>();
  s.cluster.nodes.forEach((entry, i) => {
    if (entry.pool === undefined) return;
    const at = (...rest: Segment[]): Segment[] => ['cluster', 'nodes', i, ...rest];
    if (entry.autoscaling === undefined) {
      error(at('pool'), 'names an autoscaled node pool: give the entry autoscaling: {min, max, provisionTime}');
      return;
    }
    size.set(entry.pool, (size.get(entry.pool) ?? 0) + (entry.count ?? 1));
    const j = first.get(entry.pool);
    if (j === undefined) {
      first.set(entry.pool, i);
      const { min, max } = entry.autoscaling;
      if (min > max) error(at('autoscaling', 'max'), `is less than min ${min}: a node pool's size is kept within min..max, so max ≥ min`);
      return;
    }
    const other = s.cluster.nodes[j];
    const differs = (['zone', 'maxPods', 'autoscaling'] as const).filter((k) => JSON.stringify(entry[k]) !== JSON.stringify(other[k]));
    if (differs.length)
      error(at(differs[0]), `node pool ${entry.pool} is defined above (entry ${other.name}) with another ${differs.join(' and ')}; the cluster autoscaler adds a pool's nodes from one template, so its entries agree (one pool per zone, as node pools are)`);
  });
  for (const [pool, i] of first) {
    const n = size.get(pool) ?? 0;
    const { min, max } = s.cluster.nodes[i].autoscaling!;
    if (min > max) continue;
    const at: Segment[] = ['cluster', 'nodes', i, s.cluster.nodes[i].count === undefined ? 'name' : 'count'];
    // The cluster autoscaler leaves a node group outside its bounds as it is (it only stops scaling past them).
    if (n < min)
      warn(at, `node pool ${pool} starts with ${n} node${n === 1 ? '' : 's'}, below its autoscaling.min ${min}: the cluster autoscaler adds nodes only for Pending pods, not to reach min, so the pool stays below it until pods wait; start from ${min}..${max} nodes`);
    else if (n > max)
      warn(at, `node pool ${pool} starts with ${n} nodes, above its autoscaling.max ${max}: the cluster autoscaler removes only unneeded nodes, never to reach max, and adds none while above it; start from ${min}..${max} nodes`);
  }
}

/** A workload's HorizontalPodAutoscaler: bounds as Kubernetes validates them, and a starting count within them. */
function hpaRules(w: Workload, i: number, error: Report, warn: Report): void {
  const hpa = w.autoscaling;
  if (!hpa) return;
  const at = (...rest: Segment[]): Segment[] => ['workloads', i, 'autoscaling', ...rest];
  const { minReplicas: min, maxReplicas: max } = hpa;
  if (max < min) error(at('maxReplicas'), `is less than minReplicas ${min}; Kubernetes rejects such a HorizontalPodAutoscaler (maxReplicas must be ≥ minReplicas)`);
  else if (w.replicas === 0)
    error(['workloads', i, 'replicas'], `is 0: Kubernetes' HorizontalPodAutoscaler does not scale a Deployment at 0 replicas (autoscaling is off until it has some); start from ${min}..${max}`);
  // Kubernetes accepts a Deployment outside its HPA's bounds (a manifest without replicas has 1); the HPA corrects it at its first sync.
  else if (w.replicas < min)
    warn(['workloads', i, 'replicas'], `${w.replicas} is below autoscaling.minReplicas ${min}: the HorizontalPodAutoscaler raises it to ${min} at its first sync, as in Kubernetes; start from ${min}..${max} to measure from a settled count`);
  else if (w.replicas > max)
    warn(['workloads', i, 'replicas'], `${w.replicas} is above autoscaling.maxReplicas ${max}: the HorizontalPodAutoscaler cuts it to ${max} at its first sync, as in Kubernetes; start from ${min}..${max} to measure from a settled count`);
  hpa.metrics.forEach((m, k) => {
    if (m.type === 'Resource' && m.resource.target.averageUtilization > 100)
      warn(at('metrics', k, 'resource', 'target', 'averageUtilization'), `${m.resource.target.averageUtilization}% can never be reached: a pod's CPU here is its busy slots out of its concurrency, at most 100% of its request, so this metric never scales up`);
  });
  const ref = hpa.scaleTargetRef;
  if (ref && ((ref.name !== undefined && ref.name !== w.name) || (ref.kind !== undefined && ref.kind !== 'Deployment')))
    warn(at('scaleTargetRef'), `is ignored: the HorizontalPodAutoscaler written on workload ${w.name} scales it (the ref names ${ref.kind ?? '?'} ${ref.name ?? '?'})`);
}

interface CallLoop {
  /** The workload whose call closes the loop, and the call's segments below it. */
  workload: number;
  segs: Segment[];
  message: string;
}

/**
 * Loops in the call graph: workload → Service it calls → workloads the
 * Service selects → their calls → ... back to a workload on the way. A
 * depth-first search from each workload in file order reports each loop once,
 * at the call that closes it.
 */
function callLoops(list: readonly Workload[], services: ReadonlyMap<string, Service>): CallLoop[] {
  const out: CallLoop[] = [];
  const state = list.map(() => 0); // 0 unvisited, 1 on the current path, 2 done
  /** The path so far: each workload, and the Service through which the next one was reached. */
  const path: { workload: number; via?: string }[] = [];
  const edges = list.map((w) =>
    callSites(w).flatMap((site) => {
      const svc = services.get(site.call.service);
      if (!svc) return [];
      return list.flatMap((x, k) => (selectorMatches(svc.spec.selector, labelsOf(x)) ? [{ to: k, site, service: svc.metadata.name }] : []));
    }),
  );
  const visit = (i: number) => {
    state[i] = 1;
    path.push({ workload: i });
    for (const e of edges[i]) {
      if (state[e.to] === 1) {
        const from = path.findIndex((p) => p.workload === e.to);
        const hops = [...path.slice(from).map((p) => ({ ...p })), { workload: e.to }];
        hops[hops.length - 2].via = e.service;
        const chain = hops.map((h) => list[h.workload].name).join(' → ');
        const through = hops.slice(0, -1).map((h, k) => `${list[h.workload].name} calls Service ${h.via ?? '?'}, which selects ${list[hops[k + 1].workload].name}`);
        const named = hops.slice(0, -1).every((h, k) => h.via === list[hops[k + 1].workload].name);
        out.push({
          workload: i,
          segs: e.site.segs,
          message: `closes a loop in the call graph: ${chain}${named ? '' : ` (${through.join('; ')})`}; a request would call itself again without end, each caller holding its slot while it waits, so svcsim takes call graphs without loops`,
        });
      } else if (state[e.to] === 0) {
        path[path.length - 1].via = e.service;
        visit(e.to);
      }
    }
    path.pop();
    state[i] = 2;
  };
  list.forEach((_, i) => {
    if (state[i] === 0) visit(i);
  });
  return out;
}

/** Fields of a real Service that change routing in Kubernetes but are ignored here. */
function ignoredServiceFields(svc: Service, i: number, s: Scenario, warn: (segs: Segment[], message: string, atKey?: boolean) => void): void {
  const spec = svc.spec;
  const at = (...rest: Segment[]): Segment[] => ['services', i, ...rest];
  const annotations = svc.metadata.annotations ?? {};
  for (const key of ['service.kubernetes.io/topology-mode', 'service.kubernetes.io/topology-aware-hints']) {
    if (key in annotations)
      warn(at('metadata', 'annotations', key), 'is ignored: in Kubernetes it turns on topology-aware routing (and wins over trafficDistribution); model it with spec.trafficDistribution: PreferClose', true);
  }
  const targetType = annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'];
  const lb = s.loadBalancers.find((x) => x.service === svc.metadata.name);
  if (targetType === 'ip' && lb?.targets !== 'pods')
    warn(at('metadata', 'annotations', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'), 'ip is ignored: it makes the NLB send straight to pod IPs; model it with loadBalancers[].targets: pods');
  if (spec.clusterIP === 'None')
    warn(at('spec', 'clusterIP'), 'None makes a headless Service in Kubernetes: no virtual IP, clients pick pods from DNS and kube-proxy is not involved; svcsim simulates a normal ClusterIP Service');
  if (spec.externalIPs?.length) warn(at('spec', 'externalIPs'), 'are ignored: no traffic to external IPs is simulated');
  if (spec.loadBalancerSourceRanges?.length) warn(at('spec', 'loadBalancerSourceRanges'), 'are ignored: every client may connect');
  if (spec.publishNotReadyAddresses) warn(at('spec', 'publishNotReadyAddresses'), 'is ignored: only ready endpoints get traffic');
  if (spec.allocateLoadBalancerNodePorts === false)
    warn(at('spec', 'allocateLoadBalancerNodePorts'), 'false is ignored (nodePorts are still allocated); an LB that sends straight to pods is loadBalancers[].targets: pods');
}
