/**
 * Reports from a results folder's files alone (the CSV tables and
 * manifest.json): charts as SVG and PNG in `charts/`, and one
 * self-contained `report.html`. The same files give byte-identical SVGs, so
 * a merged or edited folder redraws the same way. A table that is missing
 * only skips its charts.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { breakdownChart, breakdownDescription } from './charts/breakdown.js';
import { type ChartSpec, orderVariants, paramColumns, uniqueInOrder } from './charts/common.js';
import { diffsChart, diffsDescription } from './charts/diffs.js';
import { failuresChart, failuresDescription, hasFailureCauses } from './charts/failures.js';
import { hasInFlight, inflightChart, inflightDescription } from './charts/inflight.js';
import { latencyCdfChart, latencyCdfDescription } from './charts/latencyCdf.js';
import { nodesChart, nodesDescription } from './charts/nodes.js';
import { planChart, planDescription, planPoints } from './charts/plan.js';
import { podsChart, podsDescription } from './charts/pods.js';
import { hasScopes, scopesChart, scopesDescription } from './charts/scopes.js';
import { slosChart, slosDescription, thresholds } from './charts/slos.js';
import { sweepChart, sweepDescription } from './charts/sweep.js';
import { hasReplicas, replicasChart, replicasDescription } from './charts/replicas.js';
import { timeseriesChart, timeseriesDescription } from './charts/timeseries.js';
import { reportHtml, type ChartOut } from './html.js';
import { failureMarks, readManifest, scheduleMarks, warmups, type Manifest, type PlanAnswer } from './manifest.js';
import { scenarioClock, showsWarmup, warmupOf } from './charts/time.js';
import { readResultFiles, type ResultFiles } from './files.js';
import { PngThread } from './pngThread.js';
import { toSvg, withTextAlternative } from './render.js';

export type { ChartSpec } from './charts/common.js';
export type { Manifest, PlanAnswer } from './manifest.js';
export { readResultFiles, type ResultFiles } from './files.js';

/** Every chart the report can draw, by file name (without extension). */
export const CHART_NAMES = ['latency-cdf', 'breakdown', 'scope-metrics', 'timeseries', 'failures', 'in-flight', 'replicas', 'pods', 'nodes', 'slos', 'sweep', 'diffs', 'plan'] as const;

/**
 * Variants in reading order: summary.csv's, numerically by sweep values
 * where they are numbers; variants only other tables name come after.
 */
export function variantOrder(files: ResultFiles): string[] {
  const listed = uniqueInOrder([files.summary, files.cdf, files.timeseries, files.pods, files.nodes, files.breakdown, files.slos].flatMap((rows) => (rows ?? []).map((r) => r.variant)));
  return orderVariants(listed, files.summary, files.summaryHeader ? paramColumns(files.summaryHeader, 'scope') : []);
}

/** The folder's tables with timeseries.csv on the scenario clock (`t_scenario_s` filled in for a folder written before it existed). */
export function withScenarioClock(files: ResultFiles, manifest: Manifest): ResultFiles {
  return files.timeseries ? { ...files, timeseries: scenarioClock(files.timeseries, warmups(manifest)) } : files;
}

/** The charts a folder's tables allow, as vega-lite specs with their titles and text alternatives: a pure function. */
export function chartSpecs(folder: ResultFiles, manifest: Manifest, plan: PlanAnswer | undefined = manifest.plan): ChartSpec[] {
  const files = withScenarioClock(folder, manifest);
  // One colour per variant in every chart, in reading order.
  const variants = variantOrder(files);
  const slos = thresholds(files.slos, plan?.slos);
  // On the scenario clock; a failure inside a warm-up the axis does not show is left out of the charts.
  const ts = files.timeseries ?? [];
  const marks = [...failureMarks(manifest.resolvedScenario), ...scheduleMarks(manifest.resolvedScenario)].sort((a, b) => a.t - b.t).filter((m) => ts.length === 0 || showsWarmup(ts) || m.t >= warmupOf(ts));
  const out: ChartSpec[] = [];
  if (files.cdf?.length) out.push({ name: 'latency-cdf', title: 'Latency distribution', description: latencyCdfDescription(files.cdf, files.summary), spec: latencyCdfChart(files.cdf, variants, slos) });
  if (files.breakdown?.some((r) => r.mean_ms !== undefined && r.mean_ms !== ''))
    out.push({ name: 'breakdown', title: 'Where the latency goes', description: breakdownDescription(files.breakdown, files.summary), spec: breakdownChart(files.breakdown, variants) });
  if (hasScopes(files.summary))
    out.push({ name: 'scope-metrics', title: 'Per traffic entry and Service', description: scopesDescription(files.summary!, variants), spec: scopesChart(files.summary!, variants, slos) });
  if (files.timeseries?.length) {
    out.push({ name: 'timeseries', title: 'Traffic over time', description: timeseriesDescription(files.timeseries, marks), spec: timeseriesChart(files.timeseries, marks, variants, slos) });
    if (hasFailureCauses(files.timeseries))
      out.push({ name: 'failures', title: 'Failures by cause over time', description: failuresDescription(files.timeseries, marks), spec: failuresChart(files.timeseries, marks, variants) });
    if (hasInFlight(files.timeseries)) out.push({ name: 'in-flight', title: 'Requests in flight over time', description: inflightDescription(files.timeseries), spec: inflightChart(files.timeseries, marks, variants) });
    if (hasReplicas(files.timeseries)) out.push({ name: 'replicas', title: 'Replicas and load over time', description: replicasDescription(files.timeseries), spec: replicasChart(files.timeseries, marks, variants) });
  }
  if (files.pods?.length) out.push({ name: 'pods', title: 'Requests and utilisation per pod', description: podsDescription(files.pods, variants), spec: podsChart(files.pods, variants) });
  if (files.nodes?.length) out.push({ name: 'nodes', title: 'What each node’s kube-proxy did', description: nodesDescription(files.nodes, variants), spec: nodesChart(files.nodes, variants) });
  if (files.slos?.length) out.push({ name: 'slos', title: 'Service-level objectives', description: slosDescription(files.slos), spec: slosChart(files.slos, variants) });
  const params = files.summaryHeader ? paramColumns(files.summaryHeader, 'scope') : [];
  if (params.length && files.summary?.some((r) => r.scope === 'all')) {
    const paths = params.map((p) => manifest.resolvedScenario?.sweep?.parameters?.find((x) => x.path === p || x.path?.endsWith(`.${p}`))?.path ?? p);
    out.push({ name: 'sweep', title: `Key metrics across the sweep`, description: sweepDescription(files.summary, params), spec: sweepChart(files.summary, params, paths, variants, slos) });
  }
  if (files.diffs?.some((r) => r.scope === 'all'))
    out.push({ name: 'diffs', title: 'Paired differences against the baseline', description: diffsDescription(files.diffs), spec: diffsChart(files.diffs, variants) });
  if (plan && planPoints(plan).length) out.push({ name: 'plan', title: 'The plan search', description: planDescription(plan), spec: planChart(plan) });
  return out;
}

let warmThread: PngThread | undefined;

/**
 * Starts the PNG thread ahead of the report and has it warm up (see
 * PngThread.warmUp): called when the report's code has loaded before the
 * replications, so that it works while they run. The next writeReport
 * draws with it.
 */
export function warmCharts(): void {
  if (warmThread) return;
  warmThread = new PngThread(CHART_NAMES.length);
  warmThread.warmUp();
}

/** The warmed PNG thread if there is one (it serves one report), else a new one. */
function takePngThread(): PngThread {
  const thread = warmThread ?? new PngThread(CHART_NAMES.length);
  warmThread = undefined;
  return thread;
}

export class NotAResultsFolderError extends Error {
  constructor(readonly dir: string) {
    super(`${dir}: no summary.csv: not a results folder`);
    this.name = 'NotAResultsFolderError';
  }
}

/**
 * Draws `charts/<name>.svg`, `charts/<name>.png` and `report.html` into a
 * results folder, from its files alone. `options.plan` (or the manifest's
 * `plan`) adds the answer of `svcsim plan`. Returns the names of the charts
 * drawn (see CHART_NAMES).
 */
export async function writeReport(resultsDir: string, options?: { plan?: PlanAnswer }): Promise<{ charts: string[] }> {
  const read = readResultFiles(resultsDir);
  if (!read.summary) throw new NotAResultsFolderError(resultsDir);
  const manifest = readManifest(resultsDir);
  const files = { ...withScenarioClock(read, manifest), summary: read.summary };
  const plan = options?.plan ?? manifest.plan;
  const specs = chartSpecs(files, manifest, plan);
  const chartsDir = join(resultsDir, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  const charts: ChartOut[] = [];
  // Each PNG is drawn, encoded and written on a thread of its own while the next SVG is made.
  // One thread: two drew no faster on 2 cores (1.11× the CPU, 1.02× the wall time of a what-if) and touched twice the memory.
  const pngThread = specs.length > 0 ? takePngThread() : undefined;
  const pngs: Promise<void>[] = [];
  try {
    for (const c of specs) {
      const svg = await toSvg(c.spec);
      writeFileSync(join(chartsDir, `${c.name}.svg`), withTextAlternative(svg, c.title, c.description));
      pngs.push(pngThread!.draw(svg, join(chartsDir, `${c.name}.png`)));
      charts.push({ name: c.name, title: c.title, description: c.description, svg });
    }
    pngThread?.finish();
  } finally {
    // Never leave a PNG being written (or its failure unheard) behind a failed SVG.
    await Promise.allSettled(pngs);
    await pngThread?.close();
  }
  await Promise.all(pngs);
  // A chart drawn before from a table that is gone now would describe other data.
  for (const name of CHART_NAMES)
    if (!specs.some((c) => c.name === name)) for (const ext of ['svg', 'png']) if (existsSync(join(chartsDir, `${name}.${ext}`))) rmSync(join(chartsDir, `${name}.${ext}`));
  const html = reportHtml({ manifest, files, charts, plan, variants: variantOrder(files) });
  writeFileSync(join(resultsDir, 'report.html'), html);
  return { charts: specs.map((c) => c.name) };
}
