/**
 * Reports from a results folder's CSV files alone: charts (SVG and PNG) in
 * `charts/` and one self-contained `report.html`. Redrawing from the same
 * files gives the same charts, so shard merges and edited CSVs redraw too.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffsChart } from './charts/diffs.js';
import { latencyCdfChart } from './charts/latencyCdf.js';
import { podsChart } from './charts/pods.js';
import { sweepChart } from './charts/sweep.js';
import { timeseriesChart, type FailureMark } from './charts/timeseries.js';
import type { Spec } from './charts/common.js';
import { paramColumns } from './charts/common.js';
import { reportHtml, type ChartOut, type PlanAnswer } from './html.js';
import { readCsv, type Row } from './readCsv.js';
import { toPng, toSvg } from './render.js';

export type { PlanAnswer } from './html.js';

interface ManifestLike {
  resolvedScenario?: { simulation?: { warmup?: number }; failures?: { at?: number; node?: string; pod?: string; zone?: string }[] };
  plan?: PlanAnswer;
}

function failureMarks(manifest: ManifestLike): FailureMark[] {
  const warmup = manifest.resolvedScenario?.simulation?.warmup ?? 0;
  return (manifest.resolvedScenario?.failures ?? [])
    .filter((f) => f.at !== undefined)
    .map((f) => ({ t: f.at! - warmup, label: f.node ? `node ${f.node} down` : f.pod ? `pod ${f.pod} down` : `zone ${f.zone} down` }))
    .filter((f) => f.t >= 0);
}

/** The charts a folder's files allow, as specs with their text alternatives. */
export function chartSpecs(files: { summary?: Row[]; diffs?: Row[]; pods?: Row[]; timeseries?: Row[]; cdf?: Row[]; summaryHeader?: string[] }, manifest: ManifestLike): { name: string; title: string; description: string; spec: Spec }[] {
  const out: { name: string; title: string; description: string; spec: Spec }[] = [];
  if (files.cdf?.length) out.push({ name: 'latency-cdf', title: 'Latency distribution', description: 'Cumulative share of ok requests by end-to-end latency, log scale, one line per variant.', spec: latencyCdfChart(files.cdf) });
  if (files.timeseries?.length) {
    const marks = failureMarks(manifest);
    out.push({ name: 'timeseries', title: 'Traffic over time', description: `Throughput, failed requests and p99 latency per time bucket${marks.length ? `; failures at ${marks.map((m) => `${m.t} s (${m.label})`).join(', ')}` : ''}.`, spec: timeseriesChart(files.timeseries, marks) });
  }
  if (files.pods?.length) out.push({ name: 'pods', title: 'Per-pod share and utilisation', description: 'Share of requests and utilisation of every pod, coloured by node: uneven bars show imbalance.', spec: podsChart(files.pods) });
  const params = files.summaryHeader ? paramColumns(files.summaryHeader, 'scope') : [];
  if (params.length && files.summary?.length)
    out.push({ name: 'sweep', title: 'Key metrics across the sweep', description: `p99 and mean latency, success ratio, throughput and failures against ${params[0]}, with 95% confidence intervals.`, spec: sweepChart(files.summary, params) });
  if (files.diffs?.length) out.push({ name: 'diffs', title: 'Paired differences', description: 'Each variant minus the baseline, paired by replication, with 95% confidence intervals.', spec: diffsChart(files.diffs) });
  return out;
}

export async function writeReport(resultsDir: string, options?: { plan?: PlanAnswer }): Promise<{ charts: string[] }> {
  const read = (f: string) => readCsv(join(resultsDir, f));
  const summary = read('summary.csv');
  if (!summary) throw new Error(`${resultsDir}: no summary.csv: not a results folder`);
  const manifestPath = join(resultsDir, 'manifest.json');
  const manifest = (existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : {}) as ManifestLike;
  const summaryHeader = readFileSync(join(resultsDir, 'summary.csv'), 'utf8').split('\n')[0].split(',');
  const specs = chartSpecs({ summary, summaryHeader, diffs: read('diffs.csv'), pods: read('pods.csv'), timeseries: read('timeseries.csv'), cdf: read('latency_cdf.csv') }, manifest);
  const chartsDir = join(resultsDir, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  const charts: ChartOut[] = [];
  for (const c of specs) {
    const svg = await toSvg(c.spec);
    writeFileSync(join(chartsDir, `${c.name}.svg`), svg);
    writeFileSync(join(chartsDir, `${c.name}.png`), toPng(svg));
    charts.push({ name: c.name, title: c.title, description: c.description, svg });
  }
  writeFileSync(join(resultsDir, 'report.html'), reportHtml(manifest, summary, charts, options?.plan ?? manifest.plan));
  return { charts: specs.map((c) => c.name) };
}
