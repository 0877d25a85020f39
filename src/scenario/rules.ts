/**
 * The rules Kubernetes enforces (or that make a scenario meaningless when
 * broken), checked on a scenario that passed the schema. Each finding names
 * the place (concrete path segments, for line:column) and says why, in
 * Kubernetes' terms.
 */
import { METRIC_NAMES } from '../sim/result.js';
import type { Segment } from './paths.js';
import { expandNodes, parsePortRange } from './resolve.js';
import { failureKind, type Scenario, type Service } from './schema.js';

export interface Finding {
  segs: Segment[];
  message: string;
  warning?: boolean;
}

function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

function list(names: Iterable<string>): string {
  const a = [...names];
  return a.length ? ` (have: ${a.join(', ')})` : '';
}

function duplicates(names: string[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) (seen.has(n) ? dup : seen).add(n);
  return dup;
}

/** Annotations and fields of a real Service that change routing in Kubernetes but are ignored here. */
function ignoredRoutingFields(svc: Service, i: number, out: Finding[]): void {
  const spec = svc.spec;
  const ann = svc.metadata.annotations ?? {};
  for (const key of ['service.kubernetes.io/topology-mode', 'service.kubernetes.io/topology-aware-hints']) {
    if (key in ann) out.push({ segs: ['services', i, 'metadata', 'annotations', key], warning: true, message: `ignored by svcsim; in Kubernetes it enables topology-aware routing (and wins over trafficDistribution): use spec.trafficDistribution to model it` });
  }
  if (spec.clusterIP === 'None') out.push({ segs: ['services', i, 'spec', 'clusterIP'], warning: true, message: 'a headless Service has no virtual IP in Kubernetes (clients pick pods from DNS); svcsim simulates it as a normal ClusterIP Service' });
  if (spec.externalIPs?.length) out.push({ segs: ['services', i, 'spec', 'externalIPs'], warning: true, message: 'ignored: traffic to externalIPs is not simulated' });
  if (spec.loadBalancerSourceRanges?.length) out.push({ segs: ['services', i, 'spec', 'loadBalancerSourceRanges'], warning: true, message: 'ignored: every client is allowed' });
  if (spec.publishNotReadyAddresses) out.push({ segs: ['services', i, 'spec', 'publishNotReadyAddresses'], warning: true, message: 'ignored: only ready endpoints receive traffic' });
  if (spec.allocateLoadBalancerNodePorts === false) out.push({ segs: ['services', i, 'spec', 'allocateLoadBalancerNodePorts'], warning: true, message: 'ignored: to model an LB that sends straight to pods, use loadBalancers[].targets: pods' });
}

export function checkRules(s: Scenario): Finding[] {
  const out: Finding[] = [];
  const nodes = expandNodes(s.cluster.nodes);
  const nodeNames = new Set(nodes.map((n) => n.name));
  const zones = new Set(nodes.map((n) => n.zone));
  const workloads = new Map(s.workloads.map((w) => [w.name, w]));
  const services = new Map(s.services.map((svc) => [svc.metadata.name, svc]));

  for (const d of duplicates(nodes.map((n) => n.name))) out.push({ segs: ['cluster', 'nodes'], message: `node name ${d} appears more than once (after count expansion)` });
  for (const [kind, names] of [
    ['workloads', s.workloads.map((w) => w.name)],
    ['services', s.services.map((x) => x.metadata.name)],
    ['traffic', s.traffic.map((t) => t.name)],
  ] as const) {
    for (const d of duplicates(names)) out.push({ segs: [kind, names.lastIndexOf(d), kind === 'services' ? 'metadata' : 'name', ...(kind === 'services' ? ['name'] : [])], message: `${kind} names must be unique: ${d} appears more than once` });
  }

  const [lo, hi] = parsePortRange(s.cluster.serviceNodePortRange);
  if (!(lo >= 1 && hi <= 65535 && lo < hi)) out.push({ segs: ['cluster', 'serviceNodePortRange'], message: 'must be a range lo-hi of ports with lo < hi ≤ 65535' });
  if (s.cluster.proxyMode !== 'ipvs' && s.cluster.ipvsScheduler !== 'rr')
    out.push({ segs: ['cluster', 'ipvsScheduler'], warning: true, message: `only used with proxyMode: ipvs; ${s.cluster.proxyMode} chooses uniformly at random` });

  s.workloads.forEach((w, i) => {
    if (typeof w.placement === 'object') {
      let sum = 0;
      for (const [node, count] of Object.entries(w.placement)) {
        sum += count;
        if (!nodeNames.has(node)) out.push({ segs: ['workloads', i, 'placement', node], message: `no node named ${node}${list(nodeNames)}` });
      }
      if (sum !== w.replicas) out.push({ segs: ['workloads', i, 'placement'], message: `places ${sum} pods but replicas is ${w.replicas}: the counts must sum to replicas` });
    }
    const names = w.ports.filter((p) => typeof p !== 'number' && p.name).map((p) => (p as { name: string }).name);
    for (const d of duplicates(names)) out.push({ segs: ['workloads', i, 'ports'], message: `container port name ${d} appears more than once` });
  });

  const nodePorts = new Map<number, string>();
  s.services.forEach((svc, i) => {
    const spec = svc.spec;
    const where = (...rest: Segment[]): Segment[] => ['services', i, 'spec', ...rest];
    const matched = s.workloads.filter((w) => selectorMatches(spec.selector, w.labels ?? { app: w.name }));
    if (matched.length === 0)
      out.push({ segs: where('selector'), message: `selects no workload: a Service without endpoints refuses every connection; labels are ${s.workloads.map((w) => `${w.name}: ${JSON.stringify(w.labels ?? { app: w.name })}`).join(', ')}` });
    const portNames = duplicates(spec.ports.map((p) => p.name ?? ''));
    portNames.delete('');
    for (const d of portNames) out.push({ segs: where('ports'), message: `port name ${d} appears more than once` });
    if (spec.ports.length > 1 && spec.ports.some((p) => !p.name)) out.push({ segs: where('ports'), message: 'a Service with more than one port must name every port (Kubernetes requires it)' });
    spec.ports.forEach((p, j) => {
      const target = p.targetPort ?? p.port;
      for (const w of matched) {
        const found = w.ports.some((cp) => (typeof cp === 'number' ? cp === target : typeof target === 'number' ? cp.containerPort === target : cp.name === target));
        if (!found)
          out.push({
            segs: where('ports', j, p.targetPort === undefined ? 'port' : 'targetPort'),
            message: `targetPort ${target} is not a container port of workload ${w.name} (${w.ports.map((cp) => (typeof cp === 'number' ? cp : cp.name ? `${cp.name}=${cp.containerPort}` : cp.containerPort)).join(', ')}): connections would be refused`,
          });
      }
      if (p.nodePort !== undefined) {
        if (spec.type === 'ClusterIP') out.push({ segs: where('ports', j, 'nodePort'), message: 'a ClusterIP Service has no nodePort: use type NodePort or LoadBalancer' });
        else {
          if (p.nodePort < lo || p.nodePort > hi) out.push({ segs: where('ports', j, 'nodePort'), message: `nodePort ${p.nodePort} is outside serviceNodePortRange ${s.cluster.serviceNodePortRange}` });
          const other = nodePorts.get(p.nodePort);
          if (other) out.push({ segs: where('ports', j, 'nodePort'), message: `nodePort ${p.nodePort} is already allocated to ${other}: every nodePort is unique in the cluster` });
          nodePorts.set(p.nodePort, `service ${svc.metadata.name}`);
        }
      }
    });
    if (spec.healthCheckNodePort !== undefined) {
      if (spec.type !== 'LoadBalancer' || spec.externalTrafficPolicy !== 'Local')
        out.push({ segs: where('healthCheckNodePort'), message: 'healthCheckNodePort only exists for type LoadBalancer with externalTrafficPolicy: Local' });
      else if (spec.healthCheckNodePort < lo || spec.healthCheckNodePort > hi)
        out.push({ segs: where('healthCheckNodePort'), message: `healthCheckNodePort ${spec.healthCheckNodePort} is outside serviceNodePortRange ${s.cluster.serviceNodePortRange}` });
      else {
        const other = nodePorts.get(spec.healthCheckNodePort);
        if (other) out.push({ segs: where('healthCheckNodePort'), message: `port ${spec.healthCheckNodePort} is already allocated to ${other}` });
        nodePorts.set(spec.healthCheckNodePort, `service ${svc.metadata.name} (healthCheckNodePort)`);
      }
    }
    if (spec.type === 'ClusterIP' && spec.externalTrafficPolicy === 'Local')
      out.push({ segs: where('externalTrafficPolicy'), message: 'externalTrafficPolicy applies to NodePort and LoadBalancer Services only (Kubernetes rejects Local on a ClusterIP Service)' });
    ignoredRoutingFields(svc, i, out);
  });

  const lbSeen = new Set<string>();
  s.loadBalancers.forEach((lb, i) => {
    const svc = services.get(lb.service);
    if (!svc) out.push({ segs: ['loadBalancers', i, 'service'], message: `no Service named ${lb.service}${list(services.keys())}` });
    else if (svc.spec.type !== 'LoadBalancer') out.push({ segs: ['loadBalancers', i, 'service'], message: `Service ${lb.service} is of type ${svc.spec.type}: only a LoadBalancer Service has a cloud load balancer` });
    if (lbSeen.has(lb.service)) out.push({ segs: ['loadBalancers', i, 'service'], message: `Service ${lb.service} has more than one loadBalancers entry` });
    lbSeen.add(lb.service);
  });

  s.traffic.forEach((t, i) => {
    const where = (...rest: Segment[]): Segment[] => ['traffic', i, ...rest];
    const svc = services.get(t.to.service);
    const external = t.from === 'external';
    if (!svc) {
      out.push({ segs: where('to', 'service'), message: `no Service named ${t.to.service}${list(services.keys())}` });
    } else {
      const type = svc.spec.type;
      if (t.to.via === 'clusterIP' && external)
        out.push({ segs: where('to', 'via'), message: 'a ClusterIP Service is only reachable from inside the cluster; use from: {zone: ...} or a NodePort/LoadBalancer Service' });
      if (t.to.via === 'nodePort' && type === 'ClusterIP')
        out.push({ segs: where('to', 'via'), message: `Service ${svc.metadata.name} is of type ClusterIP: it has no nodePort; make it type NodePort or LoadBalancer` });
      if (t.to.via === 'loadBalancer' && type !== 'LoadBalancer')
        out.push({ segs: where('to', 'via'), message: `Service ${svc.metadata.name} is of type ${type}: only a LoadBalancer Service has a load balancer; use via: ${type === 'NodePort' ? 'nodePort' : 'clusterIP'}` });
      const port = t.to.port;
      const found = svc.spec.ports.some((p) => (typeof port === 'number' ? p.port === port : p.name === port));
      if (!found) {
        const isNodePort = typeof port === 'number' && svc.spec.ports.some((p) => p.nodePort === port);
        out.push({
          segs: where('to', 'port'),
          message: isNodePort
            ? `${port} is the nodePort of Service ${svc.metadata.name}, not one of its ports: there is no clusterIP:nodePort; use port ${svc.spec.ports.find((p) => p.nodePort === port)!.port} (with via: nodePort the client dials <NodeIP>:${port})`
            : `Service ${svc.metadata.name} has no port ${port} (ports: ${svc.spec.ports.map((p) => (p.name ? `${p.name}=${p.port}` : p.port)).join(', ')})`,
        });
      }
    }
    if (t.from !== 'external') {
      const f = t.from;
      if ('node' in f && !nodeNames.has(f.node)) out.push({ segs: where('from', 'node'), message: `no node named ${f.node}${list(nodeNames)}` });
      if ('zone' in f && !zones.has(f.zone)) out.push({ segs: where('from', 'zone'), message: `no zone named ${f.zone}${list(zones)}` });
      if ('workload' in f && !workloads.has(f.workload)) out.push({ segs: where('from', 'workload'), message: `no workload named ${f.workload}${list(workloads.keys())}` });
    }
    if (t.entryNode !== 'random') {
      if (t.to.via !== 'nodePort') out.push({ segs: where('entryNode'), message: 'entryNode chooses the node a client dials with via: nodePort; the LB or kube-proxy choose otherwise' });
      else if (!nodeNames.has(t.entryNode)) out.push({ segs: where('entryNode'), message: `no node named ${t.entryNode}${list(nodeNames)}` });
    }
    if (t.arrival.process === 'schedule') {
      const ats = t.arrival.steps.map((x) => x.at);
      if (ats.some((a, k) => k > 0 && a <= ats[k - 1])) out.push({ segs: where('arrival', 'steps'), message: 'steps must be in increasing order of at' });
    }
  });

  s.failures.forEach((f, i) => {
    const kind = failureKind(f);
    if (kind === 'node' && !nodeNames.has(f.node!)) out.push({ segs: ['failures', i, 'node'], message: `no node named ${f.node}${list(nodeNames)}` });
    if (kind === 'zone' && !zones.has(f.zone!)) out.push({ segs: ['failures', i, 'zone'], message: `no zone named ${f.zone}${list(zones)}` });
    if (kind === 'pod') {
      const m = /^(.*)-(\d+)$/.exec(f.pod!);
      const w = m ? workloads.get(m[1]) : undefined;
      if (!w || Number(m![2]) >= w.replicas) out.push({ segs: ['failures', i, 'pod'], message: `no pod named ${f.pod}: pods are named <workload>-<i> with i < replicas (${s.workloads.map((x) => `${x.name}-0..${x.name}-${x.replicas - 1}`).join(', ')})` });
    }
  });

  const p = s.simulation.precision;
  if (p && !(METRIC_NAMES as readonly string[]).includes(p.metric))
    out.push({ segs: ['simulation', 'precision', 'metric'], message: `unknown metric ${p.metric}; one of ${METRIC_NAMES.join(', ')}` });
  if (s.simulation.warmup === 0 && s.failures.length > 0)
    out.push({ segs: ['simulation', 'warmup'], warning: true, message: 'no warm-up: the first measured requests see an empty system' });
  if (s.sweep?.mode === 'zip') {
    const lengths = s.sweep.parameters.map((x) => x.values.length);
    if (lengths.some((l) => l !== lengths[0])) out.push({ segs: ['sweep', 'parameters'], message: `zip mode takes the i-th values together: every values list needs the same length (have ${lengths.join(', ')})` });
  }
  return out;
}
