/**
 * The request path of each traffic entry as an HTML diagram (no script, no
 * image): client → cloud load balancer → node:nodePort → kube-proxy DNAT →
 * pods, the pods drawn inside the nodes they run on, each stage with the
 * settings that shape it. A swept setting shows all its values. Everything
 * is optional: a field the manifest lacks is left out, not guessed.
 */
import { labelsOf, selectorMatches } from '../scenario/labels.js';
import { escapeHtml } from './escape.js';
import type { Manifest, ResolvedScenario, ServiceSpec } from './manifest.js';
import { naturalCompare } from './charts/common.js';
import type { Row } from './readCsv.js';

type Traffic = NonNullable<ResolvedScenario['traffic']>[number];
/** Node name → the pods on it. */
type Placement = Map<string, { pod: string; workload: string }[]>;
type Fact = [label: string, value: string | number | undefined];

const MAX_NODES = 24;
const MAX_PODS_PER_NODE = 12;

const text = (x: unknown): string => (typeof x === 'string' ? x : (JSON.stringify(x) ?? ''));

/** Swept paths and their values as written, e.g. `services.web.spec.externalTrafficPolicy` → [Cluster, Local]. */
function sweptValues(s: ResolvedScenario): Map<string, string[]> {
  return new Map((s.sweep?.parameters ?? []).filter((p) => typeof p.path === 'string').map((p) => [p.path!, (p.values ?? []).map(text)]));
}

/** Where pods run: from pods.csv (the first variant's first replication there), else from a placement map. */
export function podsByNode(s: ResolvedScenario, pods: readonly Row[] | undefined): Placement {
  const out: Placement = new Map();
  const add = (node: string, pod: string, workload: string) => {
    if (!out.has(node)) out.set(node, []);
    out.get(node)!.push({ pod, workload });
  };
  if (pods && pods.length > 0) {
    const { variant, replication } = pods[0];
    for (const r of pods) if (r.variant === variant && r.replication === replication) add(r.node, r.pod, r.workload);
  } else {
    for (const w of s.workloads ?? []) {
      if (!w.name || !w.placement || typeof w.placement !== 'object') continue;
      let i = 0;
      for (const [node, count] of Object.entries(w.placement as Record<string, unknown>)) for (let k = 0; typeof count === 'number' && k < count; k++) add(node, `${w.name}-${i++}`, w.name);
    }
  }
  for (const list of out.values()) list.sort((a, b) => naturalCompare(a.pod, b.pod));
  return out;
}

/** The workloads a Service selects (all of them when the selector or labels are unknown). */
function selectedWorkloads(s: ResolvedScenario, svc: ServiceSpec | undefined): Set<string> | undefined {
  const selector = svc?.spec?.selector;
  if (!selector) return undefined;
  const names = (s.workloads ?? [])
    .filter((w) => selectorMatches(selector, labelsOf({ name: w.name ?? '', labels: w.labels })))
    .map((w) => w.name ?? '');
  return names.length ? new Set(names) : undefined;
}

function describeOrigin(t: Traffic): string {
  const from = t.from;
  if (from === undefined || from === 'external') return 'outside the cluster';
  if (from && typeof from === 'object') {
    const [k, v] = Object.entries(from as Record<string, unknown>)[0] ?? [];
    if (k) return `inside the cluster, from ${k} ${text(v)}`;
  }
  return text(from);
}

function describeArrival(t: Traffic): string | undefined {
  const a = t.arrival;
  if (!a) return undefined;
  return 'rate' in a && typeof a.rate === 'number' ? `${a.rate} requests/s (${a.process ?? 'poisson'})` : `${a.process ?? 'arrivals'}`;
}

const facts = (items: readonly Fact[]) => {
  const shown = items.filter(([, v]) => v !== undefined && v !== '');
  return shown.length ? `<dl>${shown.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>` : '';
};

function nodesBlock(s: ResolvedScenario, placed: Placement, workloads: Set<string> | undefined, nodeRows: readonly Row[] | undefined): string {
  let nodes = (s.cluster?.nodes ?? []).filter((n) => n.name).map((n) => ({ name: n.name!, zone: n.zone ?? '' }));
  if (nodes.length === 0 && nodeRows) nodes = [...new Map(nodeRows.map((r) => [r.node, { name: r.node, zone: r.zone }])).values()];
  if (nodes.length === 0) nodes = [...placed.keys()].map((name) => ({ name, zone: '' }));
  const zones = [...new Set(nodes.map((n) => n.zone))];
  let budget = MAX_NODES;
  const zoneBlocks = zones.map((zone) => {
    const own = nodes.filter((n) => n.zone === zone);
    const shown = own.slice(0, Math.max(0, budget));
    budget -= shown.length;
    const boxes = shown.map((n) => {
      const pods = (placed.get(n.name) ?? []).filter((p) => !workloads || workloads.has(p.workload));
      const chips = pods.slice(0, MAX_PODS_PER_NODE).map((p) => `<li class="pod">${escapeHtml(p.pod)}</li>`);
      if (pods.length > MAX_PODS_PER_NODE) chips.push(`<li class="more">+${pods.length - MAX_PODS_PER_NODE} pods</li>`);
      return `<li class="node"><span class="name">${escapeHtml(n.name)}</span>${chips.length ? `<ul class="pods">${chips.join('')}</ul>` : '<span class="empty">no pod of this Service</span>'}</li>`;
    });
    const more = own.length - shown.length;
    return `<div class="zone">${zone ? `<span class="zone-name">zone ${escapeHtml(zone)}</span>` : ''}<ul class="nodes">${boxes.join('')}${more > 0 ? `<li class="more">+${more} nodes</li>` : ''}</ul></div>`;
  });
  return zoneBlocks.join('');
}

/** What one diagram needs to know. */
interface PathContext {
  s: ResolvedScenario;
  t: Traffic | undefined;
  svc: ServiceSpec | undefined;
  svcName: string;
  via: string;
  port: NonNullable<NonNullable<ServiceSpec['spec']>['ports']>[number] | undefined;
  /** A setting's value, or all its values when it is swept. */
  setting: (path: string, value: string | number | undefined) => string | number | undefined;
  swept: Map<string, string[]>;
}

function clientStage({ t, via, port }: PathContext): string {
  const dials = via === 'loadBalancer' ? `the LB, port ${port?.port ?? '?'}` : via === 'nodePort' ? `a node's IP:${port?.nodePort ?? '?'} (${t?.entryNode ?? 'random'} node)` : `the ClusterIP, port ${port?.port ?? '?'}`;
  const rows: Fact[] = [
    ['from', t ? describeOrigin(t) : undefined],
    ['arrivals', t ? describeArrival(t) : undefined],
    ['client IPs', t?.clients],
    ['dials', dials],
  ];
  return `<li class="stage"><h4>client${t?.name ? ` <code>${escapeHtml(t.name)}</code>` : ''}</h4>${facts(rows)}</li>`;
}

function loadBalancerStage({ s, svcName, port, setting }: PathContext): string {
  const lb = (s.loadBalancers ?? []).find((x) => x.service === svcName);
  const path = (field: string) => `loadBalancers.${svcName}.${field}`;
  const rows: Fact[] = [
    ['preset', setting(path('preset'), lb?.preset ?? 'generic')],
    ['algorithm', setting(path('algorithm'), lb?.algorithm ?? 'flowHash')],
    ['targets', setting(path('targets'), lb?.targets === 'pods' ? 'pods (IP mode: no nodePort, no kube-proxy)' : `every node on nodePort ${port?.nodePort ?? '?'}`)],
    ['cross-zone', lb?.crossZone === undefined ? undefined : setting(path('crossZone'), lb.crossZone ? 'yes' : 'no')],
    ['fail open', lb?.failOpen === undefined ? undefined : lb.failOpen ? 'yes' : 'no'],
  ];
  return `<li class="stage"><h4>cloud load balancer</h4>${facts(rows)}</li>`;
}

function clusterStage(c: PathContext, placed: Placement, nodeRows: readonly Row[] | undefined): string {
  const { s, svc, svcName, via, port, setting, swept } = c;
  const spec = svc?.spec ?? {};
  const ipMode = via === 'loadBalancer' && (s.loadBalancers ?? []).find((x) => x.service === svcName)?.targets === 'pods';
  const svcPath = (field: string) => `services.${svcName}.spec.${field}`;
  const proxyMode = s.cluster?.proxyMode === 'ipvs' ? `ipvs, scheduler ${setting('cluster.ipvsScheduler', s.cluster.ipvsScheduler ?? 'rr')}` : s.cluster?.proxyMode;
  const policy: Fact =
    via === 'clusterIP'
      ? ['internalTrafficPolicy', setting(svcPath('internalTrafficPolicy'), spec.internalTrafficPolicy ?? 'Cluster')]
      : ['externalTrafficPolicy', setting(svcPath('externalTrafficPolicy'), spec.externalTrafficPolicy ?? 'Cluster')];
  const rows: Fact[] = ipMode
    ? []
    : [
        ['kube-proxy', setting('cluster.proxyMode', proxyMode)],
        policy,
        ['sessionAffinity', setting(svcPath('sessionAffinity'), spec.sessionAffinity ?? 'None')],
        ['trafficDistribution', setting(svcPath('trafficDistribution'), spec.trafficDistribution)],
        ['DNAT to', `pod IP:${port?.targetPort ?? '?'}`],
      ];
  const selected = selectedWorkloads(s, svc);
  for (const w of s.workloads ?? []) {
    if (!w.name || (selected && !selected.has(w.name))) continue;
    const concurrency = w.concurrency === undefined ? '' : `, ${setting(`workloads.${w.name}.concurrency`, w.concurrency)} requests at once each`;
    const replicas = swept.get(`workloads.${w.name}.replicas`);
    rows.push([`workload ${w.name}`, `${replicas ? `${replicas.join(' | ')} pods (swept)` : `${w.replicas ?? '?'} pods`}${concurrency}`]);
  }
  const heading = ipMode ? 'pods, reached by their IPs' : via === 'clusterIP' ? 'kube-proxy on the client’s node, then pods' : `nodes: nodePort ${port?.nodePort ?? '?'}, kube-proxy DNAT, pods`;
  return `<li class="stage cluster"><h4>${escapeHtml(heading)}</h4>${facts(rows)}${nodesBlock(s, placed, selected, nodeRows)}</li>`;
}

function trafficPath(s: ResolvedScenario, t: Traffic | undefined, svc: ServiceSpec | undefined, swept: Map<string, string[]>, placed: Placement, nodeRows: readonly Row[] | undefined): string {
  const svcName = svc?.metadata?.name ?? t?.to?.service ?? '?';
  const type = svc?.spec?.type ?? 'ClusterIP';
  const via = t?.to?.via ?? (type === 'LoadBalancer' ? 'loadBalancer' : type === 'NodePort' ? 'nodePort' : 'clusterIP');
  const ports = svc?.spec?.ports ?? [];
  const context: PathContext = {
    s,
    t,
    svc,
    svcName,
    via,
    port: ports.find((p) => p.port === t?.to?.port || p.name === t?.to?.port) ?? ports[0],
    setting: (path, value) => (swept.has(path) ? `${swept.get(path)!.join(' | ')} (swept)` : value),
    swept,
  };
  const stages = [clientStage(context), ...(via === 'loadBalancer' ? [loadBalancerStage(context)] : []), clusterStage(context, placed, nodeRows)];
  const caption = `${t?.name ? `Traffic ${t.name} to ` : ''}Service ${svcName} (type ${type}, via ${via})`;
  return `<figure class="path"><figcaption>${escapeHtml(caption)}</figcaption><ol class="lane">${stages.join('')}</ol></figure>`;
}

/** One diagram per traffic entry (per Service when the manifest has no traffic), with the sweep listed under them. */
export function pathDiagrams(manifest: Manifest, pods?: readonly Row[], nodes?: readonly Row[]): string {
  const s = manifest.resolvedScenario;
  if (!s) return '<p>The manifest does not describe the scenario (no <code>resolvedScenario</code>).</p>';
  const swept = sweptValues(s);
  const placed = podsByNode(s, pods);
  const services = s.services ?? [];
  const traffic = s.traffic ?? [];
  const diagrams = traffic.length
    ? traffic.map((t) => trafficPath(s, t, services.find((x) => x.metadata?.name === t.to?.service), swept, placed, nodes))
    : services.map((svc) => trafficPath(s, undefined, svc, swept, placed, nodes));
  const sweep = swept.size
    ? `<p class="sweep">Swept (${escapeHtml(s.sweep?.mode ?? 'grid')}): ${[...swept.entries()].map(([p, v]) => `<code>${escapeHtml(p)}</code> = ${escapeHtml(v.join(', '))}`).join('; ')}. The diagram shows the first variant's pod placement.</p>`
    : '';
  return (diagrams.length ? diagrams.join('\n') : '<p>The scenario in the manifest names no traffic and no Service.</p>') + sweep;
}
