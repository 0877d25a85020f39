/**
 * Charts as pure functions from the tables of a results folder to
 * vega-lite specs: read from the hand-made fixture folders
 * (test/fixtures/results-sweep: two swept parameters, a node failure, a
 * random failure, SLOs, a latency breakdown, failures by cause, in-flight
 * and 95% bands; test/fixtures/results-base: one variant `base`), or from
 * small tables written in the test.
 */
import { describe, expect, it } from 'vitest';
import { biggestSegments, breakdownChart, segmentMeans } from '../src/report/charts/breakdown.js';
import { fmt, naturalCompare, orderVariants, paramColumns, plainNumber } from '../src/report/charts/common.js';
import { deriveStream } from '../src/engine/random.js';
import { causeBars } from '../src/report/charts/failures.js';
import { busiestNodes, nodeMeans, nodesDescription } from '../src/report/charts/nodes.js';
import { planPoints } from '../src/report/charts/plan.js';
import { parseSlo, sloPoints } from '../src/report/charts/slos.js';
import { marksNote, scenarioClock, timePoints, unfinishedFrom, warmupOf } from '../src/report/charts/time.js';
import { diffPoints, diffsChart } from '../src/report/charts/diffs.js';
import { cdfPoints, latencyCdfChart, quantileFromCdf } from '../src/report/charts/latencyCdf.js';
import { busiestPods, podMeans, podsChart, podsDescription } from '../src/report/charts/pods.js';
import { parameterTitle, sweepChart, sweepDescription, sweepPoints } from '../src/report/charts/sweep.js';
import { buckets, timeseriesChart, timeseriesDescription } from '../src/report/charts/timeseries.js';
import { chartSpecs, readResultFiles, type ChartSpec, type PlanAnswer } from '../src/report/index.js';
import { glanceSentences } from '../src/report/glance.js';
import { criticalPaths } from '../src/report/criticalPath.js';
import { compareScopes, hasScopes, scopePoints, scopesChart, scopesDescription } from '../src/report/charts/scopes.js';
import { reportHtml } from '../src/report/html.js';
import { failureMarks, readManifest, scheduleMarks, warmups } from '../src/report/manifest.js';
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

interface Layer {
  mark?: { type?: string; color?: string; text?: string; strokeDash?: number[] };
  encoding?: Record<string, Channel | undefined>;
}

/** Every object with a mark anywhere in a spec. */
function layers(spec: unknown, out: Layer[] = []): Layer[] {
  if (Array.isArray(spec)) for (const x of spec) layers(x, out);
  else if (spec && typeof spec === 'object') {
    const o = spec as Record<string, unknown>;
    if (o.mark) out.push({ mark: typeof o.mark === 'string' ? { type: o.mark } : (o.mark), encoding: o.encoding as Layer['encoding'] });
    for (const [k, v] of Object.entries(o)) if (k !== 'data') layers(v, out);
  }
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

  it('failure marks are on the scenario clock (as failures[].at), skip random failures and those after the window', () => {
    // Fixture: warm-up 5 s, window 30 s, n-0 down at 20 s for 8 s, plus a random failure.
    expect(failureMarks(readManifest(SWEEP).resolvedScenario)).toEqual([
      { t: 20, label: 'node n-0 down', kind: 'failure' },
      { t: 28, label: 'node n-0 back', kind: 'recovery' },
    ]);
    const scenario = {
      simulation: { warmup: 10, duration: 60 },
      failures: [{ at: 5, zone: 'a' }, { at: 30, pod: 'web-1', restartAfter: 4 }, { at: 65, node: 'x', recoverAfter: 10 }, { random: { mtbf: 100, mttr: 5 } }],
    };
    expect(failureMarks(scenario)).toEqual([
      { t: 5, label: 'zone a down', kind: 'failure' },
      { t: 30, label: 'pod web-1 down', kind: 'failure' },
      { t: 34, label: 'pod web-1 back', kind: 'recovery' },
      { t: 65, label: 'node x down', kind: 'failure' },
    ]);
    expect(failureMarks({ ...scenario, simulation: { warmup: 10, duration: 60 }, failures: [{ at: 71, node: 'y' }] })).toEqual([]);
    expect(failureMarks(undefined)).toEqual([]);
  });

  it('marks the steps of an arrival schedule on the scenario clock, not its start, and none for a long imported schedule', () => {
    const steps = [{ at: 0, rate: 1000 }, { at: 300, rate: 3000 }, { at: 700, rate: 1000 }];
    const scenario = { simulation: { warmup: 60, duration: 1140 }, traffic: [{ name: 'users', arrival: { process: 'schedule', steps } }] } as never;
    expect(scheduleMarks(scenario)).toEqual([
      { t: 300, label: 'users → 3000/s', kind: 'schedule' },
      { t: 700, label: 'users → 1000/s', kind: 'schedule' },
    ]);
    const many = Array.from({ length: 40 }, (_, i) => ({ at: 10 * (i + 1), rate: 100 + i }));
    expect(scheduleMarks({ simulation: { warmup: 0, duration: 1000 }, traffic: [{ name: 'u', arrival: { process: 'schedule', steps: many } }] } as never)).toEqual([]);
    expect(marksNote([{ t: 1, label: 'x', kind: 'failure' }, { t: 2, label: 'y', kind: 'schedule' }])).toBe('dashed lines: scheduled failures (red) and arrival rate changes of a schedule (grey)');
  });

  it('timeseries.csv without t_scenario_s (an older folder) gets t_s + the warm-up, per variant where the manifest names it', () => {
    const rows = scenarioClock(table(`variant,t_s,requests
      a,0,1
      a,1.00000,1
      b,0,1`).rows, warmups({ resolvedScenario: { simulation: { warmup: 5 } }, variants: [{ index: 1, label: 'b', params: [], replications: 1, warmupSeconds: 12 }] }));
    expect(rows.map((r) => r.t_scenario_s)).toEqual(['5', '6', '12']);
    expect(warmupOf(rows)).toBe(5);
    // A folder that has the column keeps it as written.
    const written = table(`variant,t_s,t_scenario_s
      a,0,7.00000`).rows;
    expect(scenarioClock(written, () => 99)[0].t_scenario_s).toBe('7.00000');
  });
});

describe('what every chart shows', () => {
  it('the sweep folder gives every chart its tables allow, the folder without a sweep or SLOs five', () => {
    expect(specsOf(SWEEP).map((c) => c.name)).toEqual(['latency-cdf', 'breakdown', 'timeseries', 'failures', 'in-flight', 'pods', 'nodes', 'slos', 'sweep', 'diffs']);
    expect(specsOf(BASE).map((c) => c.name)).toEqual(['latency-cdf', 'breakdown', 'timeseries', 'pods', 'nodes']);
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

  it('the time series marks the node failure at 20 s and its recovery at 28 s (the scenario clock), the 5 s warm-up, nothing for the random failure', () => {
    const spec = byName(specsOf(SWEEP), 'timeseries').spec;
    const labels = layers(spec).filter((l) => l.mark?.type === 'text' && l.mark.color !== 'white' && typeof l.encoding?.x?.datum === 'number');
    expect(new Set(labels.map((l) => `${String(l.encoding!.x!.datum)} ${String(l.mark!.text)}`))).toEqual(new Set(['0 warm-up', '20 node n-0 down', '28 node n-0 back']));
    const warmup = layers(spec).find((l) => l.mark?.type === 'rect' && l.encoding?.x?.datum === 0)!;
    expect((warmup.encoding!.x2 as Channel).datum).toBe(5);
    // Every time axis says which clock it is.
    const xs = encodings(spec).map((e) => e.x).filter((x) => x?.field === 't');
    expect(xs.length).toBeGreaterThan(0);
    for (const x of xs) expect(x.title).toBe('time from the start of the warm-up (s)');
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
    expect(text['latency-cdf']).toMatch(/replicas=2;externalTrafficPolicy=Cluster: pooled median about 9\.\d+ ms, pooled p99 about 4\d\.?\d* ms \(summary\.csv's p99, the mean of the replications' p99s: 48\.49 ms\)/);
    expect(text.timeseries).toContain('node n-0 down at 20 s, node n-0 back at 28 s');
    expect(text.pods).toMatch(/replicas=4;externalTrafficPolicy=Local: 4 pods, share from 0\.1\d+ \(web-\d \(n-0\)\) to 0\.3\d+ \(web-\d \(n-[12]\)\)/);
    expect(text.sweep).toContain('p99 latency from');
    expect(text.diffs).toMatch(/replicas=4;externalTrafficPolicy=Local failed requests -\d+/);
  });
});

/** Every facet definition anywhere in a spec. */
function facets(spec: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(spec)) for (const x of spec) facets(x, out);
  else if (spec && typeof spec === 'object') {
    const o = spec as Record<string, unknown>;
    if (o.facet && typeof o.facet === 'object') out.push(o.facet as Record<string, unknown>);
    for (const [k, v] of Object.entries(o)) if (k !== 'data') facets(v, out);
  }
  return out;
}

const table = (text: string) => parseCsvTable(text.replace(/^\s+/gm, ''));

describe('the charts a capacity review needs', () => {
  const sweep = readResultFiles(SWEEP);
  const base = readResultFiles(BASE);

  it('the node chart averages received, forwarded cross-node and dropped per node, and names the busiest against the mean', () => {
    const nodes = nodeMeans(base.nodes!);
    expect(nodes.map((n) => n.label)).toEqual(['node-a (zone-a)', 'node-b (zone-b)']);
    expect(nodes[1].received).toBeCloseTo((2035 + 1995 + 1964 + 2020 + 1964) / 5, 9);
    expect(nodes[0].relativeToMean).toBeCloseTo(2019 / ((2019 + 1995.6) / 2), 9);
    expect(busiestNodes(nodes).map((n) => n.node)).toEqual(['node-a']);
    // Nothing was dropped: no flat panel of zeros, and the subtitle says why.
    const spec = byName(specsOf(BASE), 'nodes').spec as { hconcat: unknown[]; title: { subtitle: string | string[] } };
    expect(spec.hconcat).toHaveLength(2);
    expect([spec.title.subtitle].flat().join(' ')).toContain('dropped: 0 on every node (not drawn)');
    expect(byName(specsOf(BASE), 'nodes').description).toContain('node-a (zone-a) received the most, 2019 attempts per replication, 1.01× the mean over nodes (50.3% of all received)');
  });

  it('a zone with a single node shows that node receiving half of all attempts', () => {
    const rows = table(`variant,replication,node,zone,received,forwarded_cross_node,dropped
      base,0,a-0,zone-a,250,100,0
      base,0,a-1,zone-a,250,100,0
      base,0,b-0,zone-b,500,300,0`).rows;
    expect(nodesDescription(rows)).toContain('b-0 (zone-b) received the most, 500 attempts per replication, 1.5× the mean over nodes (50% of all received)');
  });

  it('the breakdown reads variant, scope, segment, mean_ms and share, stacks segments in path order, and keeps a segment it does not know by its name', () => {
    const rows = table(`variant,scope,segment,mean_ms,share
      base,all,service,3,0.5
      base,all,client_network,1,0.166667
      base,all,gc_pause,0.5,0.0833333
      base,all,queue_wait,1.5,0.25`).rows;
    const segs = segmentMeans(rows);
    expect([...segs].sort((a, b) => a.order - b.order).map((s) => s.label)).toEqual(['client network', 'queue wait in the pod', 'service time', 'gc pause']);
    expect(biggestSegments(rows)[0]).toMatchObject({ segment: 'service', mean_ms: 3, share: 0.5 });
    const spec = breakdownChart(rows) as { encoding: Record<string, Channel & { stack?: string }> };
    expect([spec.encoding.x.field, spec.encoding.x.stack, spec.encoding.y.field, spec.encoding.color.field]).toEqual(['mean_ms', 'zero', 'variant', 'label']);
  });

  it('the fixture breakdown adds up to summary.csv’s mean latency within 0.5%, and the text says both', () => {
    for (const v of ['replicas=2;externalTrafficPolicy=Cluster', 'replicas=4;externalTrafficPolicy=Local']) {
      const total = segmentMeans(sweep.breakdown!, 'all').filter((s) => s.variant === v).reduce((t, s) => t + s.mean_ms, 0);
      const mean = Number(sweep.summary!.find((r) => r.variant === v && r.scope === 'all' && r.metric === 'latency_mean_ms')!.mean);
      expect(Math.abs(total - mean) / mean).toBeLessThan(0.005);
    }
    expect(byName(specsOf(SWEEP), 'breakdown').description).toContain('replicas=2;externalTrafficPolicy=Cluster: segments add up to 11.6 ms (mean end-to-end latency in summary.csv: 11.6 ms); the largest is service time, 5.2 ms (45%)');
  });

  it('SLO thresholds are drawn on every chart of their metric: the SLO chart, the sweep panels and the p99 time series', () => {
    expect(parseSlo('latency_p99_ms < 45')).toEqual({ text: 'latency_p99_ms < 45', metric: 'latency_p99_ms', op: '<', value: 45, scope: 'all' });
    expect(parseSlo('p99 is low')).toBeUndefined();
    const specs = specsOf(SWEEP);
    const thresholdsIn = (name: string) =>
      layers(byName(specs, name).spec)
        .filter((l) => l.mark?.type === 'rule' && l.mark.color === '#c0392b' && l.mark.strokeDash?.[0] === 6)
        .map((l) => (l.encoding?.y ?? l.encoding?.x)?.datum);
    expect(thresholdsIn('sweep')).toEqual([45, 0.9]);
    expect(thresholdsIn('timeseries')).toEqual([45]);
    expect(thresholdsIn('slos')).toEqual([45, 0.9]);
    // On the CDF a p99 SLO is the latency the curve must reach 0.99 by.
    expect(thresholdsIn('latency-cdf')).toEqual([45]);
    expect(sloPoints(sweep.slos!).map((p) => p.verdict)).toEqual(['not met', 'not met', 'undecided', 'undecided', 'met', 'not met', 'met', 'met']);
    expect(byName(specs, 'slos').description).toContain('latency_p99_ms < 45: met in 2 of 4, undecided in 1 of 4, not met in 1 of 4');
  });

  it('numeric sweep values order variants as numbers: replicas=9 before 12 before 18, in every faceted chart', () => {
    const summary = table(`variant,replicas,scope,metric,mean
      replicas=12,12,all,requests,1
      replicas=18,18,all,requests,1
      replicas=9,9,all,requests,1`).rows;
    expect(orderVariants(['replicas=12', 'replicas=18', 'replicas=9'], summary, ['replicas'])).toEqual(['replicas=9', 'replicas=12', 'replicas=18']);
    const pods = table(`variant,replication,pod,workload,node,zone,requests,share,utilization
      replicas=12,0,web-0,web,n-0,zone-a,1,1,0.5
      replicas=18,0,web-0,web,n-0,zone-a,1,1,0.5
      replicas=9,0,web-0,web,n-0,zone-a,1,1,0.5`).rows;
    const files = { summary, summaryHeader: ['variant', 'replicas', 'scope', 'metric', 'mean'], pods };
    const spec = byName(chartSpecs(files, {}), 'pods').spec;
    expect(facets(spec).map((f) => (f.row as { sort: string[] }).sort)).toEqual([['replicas=9', 'replicas=12', 'replicas=18'], ['replicas=9', 'replicas=12', 'replicas=18']]);
  });

  it('the sweep chart leaves out a metric equal in every variant, draws quantities from 0, and says where an axis does not start at 0', () => {
    const rows = table(`variant,replicas,scope,metric,n,mean,stddev,ci_low,ci_high
      replicas=2,2,all,latency_p99_ms,3,70,1,66,74
      replicas=4,4,all,latency_p99_ms,3,66,1,62,70
      replicas=2,2,all,success_ratio,3,0.999,0,0.998,1
      replicas=4,4,all,success_ratio,3,1,0,1,1
      replicas=2,2,all,failed,3,0,0,0,0
      replicas=4,4,all,failed,3,0,0,0,0`).rows;
    const spec = sweepChart(rows, ['replicas']) as { vconcat: unknown[]; title: { subtitle: string | string[] } };
    expect(spec.vconcat).toHaveLength(2);
    expect([spec.title.subtitle].flat().join(' ')).toContain('failed requests: 0 in every variant (not drawn)');
    const ys = encodings(spec).map((e) => e.y as Channel & { scale?: { zero?: boolean } }).filter((y) => y?.field === 'mean');
    expect(ys.map((y) => [y.title, y.scale?.zero])).toContainEqual(['p99 latency (ms)', true]);
    expect(ys.map((y) => [y.title, y.scale?.zero])).toContainEqual(['success ratio (fraction, 0–1; axis not from 0)', false]);
    const same = table(`variant,replicas,scope,metric,mean
      replicas=2,2,all,success_ratio,1
      replicas=4,4,all,success_ratio,1`).rows;
    expect(sweepDescription(same, ['replicas'])).toContain('success ratio 1 in every variant');
    expect(sweepDescription(same, ['replicas'])).not.toContain('from 1');
  });

  it('the difference chart leaves out a metric with no difference in any variant and says so', () => {
    const rows = table(`variant,scope,baseline,metric,n,mean_diff,ci_low,ci_high
      b,all,a,latency_p99_ms,3,-4,-6,-2
      b,all,a,failed,3,0,0,0`).rows;
    const spec = diffsChart(rows) as { vconcat: unknown[]; title: { subtitle: string | string[] } };
    expect(spec.vconcat).toHaveLength(1);
    expect([spec.title.subtitle].flat().join(' ')).toContain('failed requests: no difference in any variant (not drawn)');
  });

  it('with more than four variants the CDF and the time series become small multiples, one panel per variant', () => {
    const names = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6'];
    const cdf = table(`variant,latency_ms,fraction\n${names.flatMap((v, i) => [`${v},${1 + i},0.5`, `${v},${10 + i},1`]).join('\n')}`).rows;
    const spec = latencyCdfChart(cdf, names) as { facet?: { sort?: string[] }; columns?: number };
    expect(spec.facet?.sort).toEqual(names);
    expect(spec.columns).toBe(3);
    expect(latencyCdfChart(cdf.filter((r) => r.variant !== 'v5' && r.variant !== 'v6'), names.slice(0, 4))).not.toHaveProperty('facet');
    const ts = table(`variant,t_s,requests,ok,failed,throughput_rps,latency_p50_ms,latency_p99_ms\n${names.flatMap((v) => [`${v},0,10,10,0,10,1,2`, `${v},1,10,10,0,10,1,2`]).join('\n')}`).rows;
    // Throughput and p99: no request failed, so there is no panel of zeros to draw.
    expect(facets(timeseriesChart(ts, [], names)).length).toBe(2);
    expect(facets(timeseriesChart(ts.filter((r) => r.variant === 'v1'), [], ['v1']))).toEqual([]);
  });

  it('small panels name their variant one sweep parameter a line, and every layer of a panel gives its time axis one title', () => {
    const names = ['from=pod;via=clusterIP', 'from=internet;via=nodePort', 'c=3;d=4', 'e=5;f=6', 'g=7;h=8'];
    const ts = table(`variant,t_s,t_scenario_s,requests,ok,failed,throughput_rps,latency_p50_ms,latency_p99_ms,throughput_rps_ci_low,throughput_rps_ci_high\n${names.flatMap((v) => [`"${v}",0,5,10,10,0,10,1,2,9,11`, `"${v}",1,6,10,10,0,10,1,2,9,11`]).join('\n')}`).rows;
    const spec = timeseriesChart(ts, [{ t: 5.5, label: 'node n-0 down', kind: 'failure' }], names);
    for (const f of facets(spec)) expect((f.header as { labelExpr?: string }).labelExpr).toBe("split(datum.label, ';')");
    // Band, line, warm-up, failure: one title on every layer placing marks by a time field.
    const titles = new Set(encodings(spec).map((e) => e.x).filter((x) => x?.field === 't' || x?.field === 'unfinished_from').map((x) => x.title));
    expect(titles).toEqual(new Set(['time from warm-up start (s)']));
  });

  it('with several workloads each pod’s share is compared with its own workload’s pods, in the chart and in the summary', () => {
    const pods = table(`variant,replication,pod,workload,node,zone,requests,share,utilization
      base,0,web-0,web,n-0,z,500,0.5,0.2
      base,0,web-1,web,n-1,z,500,0.5,0.2
      base,0,db-0,db,n-0,z,90,0.9,0.1
      base,0,db-1,db,n-1,z,10,0.1,0.01
      base,0,db-2,db,n-1,z,0,0,0`).rows;
    const [top] = busiestPods(podMeans(pods));
    // db-0 takes 0.9 of db's requests, 2.7× the mean share (1/3) of db's three pods; web's pods are even.
    expect([top.pod.pod, top.relativeToMean]).toEqual(['db-0', expect.closeTo(2.7, 9)]);
    const s = glanceSentences({ manifest: {}, summary: [], variants: ['base'], pods });
    expect(s).toContain('Busiest pod: db-0 (n-0), with 2.7× the mean share of the db pods (share 0.9 of db\'s requests, utilisation 0.1; means over replications, pods.csv).');
    const spec = podsChart(pods, ['base']);
    expect(facets(spec).map((f) => (f.row as { field?: string }).field)).toEqual(['group', 'group']);
    expect(podsDescription(pods, ['base'])).toContain('base · db: 3 pods, share from 0 (db-2 (n-1)) to 0.9 (db-0 (n-0))');
  });

  it('an overloaded run shades the buckets whose requests were unfinished at the drain limit and says it is not an outage', () => {
    const ts = table(`variant,t_s,requests,ok,failed,throughput_rps,latency_p50_ms,latency_p99_ms
      base,0,100,100,0,100,5,9
      base,1,100,99.8,0,99.8,5,9
      base,2,100,60,0,60,900,2000
      base,3,100,0,0,0,,`).rows;
    expect(unfinishedFrom(ts)).toBe(2);
    const rects = layers(timeseriesChart(ts)).filter((l) => l.mark?.type === 'rect');
    // One band on each panel drawn (throughput, p99: nothing failed), from the first unfinished bucket to the end of the last.
    expect(rects.map((l) => [l.encoding?.x?.datum, (l.encoding?.x2 as { datum?: number } | undefined)?.datum])).toEqual([[2, 4], [2, 4]]);
    expect(timeseriesDescription(ts)).toContain('Requests that started late were partly still unfinished at the drain limit (base from 2 s on); the fall of throughput there is overload, not an outage.');
    expect(unfinishedFrom(sweep.timeseries!.filter((r) => r.variant.startsWith('replicas=4;externalTrafficPolicy=Cluster')))).toBeUndefined();
  });

  it('time series draw 95% bands from <column>_ci_low and _ci_high where the table has them', () => {
    const bands = layers(byName(specsOf(SWEEP), 'timeseries').spec).filter((l) => l.mark?.type === 'area');
    expect(bands.map((l) => [l.encoding?.y?.field, (l.encoding?.y2 as Channel).field])).toEqual([
      ['throughput_rps_ci_low', 'throughput_rps_ci_high'],
      ['latency_p99_ms_ci_low', 'latency_p99_ms_ci_high'],
    ]);
    expect(layers(byName(specsOf(BASE), 'timeseries').spec).filter((l) => l.mark?.type === 'area')).toEqual([]);
    // A band's lower edge stops at 0 (a Student-t interval of a small queue reaches below it); the upper edge is as written.
    const rows = table(`variant,t_s,queue_length,queue_length_ci_low,queue_length_ci_high
      base,0,0.007,-0.002,0.017`).rows;
    const [p] = timePoints(rows, ['queue_length']);
    expect([p.queue_length, p.queue_length_ci_low, p.queue_length_ci_high]).toEqual([0.007, 0, 0.017]);
  });

  it('failures by cause stack to the bucket’s failed requests, and in-flight is drawn from its own column', () => {
    const bars = causeBars(sweep.timeseries!);
    for (const r of sweep.timeseries!.filter((x) => Number(x.failed) > 0).slice(0, 5)) {
      const own = bars.filter((b) => b.variant === r.variant && b.t === Number(r.t_s));
      expect(Math.max(...own.map((b) => b.y1))).toBeCloseTo(Number(r.failed), 2);
    }
    expect(new Set(bars.map((b) => b.cause))).toEqual(new Set(['timeout (dead node, dropped, black-holed)', 'refused (no endpoints)']));
    expect(byName(specsOf(SWEEP), 'failures').description).toMatch(/replicas=2;externalTrafficPolicy=Cluster: \d+ timeout, \d+\.?\d* refused per replication, in the buckets from 20 s to 28 s/);
    expect(encodings(byName(specsOf(SWEEP), 'in-flight').spec).some((e) => e.y?.field === 'in_flight')).toBe(true);
    expect(specsOf(BASE).map((c) => c.name)).not.toContain('failures');
  });

  it('the plan chart reads each value tried from the evidence text plan writes today, or from structured SLO records', () => {
    const plan: PlanAnswer = {
      path: 'workloads.web.replicas',
      value: 3,
      slos: ['latency_p99_ms<200', 'success_ratio>=0.999'],
      confidence: 0.95,
      range: [1, 8],
      evidence: [
        { value: 2, holds: false, detail: 'latency_p99_ms<200: mean 231, 95% bound 260 (n 10); success_ratio>=0.999: mean 0.9995, 95% bound 0.9992 (n 10)' },
        { value: 3, holds: true, detail: 'latency_p99_ms<200: mean 18.2, 95% bound 19.0 (n 10); success_ratio>=0.999: mean 1, 95% bound 1 (n 10)' },
        { value: 8, holds: true, detail: 'ignored', slos: [{ slo: 'latency_p99_ms<200', mean: 9, bound: 9.5, holds: true }] } as PlanAnswer['evidence'][number],
      ],
    };
    const points = planPoints(plan);
    expect(points.map((p) => [p.value, p.metric, p.mean, p.bound, p.holds])).toEqual([
      [2, 'latency_p99_ms', 231, 260, 'fails'],
      [2, 'success_ratio', 0.9995, 0.9992, 'holds'],
      [3, 'latency_p99_ms', 18.2, 19, 'holds'],
      [3, 'success_ratio', 1, 1, 'holds'],
      [8, 'latency_p99_ms', 9, 9.5, 'holds'],
    ]);
    const spec = chartSpecs({ summary: [] }, { plan }).find((c) => c.name === 'plan')!;
    expect(spec.description).toContain('Values of workloads.web.replicas tried: 2, 3, 8; the answer is 3.');
    expect(layers(spec.spec).filter((l) => l.mark?.type === 'rule' && l.mark.color === '#c0392b').map((l) => l.encoding?.y?.datum)).toEqual([200, 0.999]);
  });
});

describe('the summary at the top', () => {
  const summary = table(`variant,replicas,scope,metric,n,mean,stddev,ci_low,ci_high,ci_half_width
    replicas=2,2,all,requests,3,50000,10,49990,50010,10
    replicas=2,2,all,unfinished,3,8472.33,440,7379,9565,1093.2
    replicas=2,2,all,failed,3,0,0,0,0,0
    replicas=2,2,all,latency_p99_ms,3,2713.02,86.6,2497.9,2928.2,215.135
    replicas=3,3,all,requests,3,50000,10,49990,50010,10
    replicas=3,3,all,unfinished,3,0,0,0,0,0
    replicas=3,3,all,failed,3,0,0,0,0,0
    replicas=3,3,all,latency_p99_ms,3,214.041,0.99,211.58,216.50,2.45823`).rows;
  const variants = ['replicas=2', 'replicas=3'];

  it('gives the plan’s answer first, with its SLOs and confidence', () => {
    const plan: PlanAnswer = { path: 'workloads.web.replicas', range: [2, 3], value: 3, slos: ['latency_p99_ms<250'], confidence: 0.95, evidence: [] };
    expect(glanceSentences({ manifest: {}, summary, variants, plan })[0]).toBe('Plan: the smallest workloads.web.replicas that meets every SLO (latency_p99_ms<250) at 95% confidence is 3.');
    // plan --node-down says which question the answer is for.
    const steady = { ...plan, question: { kind: 'steady', text: 'node node-1 down from t = 0; window after convergence' } } as PlanAnswer;
    expect(glanceSentences({ manifest: {}, summary, variants, plan: steady })[0]).toBe(
      'Plan for the steady state with one node down: the smallest workloads.web.replicas that meets every SLO (latency_p99_ms<250) at 95% confidence is 3.',
    );
    const transient = { ...plan, value: null, question: { kind: 'transient' } } as unknown as PlanAnswer;
    expect(glanceSentences({ manifest: {}, summary, variants, plan: transient })[0]).toMatch(/^Plan for the transient after a node crash: no value of workloads\.web\.replicas/);
  });

  it('without SLOs gives the key metrics as the table rounds them, and calls a run with many unfinished requests overloaded', () => {
    const ts = table(`variant,t_s,requests,ok,failed,throughput_rps,latency_p50_ms,latency_p99_ms
      replicas=2,0,5000,5000,0,5000,900,1000
      replicas=2,8,5000,1600,0,1600,900,2700
      replicas=3,0,5000,5000,0,5000,90,214
      replicas=3,8,5000,5000,0,5000,90,214`).rows;
    const s = glanceSentences({ manifest: {}, summary, variants, timeseries: ts });
    expect(s).toContain('replicas=2: p99 latency 2713 ± 215 ms (means over replications ± 95% CI half-width, as in the key metrics table).');
    expect(s).toContain('No request failed in any replication of any variant.');
    expect(s).toContain(
      '1 of 2 variants left requests unfinished at the drain limit (8472 ± 1093 per replication in replicas=2, the most, 16.9% of its requests), from the bucket at 8 s on: the load is above capacity, and the late fall of throughput is this, not an outage.',
    );
  });
});

describe('call graphs: per-Service views and the critical path', () => {
  // Edge requests 100 per replication; a is called 1.5 times per request and waits on nothing,
  // b 0.5 times and spends 6 of its 10 ms waiting on its own calls (to a).
  const summary = table(`variant,scope,metric,n,mean,stddev,ci_low,ci_high,ci_half_width
    base,all,requests,3,100,0,100,100,0
    base,all,latency_mean_ms,3,20,1,18,22,2
    base,traffic:shop,requests,3,100,0,100,100,0
    base,traffic:shop,throughput_rps,3,10,1,8,12,2
    base,traffic:shop,latency_mean_ms,3,20,1,18,22,2
    base,traffic:shop,latency_p99_ms,3,60,3,54,66,6
    base,service:a,requests,3,150,0,150,150,0
    base,service:a,throughput_rps,3,15,1,13,17,2
    base,service:a,latency_mean_ms,3,4,0.1,3.8,4.2,0.2
    base,service:a,latency_p99_ms,3,12,1,10,14,2
    base,service:b,requests,3,50,0,50,50,0
    base,service:b,throughput_rps,3,5,1,3,7,2
    base,service:b,latency_mean_ms,3,10,0.5,9,11,1
    base,service:b,latency_p99_ms,3,30,2,26,34,4`).rows;
  const breakdown = table(`variant,scope,segment,mean_ms,share
    base,all,client_network,10,0.5
    base,all,service,2,0.1
    base,all,calls,8,0.4
    base,service:a,service,4,1
    base,service:a,calls,0,0
    base,service:b,service,4,0.4
    base,service:b,calls,6,0.6`).rows;

  it('ranks the called Services by calls per edge request × own time per call (latency minus the Service’s own calls)', () => {
    const [path] = criticalPaths(summary, breakdown, ['base']);
    expect(path.services.map((s) => [s.service, s.callsPerRequest, s.perRequestMs])).toEqual([
      ['a', 1.5, 6],
      ['b', 0.5, 2],
    ]);
    expect([path.top.service, path.edgeMs, path.edgeCallsMs]).toEqual(['a', 20, 8]);
    expect(criticalPaths(summary.filter((r) => !r.scope.startsWith('service:')), breakdown, ['base'])).toEqual([]);
  });

  it('says in the summary which Service costs the edge request most, with numbers the tables give', () => {
    const manifest = { resolvedScenario: { traffic: [{ to: { service: 'frontend' } }] } } as never;
    const s = glanceSentences({ manifest, summary, variants: ['base'], breakdown });
    expect(s).toContain(
      'Critical path: of the Services called, the one costing each frontend request the most time is a, 6 ms (1.5 calls × 4 ms own time each): at most 30% of the 20 ms mean latency and 75% of the 8 ms in calls ' +
        "(calls and latency from summary.csv; own time is without the Service's own calls, and the mean latency the breakdown's total, from latency_breakdown.csv; parallel calls overlap, so these are upper bounds).",
    );
  });

  it('draws throughput, mean and p99 latency per traffic entry and Service with their intervals, traffic entries first', () => {
    expect(hasScopes(summary)).toBe(true);
    expect(hasScopes(summary.filter((r) => !r.scope.startsWith('service:')))).toBe(false);
    const points = scopePoints(summary);
    expect(compareScopes(summary)).toEqual(['traffic:shop', 'service:a', 'service:b']);
    expect(points.find((p) => p.scope === 'service:b' && p.metric === 'latency_p99_ms')).toEqual({ variant: 'base', scope: 'service:b', metric: 'latency_p99_ms', mean: 30, low: 26, high: 34 });
    const spec = scopesChart(summary, ['base']);
    const xs = encodings(spec).map((e) => e.x?.title).filter(Boolean);
    expect(xs).toEqual(['throughput (ok requests/s)', 'mean latency (ms)', 'p99 latency (ms)']);
    expect(layers(spec).filter((l) => l.mark?.type === 'rule').map((l) => [l.encoding?.x?.field, (l.encoding?.x2 as Channel).field])).toEqual([
      ['low', 'high'],
      ['low', 'high'],
      ['low', 'high'],
    ]);
    // An SLO of a Service is drawn in its metric's panel, on its row; one of scope all has no row here.
    const withSlo = scopesChart(summary, ['base'], [parseSlo('latency_p99_ms < 25', 'service:b')!, parseSlo('latency_p99_ms < 50')!]);
    const ticks = layers(withSlo).filter((l) => l.mark?.type === 'tick');
    expect(ticks.map((l) => [l.encoding?.x?.field, l.encoding?.y?.field])).toEqual([['threshold', 'scope']]);
    expect(JSON.stringify(withSlo)).toContain('{"scope":"service:b","metric":"latency_p99_ms","threshold":25,"slo":"latency_p99_ms < 25"}');
    expect(scopesDescription(summary, ['base'])).toContain('traffic:shop p99 60 ms, busiest Service a, 15 ok calls/s, highest p99 b, 30 ms');
  });

  it('gives each traffic entry and Service a section with its numbers, and a Service its cost per edge request', () => {
    const page = reportHtml({ manifest: {}, files: { summary, breakdown }, charts: [] });
    expect(page).toContain('<details class="scope" id="scope-service-b"><summary><code>service:b</code></summary>');
    expect(page).toContain(
      'throughput 5.0 ± 2.0 ok calls/s, mean latency 10.0 ± 1.0 ms as its callers see it, p99 30.0 ± 4.0 ms (means over replications ± 95% CI half-width, summary.csv). It is called 0.5 times per edge request and spends 4 ms of its own per call (6 ms more waiting on the Services it calls): 2 ms per edge request, number 2 of 2 called Services (an upper bound where calls run in parallel).',
    );
  });
});

describe('numbers in sentences', () => {
  const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 12, useGrouping: false });
  it("write what Intl.NumberFormat writes (plainNumber, without Intl's start-up)", () => {
    const rng = deriveStream(7, 'plainNumber', 0);
    const ys = [-0, 0, 1, -1, 1e21, -2.5e22, 1e300, 1.23e-7, -1.23e-7, 1e-12, 0.1, 123456789012345680, 2 ** 53 + 2, 5e-13, 0.1 + 0.2, 1 / 3];
    for (let i = 0; i < 20_000; i++) {
      const x = (rng.next() < 0.5 ? -1 : 1) * rng.next() * 10 ** Math.floor(rng.next() * 50 - 25);
      ys.push(x, Number(x.toFixed(Math.floor(rng.next() * 13))));
    }
    const wrong = ys.filter((y) => plainNumber(y) !== intl.format(y)).map((y) => `${y}: ${plainNumber(y)} ≠ ${intl.format(y)}`);
    expect(wrong).toEqual([]);
  });

  it('keep three significant digits, never an exponent', () => {
    expect([fmt(1234.5), fmt(0.012345), fmt(-0.000000123456), fmt(2.5e22), fmt(0), fmt(NaN), fmt(0.1 + 0.2, 4)]).toEqual(['1235', '0.0123', '-0.000000123', '25000000000000000000000', '0', '—', '0.3']);
  });
});

describe('names in order', () => {
  it('go as Intl.Collator with numeric order puts them (naturalCompare, without its start-up)', () => {
    const collator = new Intl.Collator('en', { numeric: true });
    const rng = deriveStream(7, 'naturalCompare', 0);
    const alphabet = 'ab-0123456789z';
    const name = (): string => Array.from({ length: 1 + Math.floor(rng.next() * 8) }, () => alphabet[Math.floor(rng.next() * alphabet.length)]).join('');
    const names = ['web-2', 'web-10', 'web', 'web-', 'web-1a', 'web-1-a', 'node-a-1', 'node-a-10', 'node-b-2', 'a0', 'a00', 'a01', 'a1', 'a-1', 'Web-3', 'web.3', 'wéb', '10', '9', '-', ''];
    for (let k = 0; k < 3000; k++) names.push(name());
    const sign = (x: number) => Math.sign(x);
    const wrong: string[] = [];
    for (let k = 0; k < 60_000; k++) {
      const a = names[Math.floor(rng.next() * names.length)];
      const b = names[Math.floor(rng.next() * names.length)];
      if (sign(naturalCompare(a, b)) !== sign(collator.compare(a, b))) wrong.push(`${a} vs ${b}`);
    }
    expect(wrong).toEqual([]);
    expect(['web-10', 'web-2', 'web-1'].sort(naturalCompare)).toEqual(['web-1', 'web-2', 'web-10']);
  });
});
