/**
 * Charts as pure functions from the tables of a results folder to
 * vega-lite specs: read from the hand-made fixture folders
 * (test/fixtures/results-sweep: two swept parameters, a node failure, a
 * random failure; test/fixtures/results-base: one variant `base`).
 */
import { describe, expect, it } from 'vitest';
import { paramColumns } from '../src/report/charts/common.js';
import { diffPoints, diffsChart } from '../src/report/charts/diffs.js';
import { cdfPoints, quantileFromCdf } from '../src/report/charts/latencyCdf.js';
import { podMeans } from '../src/report/charts/pods.js';
import { parameterTitle, sweepPoints } from '../src/report/charts/sweep.js';
import { buckets } from '../src/report/charts/timeseries.js';
import { chartSpecs, readResultFiles, type ChartSpec } from '../src/report/index.js';
import { failureMarks, readManifest } from '../src/report/manifest.js';
import { parseCsvRecords, parseCsvTable } from '../src/report/readCsv.js';

const SWEEP = 'test/fixtures/results-sweep';
const BASE = 'test/fixtures/results-base';
const specsOf = (dir: string) => chartSpecs(readResultFiles(dir), readManifest(dir));
const byName = (specs: ChartSpec[], name: string) => specs.find((c) => c.name === name)!;

interface Channel {
  field?: string;
  type?: string;
  title?: string | null;
  legend?: unknown;
  aggregate?: string;
  datum?: unknown;
}

/** Every encoding object anywhere in a spec (layers, concatenations, facets). */
function encodings(spec: unknown, out: Record<string, Channel>[] = []): Record<string, Channel>[] {
  if (Array.isArray(spec)) for (const x of spec) encodings(x, out);
  else if (spec && typeof spec === 'object') {
    const o = spec as Record<string, unknown>;
    if (o.encoding && typeof o.encoding === 'object') out.push(o.encoding as Record<string, Channel>);
    for (const [k, v] of Object.entries(o)) if (k !== 'data' && k !== 'encoding') encodings(v, out);
  }
  return out;
}

/** Inline data of a spec's layers, by a field every row has. */
function layerData(spec: unknown, field: string): Record<string, unknown>[][] {
  const out: Record<string, unknown>[][] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      const values = (o.data as { values?: Record<string, unknown>[] } | undefined)?.values;
      if (values?.length && values.every((v) => field in v)) out.push(values);
      Object.values(o).forEach(walk);
    }
  };
  walk(spec);
  return out;
}

describe('reading the tables', () => {
  it('the CSV reader follows RFC 4180: quoted commas, doubled quotes, line breaks in quotes, CRLF, no final newline', () => {
    expect(parseCsvRecords('a,b,c\r\n"x, y","say ""hi""","two\nlines"\n,,\n1,2,3')).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
      ['', '', ''],
      ['1', '2', '3'],
    ]);
    expect(parseCsvTable('variant,mean\nbase,\n').rows).toEqual([{ variant: 'base', mean: '' }]);
    expect(parseCsvTable('').rows).toEqual([]);
  });

  it('sweep parameters are the columns between variant and the table’s own first column', () => {
    expect(paramColumns(['variant', 'replicas', 'externalTrafficPolicy', 'scope', 'metric'], 'scope')).toEqual(['replicas', 'externalTrafficPolicy']);
    expect(paramColumns(['variant', 'scope', 'metric'], 'scope')).toEqual([]);
    expect(readResultFiles(SWEEP).summaryHeader?.slice(0, 4)).toEqual(['variant', 'replicas', 'externalTrafficPolicy', 'scope']);
  });

  it('failure marks count from the window start, skip random failures and those outside the window', () => {
    // Fixture: warm-up 5 s, window 30 s, n-0 down at 20 s for 8 s, plus a random failure.
    expect(failureMarks(readManifest(SWEEP).resolvedScenario)).toEqual([
      { t: 15, label: 'node n-0 down', kind: 'failure' },
      { t: 23, label: 'node n-0 back', kind: 'recovery' },
    ]);
    const scenario = {
      simulation: { warmup: 10, duration: 60 },
      failures: [{ at: 5, zone: 'a' }, { at: 30, pod: 'web-1', restartAfter: 4 }, { at: 65, node: 'x', recoverAfter: 10 }, { random: { mtbf: 100, mttr: 5 } }],
    };
    expect(failureMarks(scenario)).toEqual([
      { t: 20, label: 'pod web-1 down', kind: 'failure' },
      { t: 24, label: 'pod web-1 back', kind: 'recovery' },
      { t: 55, label: 'node x down', kind: 'failure' },
    ]);
    expect(failureMarks(undefined)).toEqual([]);
  });
});

describe('what every chart shows', () => {
  it('the sweep folder gives all five charts, the folder without a sweep three', () => {
    expect(specsOf(SWEEP).map((c) => c.name)).toEqual(['latency-cdf', 'timeseries', 'pods', 'sweep', 'diffs']);
    expect(specsOf(BASE).map((c) => c.name)).toEqual(['latency-cdf', 'timeseries', 'pods']);
  });

  it('every chart has a title, and every quantitative axis a title with its unit in parentheses', () => {
    for (const { name, spec } of [...specsOf(SWEEP), ...specsOf(BASE)]) {
      const title = (spec as { title?: { text?: string } }).title?.text;
      expect(title, name).toMatch(/\w{3}/);
      const axes = encodings(spec).flatMap((e) => [e.x, e.y].filter((c): c is Channel => c?.field !== undefined));
      const quantitative = axes.filter((a) => a.type === 'quantitative' && a.aggregate === undefined);
      expect(quantitative.length, name).toBeGreaterThan(0);
      for (const a of quantitative) expect(a.title, `${name}: ${a.field}`).toMatch(/^\S.*\(.+\)$/);
      // A categorical axis is either titled or deliberately untitled (its labels say what it is).
      for (const a of axes.filter((x) => x.type !== 'quantitative')) expect(a.title === null || (typeof a.title === 'string' && a.title.length > 0), `${name}: ${a.field}`).toBe(true);
    }
  });

  it('where series differ, a colour encoding tells them apart with a legend (or an axis labels them)', () => {
    const specs = specsOf(SWEEP);
    const colors = (name: string) => encodings(byName(specs, name).spec).flatMap((e) => (e.color?.field ? [e.color] : []));
    const legendFor = (name: string, field: string) => colors(name).some((c) => c.field === field && c.legend !== null);
    expect(legendFor('latency-cdf', 'variant')).toBe(true);
    expect(legendFor('timeseries', 'variant')).toBe(true);
    expect(legendFor('pods', 'node')).toBe(true);
    // x is the first parameter; the second draws one line per value.
    expect(legendFor('sweep', 'series')).toBe(true);
    expect(colors('sweep').find((c) => c.field === 'series')?.title).toBe('externalTrafficPolicy');
    // One interval per variant, each on its own labelled row.
    expect(encodings(byName(specs, 'diffs').spec).some((e) => e.y?.field === 'variant')).toBe(true);
  });
});

describe('the data behind each chart', () => {
  const files = readResultFiles(SWEEP);

  it('the latency CDF keeps every point of every variant, and its quantiles can be read off', () => {
    const points = cdfPoints(files.cdf!);
    expect(points).toHaveLength(4 * 220);
    const median = quantileFromCdf(points, 'replicas=2;externalTrafficPolicy=Cluster', 0.5)!;
    const p99 = quantileFromCdf(points, 'replicas=2;externalTrafficPolicy=Cluster', 0.99)!;
    // The fixture is a lognormal with median 9.1 ms and p99 48.5 ms, read on a grid 2% apart.
    expect(median).toBeGreaterThan(9.1 * 0.97);
    expect(median).toBeLessThan(9.1 * 1.03);
    expect(p99).toBeGreaterThan(48.5 * 0.97);
    expect(p99).toBeLessThan(48.5 * 1.03);
  });

  it('the time series has one closing point per variant, so the last bucket is drawn as wide as the others', () => {
    const bs = buckets(files.timeseries!);
    expect(bs).toHaveLength(4 * 30 + 4);
    const own = bs.filter((b) => b.variant === 'replicas=4;externalTrafficPolicy=Local');
    expect(own.at(-1)!.t).toBe(30);
    expect(own.at(-1)!.throughput_rps).toBe(own.at(-2)!.throughput_rps);
    const gap = buckets(parseCsvTable('variant,t_s,requests,ok,failed,throughput_rps,latency_p50_ms,latency_p99_ms\nbase,0,0,0,0,0,,\nbase,1.00000,3,3,0,3.00000,5.1,7.2\n').rows);
    expect(gap[0].latency_p99_ms).toBeNull();
  });

  it('a time series of 300 000 buckets gives its points without overflowing the call stack', () => {
    const n = 300_000;
    const rows = Array.from({ length: n }, (_, i) => ({ variant: 'base', t_s: String(i), throughput_rps: '3.6', failed: '0', latency_p99_ms: '' }));
    const bs = buckets(rows);
    expect(bs).toHaveLength(n + 1);
    expect(bs.at(-1)!.t).toBe(n);
  });

  it('the time series marks the node failure at 15 s and its recovery at 23 s, nothing for the random failure', () => {
    const spec = byName(specsOf(SWEEP), 'timeseries').spec;
    const marks = layerData(spec, 'label').flat();
    expect(new Set(marks.map((m) => `${String(m.t)} ${String(m.label)}`))).toEqual(new Set(['15 node n-0 down', '23 node n-0 back']));
  });

  it('the pod chart averages share and utilisation over replications per variant and pod, ordered by node', () => {
    const means = podMeans(files.pods!);
    const local4 = means.filter((p) => p.variant === 'replicas=4;externalTrafficPolicy=Local');
    expect(local4.map((p) => p.label)).toEqual(['web-0 (n-0)', 'web-3 (n-0)', 'web-1 (n-1)', 'web-2 (n-2)']);
    const rows = files.pods!.filter((r) => r.variant === 'replicas=4;externalTrafficPolicy=Local' && r.pod === 'web-1');
    expect(rows).toHaveLength(3);
    expect(local4[2].share).toBeCloseTo(rows.reduce((s, r) => s + Number(r.share), 0) / 3, 12);
    // Local with two pods on n-0 and one on each other node: web-1 and web-2 take about twice web-0's share.
    expect(local4[2].share! / local4[0].share!).toBeGreaterThan(1.7);
  });

  it('the sweep chart takes the first parameter as x and the second as the line, with ci_low and ci_high as the interval', () => {
    const points = sweepPoints(files.summary!, ['replicas', 'externalTrafficPolicy']);
    expect(points).toHaveLength(4 * 5);
    const p = points.find((x) => x.metric === 'latency_p99_ms' && x.x === '4' && x.series === 'Local')!;
    const row = files.summary!.find((r) => r.variant === 'replicas=4;externalTrafficPolicy=Local' && r.scope === 'all' && r.metric === 'latency_p99_ms')!;
    expect([p.xNum, p.mean, p.low, p.high]).toEqual([4, Number(row.mean), Number(row.ci_low), Number(row.ci_high)]);
    const x = encodings(byName(specsOf(SWEEP), 'sweep').spec).find((e) => e.x?.field)?.x;
    expect([x?.field, x?.type, x?.title]).toEqual(['xNum', 'quantitative', 'replicas (pods)']);
  });

  it('numeric sweep values get a unit from the swept field, values with their own units or names none', () => {
    expect(parameterTitle('replicas', ['3', '6'], 'workloads.web.replicas')).toBe('replicas (pods)');
    expect(parameterTitle('timeout', ['1', '2.5'], 'traffic.users.timeout')).toBe('timeout (s)');
    expect(parameterTitle('rate', ['1000/s', '2000/s'])).toBe('rate');
    expect(parameterTitle('externalTrafficPolicy', ['Cluster', 'Local'])).toBe('externalTrafficPolicy');
  });

  it('the difference chart has one interval per variant after the baseline and key metric, from ci_low to ci_high', () => {
    const points = diffPoints(files.diffs!);
    expect(points).toHaveLength(3 * 5);
    expect(new Set(points.map((p) => p.variant)).has('replicas=2;externalTrafficPolicy=Cluster')).toBe(false);
    const row = files.diffs!.find((r) => r.variant === 'replicas=4;externalTrafficPolicy=Cluster' && r.scope === 'all' && r.metric === 'failed')!;
    const p = points.find((x) => x.variant === row.variant && x.metric === 'failed')!;
    expect([p.diff, p.low, p.high]).toEqual([Number(row.mean_diff), Number(row.ci_low), Number(row.ci_high)]);
    expect((diffsChart(files.diffs!) as { title: { text: string } }).title.text).toBe('Paired differences against replicas=2;externalTrafficPolicy=Cluster');
  });

  it('text alternatives describe the data: quantiles, failure times, pod shares, differences', () => {
    const text = Object.fromEntries(specsOf(SWEEP).map((c) => [c.name, c.description]));
    expect(text['latency-cdf']).toMatch(/replicas=2;externalTrafficPolicy=Cluster: median about 9\.\d+ ms, p99 about 4\d\.?\d* ms/);
    expect(text.timeseries).toContain('node n-0 down at 15 s, node n-0 back at 23 s');
    expect(text.pods).toMatch(/replicas=4;externalTrafficPolicy=Local: 4 pods, share from 0\.1\d+ \(web-\d \(n-0\)\) to 0\.3\d+ \(web-\d \(n-[12]\)\)/);
    expect(text.sweep).toContain('p99 latency from');
    expect(text.diffs).toMatch(/replicas=4;externalTrafficPolicy=Local failed requests -\d+/);
  });
});
