/**
 * A starting scenario from a real cluster's objects (docs/import.md,
 * `svcsim import`): what the cluster tells is taken as it is, what it cannot
 * tell is a marked placeholder.
 *
 * - Nodes: name, zone (`topology.kubernetes.io/zone`, or the deprecated
 *   `failure-domain.beta.kubernetes.io/zone`), `maxPods` from
 *   `status.allocatable.pods` (what the kubelet lets the scheduler place).
 * - Deployments: workloads with their replicas, pod-template labels and
 *   container ports; `startupTime` from the readiness probe where there is
 *   one: a pod is first ready after `initialDelaySeconds` and
 *   `successThreshold` passing probes `periodSeconds` apart.
 * - Services: as they are, less what svcsim does not model (status, UDP ports,
 *   ExternalName and selector-less Services, which have no pods behind them).
 * - LoadBalancer Services: a `loadBalancers` entry whose preset is guessed from
 *   the cloud's annotations (AWS NLB, GKE, Azure), or from the nodes'
 *   `spec.providerID`.
 * - HorizontalPodAutoscalers: the target workload's `autoscaling`, the HPA's
 *   `spec` without `scaleTargetRef` (autoscaling/v1's CPU target becomes the
 *   v2 metric).
 * - Placeholders: service times, concurrency, startup without a probe,
 *   traffic (one entry per Service), network latencies and run lengths; each
 *   listed with why (see scenario/placeholders.ts for how they stay visible).
 *
 * Objects of other kinds are skipped with a note, as are objects outside the
 * namespace filter or the label selector.
 */
import { allowedKeys } from '../scenario/shape.js';
import { serviceSpecSchema, servicePortSchema, workloadSchema } from '../scenario/schema.js';
import type { Placeholder } from '../scenario/placeholders.js';
import type { KubeObject } from './read.js';

export interface ImportOptions {
  /** Keep namespaced objects of these namespaces only (all when empty). */
  namespaces: string[];
  /** A label selector (`app=web,tier!=cache,env`) that Deployments and Services must match; HPAs follow their target. */
  selector?: string;
  /** metadata.name of the scenario. */
  name: string;
}

/** A note for stderr, at the object it is about. */
export interface Note {
  object?: KubeObject;
  message: string;
}

/** A placeholder with the reason, for the comment and for stderr. */
export interface Guess extends Placeholder {
  why: string;
}

export interface Imported {
  scenario: Record<string, unknown>;
  guesses: Guess[];
  notes: Note[];
  /** HPAs kept as comments because this svcsim's schema has no workloads[].autoscaling yet: workload name → HPA spec. */
  autoscalingAsComments: Map<string, unknown>;
}

const ZONE_LABELS = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const asRecord = (x: unknown): Record<string, unknown> => (isPlainObject(x) ? x : {});
const asList = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** A DNS label from a Kubernetes name (node names may be DNS subdomains with dots). */
function label(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
      .replace(/-+$/, '') || 'x'
  );
}

// ----------------------------------------------------------- label selectors

type Requirement = { key: string; op: '=' | '!=' | 'exists' | '!exists'; value?: string };

/** An equality-based label selector as kubectl takes it: `a=b`, `a==b`, `a!=b`, `a`, `!a`, joined by commas. */
export function parseSelector(text: string): Requirement[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part): Requirement => {
      const m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
      if (m) return { key: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3] };
      if (/^![^=!\s]+$/.test(part)) return { key: part.slice(1), op: '!exists' };
      if (/^[^=!\s]+$/.test(part)) return { key: part, op: 'exists' };
      throw new Error(`cannot read the selector part "${part}": use key=value, key!=value, key or !key, separated by commas`);
    });
}

function matches(requirements: readonly Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return requirements.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case '=':
        return has && l[r.key] === r.value;
      case '!=':
        return !has || l[r.key] !== r.value;
      case 'exists':
        return has;
      case '!exists':
        return !has;
    }
  });
}

/** The labels of a Deployment's pods (its pod template's): what Services select. */
function podLabels(d: KubeObject): Record<string, unknown> {
  return asRecord(asRecord(asRecord(asRecord(d.spec).template).metadata).labels);
}

// ------------------------------------------------------------ load balancers

type Preset = 'generic' | 'aws-nlb' | 'gke' | 'azure';

/** The LB preset from the Service's annotations, else from the nodes' provider; with the evidence. */
function guessPreset(svc: KubeObject, provider: Preset | undefined): { preset: Preset; targets?: 'pods'; because: string } {
  const annotations = svc.metadata.annotations ?? {};
  const keys = Object.keys(annotations);
  const aws = keys.filter((k) => k.startsWith('service.beta.kubernetes.io/aws-load-balancer-'));
  if (aws.length > 0) {
    const ip = annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'] === 'ip';
    return { preset: 'aws-nlb', ...(ip ? { targets: 'pods' as const } : {}), because: `annotation ${aws[0]}${ip ? ' (nlb-target-type: ip: the NLB sends to pod IPs)' : ''}` };
  }
  const gke = keys.find((k) => k.startsWith('cloud.google.com/') || k.startsWith('networking.gke.io/'));
  if (gke) return { preset: 'gke', because: `annotation ${gke}` };
  const azure = keys.find((k) => k.startsWith('service.beta.kubernetes.io/azure-'));
  if (azure) return { preset: 'azure', because: `annotation ${azure}` };
  if (provider) return { preset: provider, because: "the nodes' spec.providerID" };
  return { preset: 'generic', because: 'no cloud annotation and no providerID on the nodes' };
}

function providerOf(nodes: readonly KubeObject[]): Preset | undefined {
  for (const n of nodes) {
    const id = asRecord(n.spec).providerID;
    if (typeof id !== 'string') continue;
    if (id.startsWith('aws://')) return 'aws-nlb';
    if (id.startsWith('gce://')) return 'gke';
    if (id.startsWith('azure://')) return 'azure';
  }
  return undefined;
}

// -------------------------------------------------------------------- import

const KINDS = ['Node', 'Deployment', 'Service', 'HorizontalPodAutoscaler'];

export function importCluster(objects: readonly KubeObject[], opts: ImportOptions): Imported {
  const notes: Note[] = [];
  const guesses: Guess[] = [];
  const guess = (path: string, value: unknown, why: string) => {
    guesses.push({ path, value, why });
    return value;
  };
  const selector = opts.selector ? parseSelector(opts.selector) : [];
  const inNamespace = (o: KubeObject) => opts.namespaces.length === 0 || opts.namespaces.includes(o.metadata.namespace ?? 'default');

  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  for (const o of objects) {
    if (!KINDS.includes(o.kind)) notes.push({ object: o, message: `skipped ${o.kind} ${o.metadata.name}: svcsim imports ${KINDS.join(', ')}` });
  }
  const keep = (o: KubeObject, what: string): boolean => {
    if (!inNamespace(o)) return false;
    if (selector.length > 0 && !matches(selector, o.metadata.labels)) {
      notes.push({ object: o, message: `skipped ${what} ${o.metadata.name}: its labels do not match the selector ${opts.selector}` });
      return false;
    }
    return true;
  };

  // Nodes.
  const nodeObjects = byKind('Node');
  const nodes = nodeObjects.map((n) => {
    const labels = n.metadata.labels ?? {};
    const zoneLabel = ZONE_LABELS.find((k) => labels[k] !== undefined);
    const name = label(n.metadata.name);
    if (name !== n.metadata.name) notes.push({ object: n, message: `node ${n.metadata.name} is named ${name} (scenario node names are DNS labels)` });
    const pods = Number(asRecord(asRecord(n.status).allocatable).pods);
    const node: Record<string, unknown> = { name };
    if (zoneLabel) node.zone = labels[zoneLabel];
    else node.zone = guess(`cluster.nodes.${name}.zone`, 'zone-a', `node ${n.metadata.name} has no ${ZONE_LABELS[0]} label`);
    if (Number.isInteger(pods) && pods > 0) node.maxPods = pods;
    return node;
  });
  if (nodes.length === 0) {
    nodes.push({ name: 'node', count: 3, zone: 'zone-a' });
    guess('cluster.nodes.node.count', 3, 'the input has no Node objects (kubectl get nodes)');
  }
  const zones = [...new Set(nodes.map((n) => n.zone as string))];

  // Deployments.
  const deployments = byKind('Deployment').filter((d) => keep(d, 'Deployment'));
  const names = new Map<KubeObject, string>();
  const taken = new Set<string>();
  for (const d of deployments) {
    let name = label(d.metadata.name);
    if (taken.has(name)) name = label(`${d.metadata.namespace ?? 'default'}-${d.metadata.name}`);
    taken.add(name);
    names.set(d, name);
  }
  const workloads = deployments.map((d) => {
    const name = names.get(d)!;
    const spec = asRecord(d.spec);
    const template = asRecord(spec.template);
    const podSpec = asRecord(template.spec);
    const containers = asList(podSpec.containers).map(asRecord);
    const ports = containers.flatMap((c) =>
      asList(c.ports)
        .map(asRecord)
        .filter((p) => (p.protocol ?? 'TCP') === 'TCP' && typeof p.containerPort === 'number')
        .map((p) => (typeof p.name === 'string' ? { name: p.name, containerPort: p.containerPort } : { containerPort: p.containerPort })),
    );
    const w: Record<string, unknown> = { name };
    const labels = podLabels(d) as Record<string, string>;
    if (Object.keys(labels).length > 0) w.labels = labels;
    w.replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    w.ports = ports.length > 0 ? ports : guess(`workloads.${name}.ports`, [8080], `Deployment ${d.metadata.name} declares no TCP container port`);
    w.concurrency = guess(`workloads.${name}.concurrency`, 1, 'requests one pod serves at once: a cluster does not tell (threads, event loop, CPU request)');
    w.serviceTime = guess(`workloads.${name}.serviceTime`, { dist: 'exponential', mean: '10ms' }, 'measure it: e.g. {dist: histogram, file: latency.txt} from the Prometheus histogram of this workload');
    const probe = containers.map((c) => asRecord(c.readinessProbe)).find((p) => Object.keys(p).length > 0);
    if (probe) {
      const num = (x: unknown, dflt: number) => (typeof x === 'number' ? x : dflt);
      // Kubernetes' defaults: initialDelaySeconds 0, periodSeconds 10, successThreshold 1.
      w.startupTime = `${num(probe.initialDelaySeconds, 0) + (num(probe.successThreshold, 1) - 1) * num(probe.periodSeconds, 10)}s`;
    } else {
      w.startupTime = guess(`workloads.${name}.startupTime`, '5s', `Deployment ${d.metadata.name} has no readiness probe: how long a new pod takes to be ready is not in the cluster`);
    }
    return w;
  });
  const workloadOf = new Map(deployments.map((d) => [`${d.metadata.namespace ?? 'default'}/${d.metadata.name}`, names.get(d)!]));

  // Services.
  const specKeys = new Set(allowedKeys(serviceSpecSchema) ?? []);
  const portKeys = new Set(allowedKeys(servicePortSchema) ?? []);
  const provider = providerOf(nodeObjects);
  const services: Record<string, unknown>[] = [];
  const loadBalancers: Record<string, unknown>[] = [];
  const traffic: Record<string, unknown>[] = [];
  for (const s of byKind('Service')) {
    if (!keep(s, 'Service')) continue;
    const spec = asRecord(s.spec);
    const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
    const skip = (why: string) => notes.push({ object: s, message: `skipped Service ${s.metadata.name}: ${why}` });
    if (type === 'ExternalName') {
      skip('an ExternalName Service is a DNS alias, with no pods behind it');
      continue;
    }
    const selector = asRecord(spec.selector) as Record<string, string>;
    if (Object.keys(selector).length === 0) {
      skip('no selector: its endpoints are managed by hand, which svcsim does not model');
      continue;
    }
    const namespace = s.metadata.namespace ?? 'default';
    const selected = deployments.filter((d) => (d.metadata.namespace ?? 'default') === namespace && Object.entries(selector).every(([k, v]) => podLabels(d)[k] === v));
    if (selected.length === 0) {
      skip(`it selects no imported Deployment (${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',')})`);
      continue;
    }
    const ports = asList(spec.ports)
      .map(asRecord)
      .filter((p) => (p.protocol ?? 'TCP') === 'TCP')
      .map((p) => Object.fromEntries(Object.entries(p).filter(([k]) => portKeys.has(k))));
    if (ports.length < asList(spec.ports).length) notes.push({ object: s, message: `Service ${s.metadata.name}: UDP and SCTP ports left out (svcsim simulates TCP)` });
    if (ports.length === 0) {
      skip('no TCP port');
      continue;
    }
    const dropped = Object.keys(spec).filter((k) => !specKeys.has(k));
    if (dropped.length > 0) notes.push({ object: s, message: `Service ${s.metadata.name}: spec fields svcsim does not read left out: ${dropped.join(', ')}` });
    const name = label(s.metadata.name);
    const metadata: Record<string, unknown> = { name, ...(s.metadata.namespace ? { namespace: s.metadata.namespace } : {}) };
    if (s.metadata.labels) metadata.labels = s.metadata.labels;
    if (s.metadata.annotations) {
      // kubectl's own bookkeeping is noise in a scenario.
      const kept = Object.fromEntries(Object.entries(s.metadata.annotations).filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration'));
      if (Object.keys(kept).length > 0) metadata.annotations = kept;
    }
    const keptSpec = Object.fromEntries(Object.entries(spec).filter(([k]) => specKeys.has(k) && k !== 'ports'));
    services.push({ apiVersion: 'v1', kind: 'Service', metadata, spec: { ...keptSpec, ports } });

    if (type === 'LoadBalancer') {
      const { preset, targets, because } = guessPreset(s, provider);
      loadBalancers.push({ service: name, preset, ...(targets ? { targets } : {}) });
      notes.push({ object: s, message: `load balancer of Service ${s.metadata.name}: preset ${preset}${targets ? `, targets ${targets}` : ''}, from ${because}` });
    }
    const port = ports[0];
    const via = type === 'LoadBalancer' ? 'loadBalancer' : type === 'NodePort' ? 'nodePort' : 'clusterIP';
    const entry = label(`${name}-clients`);
    traffic.push({
      name: entry,
      to: { service: name, port: typeof port.name === 'string' ? port.name : port.port, via },
      ...(via === 'clusterIP' ? { from: guess(`traffic.${entry}.from`, { zone: zones[0] }, 'who calls this ClusterIP Service from inside the cluster: a cluster does not tell') } : {}),
      arrival: { process: 'poisson', rate: guess(`traffic.${entry}.arrival.rate`, '100/s', 'measure it: e.g. {process: schedule, file: rate.json} from a Prometheus range query of rate(http_requests_total[1m])') },
      ...(via === 'clusterIP' ? {} : { latency: guess(`traffic.${entry}.latency`, '10ms', 'one-way delay from the clients to the cluster') }),
    });
  }

  // HPAs.
  const supportsAutoscaling = (allowedKeys(workloadSchema) ?? []).includes('autoscaling');
  const autoscalingAsComments = new Map<string, unknown>();
  for (const h of byKind('HorizontalPodAutoscaler')) {
    if (!inNamespace(h)) continue;
    const spec = asRecord(h.spec);
    const target = asRecord(spec.scaleTargetRef);
    const workload = workloadOf.get(`${h.metadata.namespace ?? 'default'}/${String(target.name)}`);
    if (target.kind !== 'Deployment' || workload === undefined) {
      notes.push({ object: h, message: `skipped HorizontalPodAutoscaler ${h.metadata.name}: its target ${String(target.kind)} ${String(target.name)} is not an imported Deployment` });
      continue;
    }
    const hpa: Record<string, unknown> = Object.fromEntries(Object.entries(spec).filter(([k]) => k !== 'scaleTargetRef' && k !== 'targetCPUUtilizationPercentage'));
    if (typeof spec.targetCPUUtilizationPercentage === 'number') {
      // autoscaling/v1: the one CPU target, written as v2 writes it.
      hpa.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }];
    }
    const w = workloads.find((x) => x.name === workload)!;
    if (supportsAutoscaling) w.autoscaling = hpa;
    else {
      autoscalingAsComments.set(workload, hpa);
      notes.push({ object: h, message: `HorizontalPodAutoscaler ${h.metadata.name}: written as a comment under workload ${workload}, since this svcsim has no workloads[].autoscaling yet` });
    }
  }

  if (workloads.length === 0) notes.push({ message: 'no Deployment imported: the scenario needs at least one workload and one Service' });

  const scenario: Record<string, unknown> = {
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: opts.name, description: 'Imported by svcsim import from the objects of a cluster; replace every PLACEHOLDER with a measured value.' },
    simulation: {
      duration: guess('simulation.duration', '10m', 'how long to simulate: long enough for the p99 to settle'),
      warmup: guess('simulation.warmup', '1m', 'discarded start (run reports an MSER-5 suggestion)'),
      replications: 10,
    },
    cluster: {
      nodes,
      latency: {
        sameNode: guess('cluster.latency.sameNode', '0.05ms', 'one-way delay on a node: measure (e.g. ping between pods)'),
        sameZone: guess('cluster.latency.sameZone', '0.15ms', 'one-way delay between nodes of a zone: measure'),
        crossZone: guess('cluster.latency.crossZone', '0.8ms', 'one-way delay between zones: measure'),
        proxy: guess('cluster.latency.proxy', '0.02ms', "kube-proxy's cost on a new connection"),
      },
    },
    workloads,
    services,
    ...(loadBalancers.length > 0 ? { loadBalancers } : {}),
    traffic,
  };
  return { scenario, guesses, notes, autoscalingAsComments };
}
