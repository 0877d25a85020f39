/**
 * Reports from a results folder's files alone (the CSV tables and
 * manifest.json): charts as SVG and PNG in `charts/`, and one
 * self-contained `report.html`. The same files give byte-identical SVGs, so
 * a merged or edited folder redraws the same way. A table that is missing
 * only skips its charts.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChartSpec, paramColumns, uniqueInOrder } from './charts/common.js';
import { diffsChart, diffsDescription } from './charts/diffs.js';
import { latencyCdfChart, latencyCdfDescription } from './charts/latencyCdf.js';
import { podsChart, podsDescription } from './charts/pods.js';
import { sweepChart, sweepDescription } from './charts/sweep.js';
import { timeseriesChart, timeseriesDescription } from './charts/timeseries.js';
import { reportHtml, type ChartOut } from './html.js';
import { failureMarks, readManifest, type Manifest, type PlanAnswer } from './manifest.js';
import { readCsvTable, type Row } from './readCsv.js';
import { toPng, toSvg, withTextAlternative } from './render.js';

export type { ChartSpec } from './charts/common.js';
export type { Manifest, PlanAnswer } from './manifest.js';

/** Every chart the report can draw, by file name (without extension). */
export const CHART_NAMES = ['latency-cdf', 'timeseries', 'pods', 'sweep', 'diffs'] as const;

export interface ResultFiles {
  summary?: Row[];
  /** summary.csv's header: the sweep parameters are the columns between `variant` and `scope`. */
  summaryHeader?: string[];
  diffs?: Row[];
  pods?: Row[];
  nodes?: Row[];
  timeseries?: Row[];
  cdf?: Row[];
}

/** The results folder's tables; a missing file is undefined. */
export function readResultFiles(dir: string): ResultFiles {
  const read = (file: string) => readCsvTable(join(dir, file));
  const summary = read('summary.csv');
  return {
    summary: summary?.rows,
    summaryHeader: summary?.header,
    diffs: read('diffs.csv')?.rows,
    pods: read('pods.csv')?.rows,
    nodes: read('nodes.csv')?.rows,
    timeseries: read('timeseries.csv')?.rows,
    cdf: read('latency_cdf.csv')?.rows,
  };
}

/** The charts a folder's tables allow, as vega-lite specs with their titles and text alternatives: a pure function. */
export function chartSpecs(files: ResultFiles, manifest: Manifest): ChartSpec[] {
  // One colour per variant in every chart, in the order summary.csv lists them.
  const variants = uniqueInOrder([files.summary, files.cdf, files.timeseries, files.pods].flatMap((rows) => (rows ?? []).map((r) => r.variant)));
  const out: ChartSpec[] = [];
  if (files.cdf?.length) out.push({ name: 'latency-cdf', title: 'Latency distribution', description: latencyCdfDescription(files.cdf), spec: latencyCdfChart(files.cdf, variants) });
  if (files.timeseries?.length) {
    const marks = failureMarks(manifest.resolvedScenario);
    out.push({ name: 'timeseries', title: 'Traffic over time', description: timeseriesDescription(files.timeseries, marks), spec: timeseriesChart(files.timeseries, marks, variants) });
  }
  if (files.pods?.length) out.push({ name: 'pods', title: 'Requests and utilisation per pod', description: podsDescription(files.pods), spec: podsChart(files.pods) });
  const params = files.summaryHeader ? paramColumns(files.summaryHeader, 'scope') : [];
  if (params.length && files.summary?.some((r) => r.scope === 'all')) {
    const paths = params.map((p) => manifest.resolvedScenario?.sweep?.parameters?.find((x) => x.path === p || x.path?.endsWith(`.${p}`))?.path ?? p);
    out.push({ name: 'sweep', title: `Key metrics across the sweep`, description: sweepDescription(files.summary, params), spec: sweepChart(files.summary, params, paths, variants) });
  }
  if (files.diffs?.some((r) => r.scope === 'all'))
    out.push({ name: 'diffs', title: 'Paired differences against the baseline', description: diffsDescription(files.diffs), spec: diffsChart(files.diffs, variants) });
  return out;
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
  const files = readResultFiles(resultsDir);
  if (!files.summary) throw new NotAResultsFolderError(resultsDir);
  const manifest = readManifest(resultsDir);
  const specs = chartSpecs(files, manifest);
  const chartsDir = join(resultsDir, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  const charts: ChartOut[] = [];
  for (const c of specs) {
    const svg = await toSvg(c.spec);
    writeFileSync(join(chartsDir, `${c.name}.svg`), withTextAlternative(svg, c.title, c.description));
    writeFileSync(join(chartsDir, `${c.name}.png`), toPng(svg));
    charts.push({ name: c.name, title: c.title, description: c.description, svg });
  }
  // A chart drawn before from a table that is gone now would describe other data.
  for (const name of CHART_NAMES)
    if (!specs.some((c) => c.name === name)) for (const ext of ['svg', 'png']) if (existsSync(join(chartsDir, `${name}.${ext}`))) rmSync(join(chartsDir, `${name}.${ext}`));
  const html = reportHtml({ manifest, summary: files.summary, charts, plan: options?.plan ?? manifest.plan, pods: files.pods, nodes: files.nodes });
  writeFileSync(join(resultsDir, 'report.html'), html);
  return { charts: specs.map((c) => c.name) };
}
