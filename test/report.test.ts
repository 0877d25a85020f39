/**
 * Reports from a results folder: every chart with a title, axis titles with
 * units and a legend where series differ; PNGs with real text; the same
 * files give the same charts; report.html self-contained; and, where
 * Chromium is installed, a real browser renders it with charts and tables.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { svcsim } from './helpers/cli.js';
import { chartSpecs, writeReport } from '../src/report/index.js';
import { readCsv } from '../src/report/readCsv.js';
import { toPixels, toSvg } from '../src/report/render.js';

let dir: string;

beforeAll(async () => {
  dir = join(mkdtempSync(join(tmpdir(), 'svcsim-report-')), 'results');
  const { code, stderr } = await svcsim('run', 'test/fixtures/scenarios/report-fixture.yaml', '--workers', '1', '--out', dir, '--quiet');
  if (code !== 0) throw new Error(`run exited ${code}: ${stderr}`);
}, 120_000);

afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

function specsOf(d: string) {
  const summaryHeader = readFileSync(join(d, 'summary.csv'), 'utf8').split('\n')[0].split(',');
  const manifest = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as object;
  return chartSpecs(
    { summary: readCsv(join(d, 'summary.csv')), summaryHeader, diffs: readCsv(join(d, 'diffs.csv')), pods: readCsv(join(d, 'pods.csv')), nodes: readCsv(join(d, 'nodes.csv')), timeseries: readCsv(join(d, 'timeseries.csv')), cdf: readCsv(join(d, 'latency_cdf.csv')) },
    manifest,
  );
}

/** Every encoding channel object anywhere in a spec. */
function encodings(spec: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (spec && typeof spec === 'object') {
    const o = spec as Record<string, unknown>;
    if (o.encoding && typeof o.encoding === 'object') out.push(o.encoding as Record<string, unknown>);
    for (const v of Object.values(o)) if (v && typeof v === 'object') encodings(v, out);
  }
  return out;
}

describe('charts', () => {
  it('run draws every chart as SVG and PNG, and report.html', () => {
    const files = readdirSync(join(dir, 'charts')).sort();
    // The engine writes latency_breakdown.csv and the failure and occupancy series, so their charts are drawn too.
    expect(files).toEqual([
      'breakdown.png', 'breakdown.svg', 'diffs.png', 'diffs.svg', 'failures.png', 'failures.svg', 'in-flight.png', 'in-flight.svg',
      'latency-cdf.png', 'latency-cdf.svg', 'nodes.png', 'nodes.svg', 'pods.png', 'pods.svg', 'sweep.png', 'sweep.svg', 'timeseries.png', 'timeseries.svg',
    ]);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
  });

  it('every chart has a title, axis titles with units, and a legend where series differ', () => {
    for (const { name, spec } of specsOf(dir)) {
      const title = (spec.title as { text: string }).text;
      expect(title, name).toMatch(/\w/);
      const enc = encodings(spec);
      const axes = enc.flatMap((e) => ['x', 'y'].map((k) => e[k] as { title?: string | null; field?: string } | undefined)).filter((a) => a?.field && a.title !== null);
      expect(axes.length, name).toBeGreaterThan(0);
      for (const a of axes) expect(a!.title, `${name}: ${a!.field}`).toMatch(/\(.+\)|^[a-zA-Z.]+$/);
      const colors = enc.map((e) => e.color as { field?: string; legend?: unknown } | undefined).filter((c) => c?.field);
      expect(colors.length, name).toBeGreaterThan(0);
    }
  });

  it('PNGs have text pixels: a chart with its text differs from the same chart without it', async () => {
    const [first] = specsOf(dir);
    const svg = await toSvg(first.spec);
    const withText = toPixels(svg);
    const withoutText = toPixels(svg.replace(/<text[^>]*>[^<]*<\/text>/g, ''));
    let differing = 0;
    for (let i = 0; i < withText.pixels.length; i += 4) if (withText.pixels[i] !== withoutText.pixels[i]) differing++;
    expect(differing).toBeGreaterThan(500);
  });

  it('redrawing from the CSV files gives the same charts', async () => {
    const before = readdirSync(join(dir, 'charts')).filter((f) => f.endsWith('.svg')).map((f) => readFileSync(join(dir, 'charts', f), 'utf8'));
    await writeReport(dir);
    const after = readdirSync(join(dir, 'charts')).filter((f) => f.endsWith('.svg')).map((f) => readFileSync(join(dir, 'charts', f), 'utf8'));
    expect(after).toEqual(before);
  });

  it('svcsim report refuses a folder that is not a results folder', async () => {
    const { code, stderr: err } = await svcsim('report', tmpdir());
    expect(code).toBe(2);
    expect(err).toContain('no summary.csv: not a results folder');
  });
});

describe('report.html', () => {
  it('is self-contained: metrics table, every chart inline with a text alternative, nothing to load', () => {
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('report-fixture');
    expect(html).toContain('<table><caption>Key metrics per variant');
    expect(html.match(/<figure id="[a-z-]+" role="img" aria-label="[^"]+">/g)?.length).toBe(9);
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(6);
    expect(html).not.toMatch(/<script|<link |src="http|href="http/);
  });

  it.skipIf(!existsSync('/usr/bin/chromium'))('renders in headless Chromium with its charts and tables', () => {
    const profile = mkdtempSync(join(tmpdir(), 'svcsim-chromium-'));
    const dom = execFileSync(
      '/usr/bin/chromium',
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--dump-dom', `file://${join(dir, 'report.html')}`],
      { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    expect(dom.match(/<svg /g)?.length).toBeGreaterThanOrEqual(5);
    expect(dom).toContain('Key metrics per variant');
    expect(dom).toContain('What was simulated');
    rmSync(profile, { recursive: true, force: true });
  });
});
