/**
 * report.html: one self-contained page (inline SVG and CSS, no script, no
 * network) with what was simulated, how the run went, the answer of a
 * `plan` run, the key metrics with their confidence intervals, and the
 * charts with text alternatives. Every text taken from a file is escaped.
 */
import { segmentLabel, segmentMeans } from './charts/breakdown.js';
import { fmt } from './charts/common.js';
import { sloPoints } from './charts/slos.js';
import { pathDiagrams } from './diagram.js';
import { escapeHtml } from './escape.js';
import { criticalPaths, type CriticalPath } from './criticalPath.js';
import { glanceSentences, shown } from './glance.js';
import type { ResultFiles } from './files.js';
import { planQuestion, type Manifest, type PlanAnswer } from './manifest.js';
import { metricsTable } from './metricsTable.js';
import type { Row } from './readCsv.js';

export type { PlanAnswer } from './manifest.js';

export interface ChartOut {
  name: string;
  title: string;
  description: string;
  svg: string;
}

export interface ReportInput {
  manifest: Manifest;
  files: ResultFiles & { summary: Row[] };
  charts: readonly ChartOut[];
  plan?: PlanAnswer;
  /** Variants in reading order (see variantOrder). */
  variants?: readonly string[];
}

/**
 * Ids inside one chart's SVG made unique in the page (several inline SVGs
 * share one id space, and `url(#clip1)` would find another chart's clip).
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  if (ids.size === 0) return svg;
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (whole, lead: string, id: string) => (ids.has(id) ? `${lead}${prefix}-${id}` : whole));
}

function runFacts(m: Manifest): string {
  const s = m.resolvedScenario?.simulation;
  const warmup = s?.warmup;
  const mser = m.mser5?.suggestedWarmupSeconds;
  const rows: [string, string | number | undefined][] = [
    ['scenario file', m.scenarioFile],
    ['seed', m.seed],
    ['replications per variant', m.replicationsPerVariant],
    ['variants', m.variants?.length],
    ['workers', m.workers],
    ['shard', m.shard ?? undefined],
    ['wall time', m.wallTimeSeconds === undefined ? undefined : `${m.wallTimeSeconds.toFixed(1)} s`],
    ['simulated requests', m.simulatedRequests],
    ['suppressed requests', m.suppressedRequests || undefined],
    ['measured window', s?.duration === undefined ? undefined : `${s.duration} s per replication`],
    ['warm-up', warmup === undefined ? undefined : `${warmup} s`],
    ['time bucket', s?.timeBucket === undefined ? undefined : `${s.timeBucket} s`],
    [
      'MSER-5 suggested warm-up',
      mser === undefined ? undefined : `${mser} s${warmup !== undefined && mser > warmup ? ` — longer than the ${warmup} s used: the first buckets may still be warming up` : ''}`,
    ],
    ['complete', m.complete === undefined ? undefined : m.complete ? 'yes' : 'no — some replications are missing'],
    ['svcsim', m.svcsim],
  ];
  const p = m.precision;
  if (p?.perVariant)
    rows.push(['precision', `${p.metric ?? '?'} ±${(p.relative ?? 0) * 100}%: met in ${p.perVariant.filter((x) => x.met).length} of ${p.perVariant.length} variants with ${p.replications ?? '?'} replications`]);
  const dl = `<dl class="facts">${rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('')}</dl>`;
  const notes = [...(m.failure ? [`failed: ${m.failure}`] : []), ...(m.warnings ?? [])];
  return dl + (notes.length ? `<ul class="warnings">${notes.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>` : '');
}

function planSection(plan: PlanAnswer | undefined): string {
  if (!plan) return '';
  const range = plan.range ? ` in [${plan.range[0]}, ${plan.range[1]}]` : '';
  const question = planQuestion(plan);
  const withNode = plan.evidence.some((e) => typeof e.node === 'string');
  const explanation = Array.isArray(plan.explanation) ? plan.explanation.filter((x): x is string => typeof x === 'string') : [];
  const answer =
    plan.value === null
      ? `No value of <code>${escapeHtml(plan.path)}</code>${escapeHtml(range)} meets every SLO.`
      : `The smallest <code>${escapeHtml(plan.path)}</code>${escapeHtml(range)} that meets every SLO is <strong>${escapeHtml(plan.value)}</strong>.`;
  return `<section id="plan"><h2>Plan: the answer</h2>
<p class="answer">${answer}</p>${question?.text ? `\n<p>The question: ${escapeHtml(question.text)}</p>` : ''}${explanation.length ? `\n<p>Why not:</p><ul class="explanation">${explanation.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>` : ''}
<p>SLOs: ${plan.slos.map((s) => `<code>${escapeHtml(s)}</code>`).join(', ')}, each at a ${escapeHtml(plan.confidence * 100)}% one-sided confidence bound over replications.</p>
<table><caption>Evidence: every value tried</caption><thead><tr><th scope="col">${escapeHtml(plan.path)}</th>${withNode ? '<th scope="col">node down</th>' : ''}<th scope="col">every SLO holds</th><th scope="col">detail</th></tr></thead><tbody>
${plan.evidence.map((e) => `<tr><td>${escapeHtml(e.value)}</td>${withNode ? `<td class="text">${escapeHtml(e.node ?? '—')}</td>` : ''}<td>${e.holds ? 'yes' : 'no'}</td><td class="text">${escapeHtml(e.detail)}</td></tr>`).join('\n')}
</tbody></table></section>`;
}

function glanceSection(input: ReportInput, variants: readonly string[]): string {
  const { files, manifest, plan } = input;
  const sentences = glanceSentences({ manifest, summary: files.summary, variants, plan, slos: files.slos, breakdown: files.breakdown, pods: files.pods, nodes: files.nodes, timeseries: files.timeseries });
  if (sentences.length === 0) return '';
  return `<section id="glance"><h2>At a glance</h2>
<ul class="glance">${sentences.map((s) => `<li>${escapeHtml(s)}</li>`).join('\n')}</ul></section>`;
}

/** slos.csv as a table: each SLO per variant, its mean and interval, and the verdict. */
function slosTable(rows: readonly Row[] | undefined, scope?: string): string {
  const points = sloPoints((rows ?? []).filter((r) => scope === undefined || (r.scope || 'all') === scope));
  if (points.length === 0) return '';
  return `<div class="scroll"><table><caption>Service-level objectives (slos.csv): mean over replications, 95% confidence interval, verdict at one-sided 95%</caption>
<thead><tr><th scope="col">variant</th><th scope="col">SLO</th><th scope="col">mean</th><th scope="col">95% CI</th><th scope="col">verdict</th></tr></thead><tbody>
${points.map((p) => `<tr><th scope="row">${escapeHtml(p.variant).replace(/;/g, ';<wbr>')}</th><td class="text"><code>${escapeHtml(p.slo)}</code></td><td>${escapeHtml(fmt(p.mean, 4))}</td><td>[${escapeHtml(fmt(p.low, 4))}, ${escapeHtml(fmt(p.high, 4))}]</td><td class="text verdict-${escapeHtml(p.verdict.replace(/ /g, '-'))}">${escapeHtml(p.verdict)}</td></tr>`).join('\n')}
</tbody></table></div>`;
}

/** latency_breakdown.csv for one scope as a table: a row per variant, a column per segment, mean ms and share. */
function breakdownTable(rows: readonly Row[] | undefined, scope: string, order: readonly string[]): string {
  const segs = segmentMeans(rows ?? [], scope);
  if (segs.length === 0) return '';
  const segments = [...new Set([...segs].sort((a, b) => a.order - b.order).map((s) => s.segment))];
  const listed = [...new Set(segs.map((s) => s.variant))];
  const variants = [...order.filter((v) => listed.includes(v)), ...listed.filter((v) => !order.includes(v))];
  const withP99 = segs.some((s) => s.p99_ms !== null);
  const cell = (v: string, seg: string) => {
    const s = segs.find((x) => x.variant === v && x.segment === seg);
    if (!s) return '<td>—</td>';
    return `<td>${escapeHtml(fmt(s.mean_ms))}${s.share !== null ? `<span class="ci">${escapeHtml(fmt(s.share * 100))}%</span>` : ''}${withP99 && s.p99_ms !== null ? `<span class="ci">p99 ${escapeHtml(fmt(s.p99_ms))}</span>` : ''}</td>`;
  };
  return `<div class="scroll"><table><caption>Where the latency goes (latency_breakdown.csv, scope ${escapeHtml(scope)}): mean ms per ok request and share of the total${withP99 ? ', p99 where given' : ''}</caption>
<thead><tr><th scope="col">variant</th>${segments.map((s) => `<th scope="col">${escapeHtml(segmentLabel(s))}<br><span class="unit">(ms)</span></th>`).join('')}<th scope="col">total<br><span class="unit">(ms)</span></th></tr></thead><tbody>
${variants.map((v) => `<tr><th scope="row">${escapeHtml(v).replace(/;/g, ';<wbr>')}</th>${segments.map((s) => cell(v, s)).join('')}<td>${escapeHtml(fmt(segs.filter((s) => s.variant === v).reduce((t, s) => t + s.mean_ms, 0)))}</td></tr>`).join('\n')}
</tbody></table></div>`;
}

/** A sentence of a scope's own numbers, as the metrics table rounds them (summary.csv), and for a Service its cost per edge request. */
function scopeFacts(files: ReportInput['files'], scope: string, order: readonly string[], paths: readonly CriticalPath[]): string {
  const listed = order.filter((v) => files.summary.some((r) => r.variant === v && r.scope === scope));
  if (listed.length !== 1) return '';
  const v = listed[0];
  const row = (metric: string) => files.summary.find((r) => r.variant === v && r.scope === scope && r.metric === metric);
  const service = scope.startsWith('service:');
  const parts = [
    row('throughput_rps') && `throughput ${shown(row('throughput_rps'), service ? 'ok calls/s' : 'requests/s')}`,
    row('latency_mean_ms') && `mean latency ${shown(row('latency_mean_ms'), 'ms')}${service ? ' as its callers see it' : ''}`,
    row('latency_p99_ms') && `p99 ${shown(row('latency_p99_ms'), 'ms')}`,
    row('success_ratio') && `success ratio ${shown(row('success_ratio'))}`,
  ].filter(Boolean);
  const path = paths.find((p) => p.variant === v);
  const cost = service && path ? path.services.find((c) => `service:${c.service}` === scope) : undefined;
  const rank = cost && path ? [...path.services].sort((a, b) => b.perRequestMs - a.perRequestMs).indexOf(cost) + 1 : 0;
  const costText = cost
    ? ` It is called ${fmt(cost.callsPerRequest)} times per edge request and spends ${fmt(cost.latencyMs - cost.ownCallsMs)} ms of its own per call (${fmt(cost.ownCallsMs)} ms more waiting on the Services it calls): ${fmt(cost.perRequestMs)} ms per edge request, ${rank === 1 ? 'the most' : `number ${rank}`} of ${path!.services.length} called Services (an upper bound where calls run in parallel).`
    : '';
  return parts.length || costText ? `<p class="scope-facts">${escapeHtml(`${parts.length ? `${parts.join(', ')} (means over replications ± 95% CI half-width, summary.csv).` : ''}${costText}`)}</p>` : '';
}

/** One section per scope other than `all` (traffic entries, called Services, workloads): its numbers, metrics, SLOs and breakdown. */
function scopeSections(files: ReportInput['files'], order: readonly string[], charts: readonly ChartOut[]): string {
  const scopes = [...new Set(files.summary.map((r) => r.scope))].filter((s) => s && s !== 'all');
  if (scopes.length === 0) return '';
  const paths = criticalPaths(files.summary, files.breakdown ?? [], order);
  const drawn = (name: string) => charts.find((c) => c.name === name);
  const links = ['scope-metrics', 'breakdown'].flatMap((n) => (drawn(n) ? [`<a href="#${n}">${escapeHtml(drawn(n)!.title)}</a>`] : []));
  return `<section id="scopes"><h2>Per scope</h2>
<p>The same tables for each traffic entry${scopes.some((s) => s.startsWith('service:')) ? ', each called Service' : ''}${scopes.some((s) => s.startsWith('workload:')) ? ', each workload' : ''}; open one to read it.${links.length ? ` Charts of every scope side by side: ${links.join(', ')}.` : ''} The latency distribution (latency_cdf.csv) pools the edge requests of every traffic entry: there is none per scope.</p>
${scopes
  .map(
    (scope, i) => `<details class="scope" id="scope-${escapeHtml(scope.replace(/[^A-Za-z0-9_-]/g, '-'))}"${i === 0 ? ' open' : ''}><summary><code>${escapeHtml(scope)}</code></summary>
${scopeFacts(files, scope, order, paths)}
${metricsTable(files.summary, scope, order)}
${slosTable(files.slos, scope)}
${breakdownTable(files.breakdown, scope, order)}
</details>`,
  )
  .join('\n')}
</section>`;
}

function chartFigure(c: ChartOut): string {
  const svg = scopeSvgIds(c.svg.replace(/^<svg /, '<svg aria-hidden="true" focusable="false" '), c.name);
  // The caption says what is drawn; the numbers in words follow the chart, folded, so the page reads as charts.
  const cut = c.description.indexOf('. ');
  const what = cut > 0 ? c.description.slice(0, cut + 1) : c.description;
  const numbers = cut > 0 ? c.description.slice(cut + 2) : '';
  return (
    `<figure id="${escapeHtml(c.name)}" role="img" aria-label="${escapeHtml(`${c.title}. ${c.description}`)}"><figcaption><strong>${escapeHtml(c.title)}.</strong> ${escapeHtml(what)}</figcaption>${svg}</figure>` +
    (numbers ? `\n<details class="words"><summary>${escapeHtml(c.title)}: the numbers in words</summary><p>${escapeHtml(numbers)}</p></details>` : '')
  );
}

const CSS = `
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:2rem auto;max-width:1180px;padding:0 1rem;color:#1d1d1d;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
h4{margin:0 0 .3rem;font-size:.9rem}code{font-size:.9em;background:#f3f3f3;padding:0 .2em;border-radius:3px}
.description{font-size:1.05rem;color:#333}
table{border-collapse:collapse;margin:.8rem 0;font-size:.85rem}caption{text-align:left;font-weight:bold;padding:.3rem 0}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:right;vertical-align:top}td.text{text-align:left}
th[scope=row],thead th{text-align:left;background:#f5f5f5}.unit{font-weight:normal;color:#555}
.ci{display:block;color:#666;font-size:.8rem;white-space:nowrap}.scroll{overflow-x:auto}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:.15rem 1.2rem}dl.facts dt{font-weight:bold}dl.facts dd{margin:0}
.warnings{color:#8a4b00;font-size:.9rem}
figure{margin:1.5rem 0 .4rem}details.words{font-size:.85rem;color:#444;margin:0 0 1.6rem}details.words summary{cursor:pointer;color:#555}figcaption{font-size:.92rem;color:#333;margin-bottom:.4rem}svg{max-width:100%;height:auto}
.path{border:1px solid #ddd;border-radius:6px;padding:.6rem .8rem;background:#fcfcfc}
.lane{display:flex;flex-wrap:wrap;align-items:stretch;gap:.4rem 2rem;list-style:none;padding:0;margin:.4rem 0}
.stage{position:relative;border:1px solid #7a9cc6;border-radius:6px;padding:.5rem .7rem;background:#f4f8fd;font-size:.85rem;min-width:10rem}
.stage:not(:last-child)::after{content:"→";position:absolute;right:-1.55rem;top:40%;font-size:1.3rem;color:#555}
.stage dl{display:grid;grid-template-columns:max-content auto;gap:0 .6rem;margin:0 0 .4rem}.stage dt{color:#555}.stage dd{margin:0}
.cluster{flex:1 1 24rem}.zone{border:1px dashed #aaa;border-radius:5px;padding:.3rem .4rem;margin-top:.4rem}.zone-name{font-size:.75rem;color:#555}
.nodes{display:flex;flex-wrap:wrap;gap:.4rem;list-style:none;padding:0;margin:.2rem 0}
.node{border:1px solid #888;border-radius:4px;background:#fff;padding:.25rem .4rem;min-width:6rem}.node .name{font-weight:bold;font-size:.8rem}
.pods{display:flex;flex-wrap:wrap;gap:.2rem;list-style:none;padding:0;margin:.2rem 0 0}
.pod{background:#dcebd9;border:1px solid #7fae78;border-radius:10px;padding:0 .4rem;font-size:.75rem}
.empty{display:block;color:#a33;font-size:.75rem}.more{font-size:.75rem;color:#555}.sweep{font-size:.9rem}
.answer{font-size:1.1rem}.glance{font-size:1rem;padding-left:1.2rem}.glance li{margin:.25rem 0}
details.scope{border:1px solid #ddd;border-radius:5px;padding:.3rem .8rem;margin:.6rem 0}details.scope summary{cursor:pointer;font-weight:bold}
.verdict-met{color:#2e7d32}.verdict-not-met{color:#c0392b;font-weight:bold}.verdict-undecided{color:#8a6d00}
figure{overflow-x:auto}footer{margin-top:3rem;font-size:.8rem;color:#666}
@media print{figure,table,.path{break-inside:avoid}}
`;

export function reportHtml(input: ReportInput): string {
  const { manifest, files, charts, plan } = input;
  const { summary, pods, nodes } = files;
  const variants = input.variants ?? [...new Set(summary.map((r) => r.variant))];
  const meta = manifest.resolvedScenario?.metadata ?? {};
  const name = meta.name ?? 'svcsim results';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>svcsim report: ${escapeHtml(name)}</title>
<style>${CSS}</style></head><body>
<header><h1>${escapeHtml(name)}</h1>
${meta.description ? `<p class="description">${escapeHtml(meta.description)}</p>` : ''}</header>
<main>
${glanceSection(input, variants)}
<section id="simulated"><h2>What was simulated</h2>
${pathDiagrams(manifest, pods, nodes)}
</section>
<section id="run"><h2>The run</h2>
${runFacts(manifest)}
</section>
${planSection(plan ?? manifest.plan)}
<section id="metrics"><h2>Key metrics</h2>
${metricsTable(summary, 'all', variants)}
${slosTable(files.slos, 'all')}
${breakdownTable(files.breakdown, 'all', variants)}
</section>
<section id="charts"><h2>Charts</h2>
${charts.length ? charts.map(chartFigure).join('\n') : '<p>The folder has no tables to chart.</p>'}
</section>
${scopeSections(files, variants, charts)}
</main>
<footer><p>Drawn by svcsim from the CSV files and manifest.json of this results folder; every chart is also in <code>charts/</code> as SVG and PNG. Redraw with <code>svcsim report &lt;folder&gt;</code>.</p></footer>
</body></html>
`;
}
