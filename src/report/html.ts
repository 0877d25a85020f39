/**
 * report.html: one self-contained page (inline SVG and CSS, no script, no
 * network) with what was simulated, how the run went, the key metrics with
 * their confidence intervals, the charts with text alternatives, and the
 * answer of a `plan` run.
 */
import { num, type Row } from './readCsv.js';

export function escapeHtml(s: string | number | boolean | null | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface ChartOut {
  name: string;
  title: string;
  description: string;
  svg: string;
}

export interface PlanAnswer {
  path: string;
  value: number | null;
  slos: string[];
  confidence: number;
  evidence: { value: number; holds: boolean; detail: string }[];
}

interface Manifest {
  svcsim?: string;
  scenarioFile?: string;
  seed?: number;
  replicationsPerVariant?: number;
  workers?: number;
  wallTimeSeconds?: number;
  simulatedRequests?: number;
  complete?: boolean;
  mser5?: { suggestedWarmupSeconds?: number };
  precision?: { metric: string; relative: number; replications: number; perVariant: { label: string; met: boolean }[] };
  resolvedScenario?: {
    metadata?: { name?: string; description?: string };
    simulation?: { duration?: number; warmup?: number };
    cluster?: { proxyMode?: string; ipvsScheduler?: string; nodes?: { name: string; zone: string }[] };
    services?: { metadata?: { name?: string }; spec?: { type?: string; externalTrafficPolicy?: string; internalTrafficPolicy?: string; sessionAffinity?: string; trafficDistribution?: string; ports?: { port: number; nodePort?: number }[] } }[];
    loadBalancers?: { service: string; algorithm?: string; targets?: string; preset?: string; crossZone?: boolean }[];
    workloads?: { name: string; replicas: number; concurrency?: number }[];
    traffic?: { name: string; to?: { service: string; via: string } }[];
  };
  plan?: PlanAnswer;
}

const KEY = ['requests', 'success_ratio', 'throughput_rps', 'latency_mean_ms', 'latency_p50_ms', 'latency_p99_ms', 'failed', 'cross_node_ratio', 'pod_utilization_max'];

function metricsTable(summary: Row[]): string {
  const rows = summary.filter((r) => r.scope === 'all' && KEY.includes(r.metric));
  const variants = [...new Set(rows.map((r) => r.variant))];
  const cell = (v: string, m: string) => {
    const r = rows.find((x) => x.variant === v && x.metric === m);
    if (!r || r.mean === '') return '<td>—</td>';
    const half = num(r, 'ci_half_width');
    return `<td>${escapeHtml(r.mean)}${half !== undefined ? ` <span class="ci">± ${escapeHtml(r.ci_half_width)}</span>` : ''}</td>`;
  };
  return `<table><caption>Key metrics per variant (scope all): mean over replications ± 95% confidence half-width</caption>
<thead><tr><th scope="col">variant</th>${KEY.map((m) => `<th scope="col">${escapeHtml(m)}</th>`).join('')}</tr></thead>
<tbody>${variants.map((v) => `<tr><th scope="row">${escapeHtml(v)}</th>${KEY.map((m) => cell(v, m)).join('')}</tr>`).join('\n')}</tbody></table>`;
}

/** The request path as a small diagram: client → LB → nodes → pods, with the policies that shape it. */
function pathDiagram(m: Manifest): string {
  const s = m.resolvedScenario ?? {};
  const parts: string[] = [];
  for (const svc of s.services ?? []) {
    const name = svc.metadata?.name ?? '?';
    const spec = svc.spec ?? {};
    const lb = (s.loadBalancers ?? []).find((x) => x.service === name);
    const via = (s.traffic ?? []).filter((t) => t.to?.service === name).map((t) => `${t.name} via ${t.to?.via}`);
    const boxes = [
      `clients${via.length ? ` (${via.join(', ')})` : ''}`,
      ...(lb ? [`cloud LB (${lb.preset ?? 'generic'}, ${lb.algorithm ?? 'flowHash'}${lb.crossZone === false ? ', no cross-zone' : ''}) → ${lb.targets === 'pods' ? 'pod IPs' : 'every node:nodePort'}`] : []),
      ...(spec.type !== 'ClusterIP' && lb?.targets !== 'pods' ? [`${(s.cluster?.nodes ?? []).length} nodes :${(spec.ports ?? []).map((p) => p.nodePort).join(',')} (externalTrafficPolicy ${spec.externalTrafficPolicy ?? 'Cluster'})`] : []),
      `kube-proxy DNAT (${s.cluster?.proxyMode ?? 'iptables'}${s.cluster?.proxyMode === 'ipvs' ? ` ${s.cluster.ipvsScheduler}` : ''}, sessionAffinity ${spec.sessionAffinity ?? 'None'}${spec.trafficDistribution ? `, ${spec.trafficDistribution}` : ''})`,
      `pods of ${(s.workloads ?? []).map((w) => `${w.name} ×${w.replicas}`).join(', ')}`,
    ];
    parts.push(`<figure class="path" aria-label="Request path of Service ${escapeHtml(name)}"><figcaption>Service <b>${escapeHtml(name)}</b> (type ${escapeHtml(spec.type ?? 'ClusterIP')})</figcaption><ol>${boxes.map((b) => `<li>${escapeHtml(b)}</li>`).join('')}</ol></figure>`);
  }
  return parts.join('\n');
}

function planSection(plan: PlanAnswer | undefined): string {
  if (!plan) return '';
  return `<section><h2>Plan</h2><p class="answer">${plan.value === null ? `No value of <code>${escapeHtml(plan.path)}</code> in range meets every SLO.` : `Smallest <code>${escapeHtml(plan.path)}</code> meeting every SLO: <b>${plan.value}</b>`} (SLOs: ${plan.slos.map(escapeHtml).join(', ')}; ${plan.confidence * 100}% one-sided confidence).</p>
<table><caption>Evidence: every value tried</caption><thead><tr><th scope="col">value</th><th scope="col">holds</th><th scope="col">detail</th></tr></thead><tbody>${plan.evidence
    .map((e) => `<tr><td>${e.value}</td><td>${e.holds ? 'yes' : 'no'}</td><td>${escapeHtml(e.detail)}</td></tr>`)
    .join('')}</tbody></table></section>`;
}

export function reportHtml(manifest: Manifest, summary: Row[], charts: ChartOut[], plan?: PlanAnswer): string {
  const meta = manifest.resolvedScenario?.metadata ?? {};
  const name = meta.name ?? 'svcsim run';
  const run: [string, string | number | undefined][] = [
    ['scenario file', manifest.scenarioFile],
    ['seed', manifest.seed],
    ['replications per variant', manifest.replicationsPerVariant],
    ['workers', manifest.workers],
    ['wall time (s)', manifest.wallTimeSeconds?.toFixed(1)],
    ['simulated requests', manifest.simulatedRequests],
    ['measured window (s)', manifest.resolvedScenario?.simulation?.duration],
    ['warm-up (s)', manifest.resolvedScenario?.simulation?.warmup],
    ['MSER-5 suggested warm-up (s)', manifest.mser5?.suggestedWarmupSeconds],
    ['complete', manifest.complete === false ? 'no — some replications are missing' : 'yes'],
    ['svcsim', manifest.svcsim],
  ];
  if (manifest.precision)
    run.push(['precision', `${manifest.precision.metric} ±${manifest.precision.relative * 100}%: met in ${manifest.precision.perVariant.filter((p) => p.met).length}/${manifest.precision.perVariant.length} variants with ${manifest.precision.replications} replications`]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>svcsim report: ${escapeHtml(name)}</title>
<style>
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.8rem 0;font-size:.85rem}caption{text-align:left;font-weight:bold;padding:.3rem 0}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}th[scope=row],thead th{text-align:left;background:#f5f5f5}
.ci{color:#666}dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:bold}
figure{margin:1.2rem 0}figcaption{font-size:.9rem;color:#444;margin-bottom:.3rem}svg{max-width:100%;height:auto}
.path ol{display:flex;flex-wrap:wrap;gap:.4rem;list-style:none;padding:0;margin:.3rem 0}
.path li{border:1px solid #888;border-radius:4px;padding:.3rem .5rem;background:#f7fbff;font-size:.85rem}
.path li:not(:last-child)::after{content:" →";color:#888}.answer{font-size:1.1rem}
</style></head><body>
<h1>${escapeHtml(name)}</h1>
<p>${escapeHtml(meta.description ?? '')}</p>
<section><h2>What was simulated</h2>${pathDiagram(manifest)}</section>
<section><h2>The run</h2><dl>${run
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('')}</dl></section>
${planSection(plan ?? manifest.plan)}
<section><h2>Key metrics</h2>${metricsTable(summary)}</section>
<section><h2>Charts</h2>
${charts.map((c) => `<figure id="${escapeHtml(c.name)}" role="img" aria-label="${escapeHtml(c.description)}"><figcaption>${escapeHtml(c.title)} — ${escapeHtml(c.description)}</figcaption>${c.svg.replace(/<svg /, `<svg aria-hidden="true" focusable="false" `)}</figure>`).join('\n')}
</section>
<footer><p>Made by svcsim from the CSV files of this results folder; redraw with <code>svcsim report &lt;folder&gt;</code>.</p></footer>
</body></html>
`;
}
