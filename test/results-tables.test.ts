/**
 * The CSV tables of a results folder, computed from hand-made replication
 * records: the numbers of the contract (Student-t intervals, paired
 * differences, means over replications, the pooled CDF), its formatting
 * (exact counts, toPrecision(6) as plain decimals, empty undefined fields,
 * RFC 4180 quoting) and its order (never the order replications finished in).
 */
import { describe, expect, it } from 'vitest';
import type { VariantInfo } from '../src/results/manifest.js';
import { buildTables, CDF_POINTS } from '../src/results/tables.js';
import { METRIC_NAMES, type MetricName, type ReplicationResult } from '../src/sim/result.js';
import { LatencyHistogram } from '../src/stats/histogram.js';

type Metrics = Partial<Record<MetricName, number>>;

function histogram(latenciesSeconds: number[]): string {
  const h = new LatencyHistogram();
  for (const x of latenciesSeconds) h.record(x);
  const text = h.encode();
  h.destroy();
  return text;
}

function record(variant: number, replication: number, metrics: Metrics, more: Partial<ReplicationResult> = {}): ReplicationResult {
  const values = METRIC_NAMES.map((m) => metrics[m] ?? NaN);
  return {
    variant,
    replication,
    seed: 1000 + replication,
    scopes: [
      { scope: 'all', metrics: values },
      { scope: 'traffic:users', metrics: [...values] },
    ],
    latencyHistogram: histogram([0.001 * (replication + 1)]),
    pods: [],
    nodes: [],
    timeseries: { bucketSeconds: 1, requests: [], ok: [], failed: [], throughputRps: [], latencyP50Ms: [], latencyP99Ms: [], failedTimeout: [], failedRefused: [], failedRejected: [], failedDependency: [], unfinished: [], inFlight: [], queueLength: [] },
    latencyBreakdown: [],
    warmupSeries: [],
    simulatedRequests: 100,
    suppressedRequests: 0,
    events: 1000,
    peakInFlight: 3,
    ...more,
  };
}

const base: VariantInfo[] = [{ index: 0, label: 'base', params: [] }];
const sweep: VariantInfo[] = [
  { index: 0, label: 'replicas=3', params: [{ key: 'replicas', value: '3' }] },
  { index: 1, label: 'replicas=5', params: [{ key: 'replicas', value: '5' }] },
];

/** The rows of a CSV text whose first fields are `prefix`, split on commas (for tables without quoted fields). */
function rows(csv: string, ...prefix: string[]): string[][] {
  return csv
    .split('\n')
    .slice(1, -1)
    .map((l) => l.split(','))
    .filter((r) => prefix.every((p, i) => r[i] === p));
}

function header(csv: string): string {
  return csv.split('\n')[0];
}

describe('summary.csv', () => {
  const results = [10, 12, 14].map((latency, r) => record(0, r, { requests: 1000 + r, latency_mean_ms: latency, success_ratio: r === 1 ? NaN : 0.5 }));
  const summary = buildTables(base, results)['summary.csv'];

  it('gives n, mean, stddev, the 95% Student-t interval, min and max over replications', () => {
    // t(0.975, 2) = 4.302653 (R: qt(0.975, 2)); half-width 4.302653 · 2 / √3.
    expect(rows(summary, 'base', 'all', 'latency_mean_ms')).toEqual([['base', 'all', 'latency_mean_ms', '3', '12.0000', '2.00000', '7.03172', '16.9683', '4.96828', '10.0000', '14.0000']]);
  });

  it('writes counts exactly and their mean to six significant digits', () => {
    expect(rows(summary, 'base', 'all', 'requests')).toEqual([['base', 'all', 'requests', '3', '1001.00', '1.00000', '998.516', '1003.48', '2.48414', '1000', '1002']]);
  });

  it('leaves a replication where the metric is undefined out of n', () => {
    const [row] = rows(summary, 'base', 'all', 'success_ratio');
    expect(row.slice(3, 6)).toEqual(['2', '0.500000', '0']);
  });

  it('writes an empty field for what needs more replications than it has (n < 2, or none)', () => {
    const one = buildTables(base, [record(0, 0, { latency_mean_ms: 5 })])['summary.csv'];
    expect(rows(one, 'base', 'all', 'latency_mean_ms')).toEqual([['base', 'all', 'latency_mean_ms', '1', '5.00000', '', '', '', '', '5.00000', '5.00000']]);
    expect(rows(one, 'base', 'all', 'latency_p99_ms')).toEqual([['base', 'all', 'latency_p99_ms', '0', '', '', '', '', '', '', '']]);
  });

  it('has one row per variant × scope × metric, scope all first and metrics in their fixed order', () => {
    const text = buildTables(sweep, [record(0, 0, {}), record(1, 0, {})])['summary.csv'];
    const keys = text
      .split('\n')
      .slice(1, -1)
      .map((l) => l.split(',').slice(0, 4).join(','));
    const expected = ['replicas=3,3', 'replicas=5,5'].flatMap((v) => ['all', 'traffic:users'].flatMap((s) => METRIC_NAMES.map((m) => `${v},${s},${m}`)));
    expect(keys).toEqual(expected);
    expect(header(text)).toBe('variant,replicas,scope,metric,n,mean,stddev,ci_low,ci_high,ci_half_width,min,max');
  });
});

describe('replications.csv', () => {
  it('has one row per variant × scope × replication with the seed and every metric as a column', () => {
    const text = buildTables(base, [record(0, 1, { requests: 2 ** 53 + 2, ok: 7, latency_mean_ms: 0.000000123456789 }), record(0, 0, { requests: 3, latency_mean_ms: -2.5 })])['replications.csv'];
    expect(header(text)).toBe(`variant,scope,replication,seed,${METRIC_NAMES.join(',')}`);
    const all = rows(text, 'base', 'all');
    expect(all.map((r) => r.slice(0, 4))).toEqual([
      ['base', 'all', '0', '1000'],
      ['base', 'all', '1', '1001'],
    ]);
    const col = (m: MetricName) => 4 + METRIC_NAMES.indexOf(m);
    // Counts are exact integers, even beyond 2^53 as far as a double holds them; other numbers plain decimals.
    expect(all[1][col('requests')]).toBe('9007199254740994');
    expect(all[1][col('latency_mean_ms')]).toBe('0.000000123457');
    expect(all[0][col('latency_mean_ms')]).toBe('-2.50000');
    expect(all[0][col('ok')]).toBe('');
    expect(rows(text, 'base', 'traffic:users')).toHaveLength(2);
  });
});

describe('diffs.csv', () => {
  const baseline = [10, 12, 14].map((x, r) => record(0, r, { latency_mean_ms: x }));
  const variant = [11, 13.5, 15].map((x, r) => record(1, r, { latency_mean_ms: x }));

  it('pairs each variant with the first one by replication: mean and Student-t interval of the differences', () => {
    const diffs = buildTables(sweep, [...baseline, ...variant])['diffs.csv']!;
    expect(header(diffs)).toBe('variant,replicas,scope,baseline,metric,n,mean_diff,ci_low,ci_high');
    // d = (1, 1.5, 1): mean 7/6, s = 0.288675, half-width t(0.975, 2)·s/√3 = 0.717109.
    expect(rows(diffs, 'replicas=5', '5', 'all', 'replicas=3', 'latency_mean_ms')).toEqual([['replicas=5', '5', 'all', 'replicas=3', 'latency_mean_ms', '3', '1.16667', '0.449558', '1.88378']]);
    expect(rows(diffs, 'replicas=3')).toEqual([]);
  });

  it('pairs only the replications both variants have', () => {
    const diffs = buildTables(sweep, [...baseline, variant[0], variant[2]])['diffs.csv']!;
    const [row] = rows(diffs, 'replicas=5', '5', 'all', 'replicas=3', 'latency_mean_ms');
    expect(row.slice(5, 7)).toEqual(['2', '1.00000']);
  });

  it('is not written without a sweep', () => {
    expect(buildTables(base, baseline)['diffs.csv']).toBeUndefined();
  });
});

describe('every table', () => {
  it('is the same, byte for byte, whatever order the replications finished in', () => {
    const results = [0, 1].flatMap((v) => [0, 1, 2, 3].map((r) => record(v, r, { latency_mean_ms: 1 + 0.1 * r + v / 3, success_ratio: 0.1 * r, requests: r })));
    const inOrder = buildTables(sweep, results);
    const shuffled = buildTables(sweep, [results[5], results[2], results[7], results[0], results[3], results[6], results[1], results[4]]);
    expect(shuffled).toEqual(inOrder);
  });

  it('quotes a label or value holding a comma or a quote, with the sweep columns right after variant', () => {
    const variants: VariantInfo[] = [
      { index: 0, label: 'rate=1,000/s;tier="gold"', params: [{ key: 'rate', value: '1,000/s' }, { key: 'tier', value: '"gold"' }] },
      { index: 1, label: 'rate=2/s;tier=x', params: [{ key: 'rate', value: '2/s' }, { key: 'tier', value: 'x' }] },
    ];
    const t = buildTables(variants, [record(0, 0, {}), record(1, 0, {})]);
    expect(header(t['summary.csv'])).toBe('variant,rate,tier,scope,metric,n,mean,stddev,ci_low,ci_high,ci_half_width,min,max');
    expect(t['summary.csv'].split('\n')[1]).toBe('"rate=1,000/s;tier=""gold""","1,000/s","""gold""",all,requests,0,,,,,,,');
    expect(t['diffs.csv']!.split('\n')[1]).toBe('rate=2/s;tier=x,2/s,x,all,"rate=1,000/s;tier=""gold""",requests,0,,,');
    for (const text of Object.values(t) as string[]) expect(text.endsWith('\n') && !text.includes('\r')).toBe(true);
  });
});

describe('pods.csv and nodes.csv', () => {
  it('have one row per variant × replication × pod (or node), counts exact', () => {
    const r = record(0, 0, {}, {
      pods: [{ pod: 'web-0', workload: 'web', node: 'n-0', zone: 'z1', requests: 120, share: 1 / 3, utilization: 0.25 }],
      nodes: [{ node: 'n-0', zone: 'z1', received: 360, forwardedCrossNode: 240, dropped: 0 }],
    });
    const t = buildTables(base, [r]);
    expect(t['pods.csv']).toBe('variant,replication,pod,workload,node,zone,requests,share,utilization\nbase,0,web-0,web,n-0,z1,120,0.333333,0.250000\n');
    expect(t['nodes.csv']).toBe('variant,replication,node,zone,received,forwarded_cross_node,dropped\nbase,0,n-0,z1,360,240,0\n');
  });
});

describe('timeseries.csv', () => {
  const series = (p99: number[], ok: number[]) => ({ bucketSeconds: 0.5, requests: ok.map((x) => x + 1), ok, failed: ok.map(() => 1), throughputRps: ok.map((x) => x * 2), latencyP50Ms: p99.map((x) => x / 2), latencyP99Ms: p99,
    failedTimeout: ok.map(() => 1), failedRefused: ok.map(() => 0), failedRejected: ok.map(() => 0), failedDependency: ok.map(() => 0), unfinished: ok.map(() => 0), inFlight: ok.map((x) => x / 4), queueLength: ok.map(() => 0) });

  const ciColumns = 'throughput_rps_ci_low,throughput_rps_ci_high,failed_ci_low,failed_ci_high,latency_p99_ms_ci_low,latency_p99_ms_ci_high,in_flight_ci_low,in_flight_ci_high,queue_length_ci_low,queue_length_ci_high';

  it('averages each bucket over the replications, a percentile over those where the bucket has one', () => {
    const t = buildTables(base, [record(0, 0, {}, { timeseries: series([5, NaN, NaN], [4, 0, 0]) }), record(0, 1, {}, { timeseries: series([7, 9, NaN], [5, 1, 0]) })]);
    const contract = (line: string) => line.split(',').slice(0, 15).join(',');
    expect(t['timeseries.csv'].split('\n').map(contract).join('\n')).toBe(
      'variant,t_s,requests,ok,failed,throughput_rps,latency_p50_ms,latency_p99_ms,failed_timeout,failed_refused,failed_rejected,failed_dependency,unfinished,in_flight,queue_length\n' +
        'base,0,5.50000,4.50000,1.00000,9.00000,3.00000,6.00000,1.00000,0,0,0,0,1.12500,0\n' +
        'base,0.500000,1.50000,0.500000,1.00000,1.00000,4.50000,9.00000,1.00000,0,0,0,0,0.125000,0\n' +
        'base,1.00000,1.00000,0,1.00000,0,,,1.00000,0,0,0,0,0,0\n',
    );
  });

  it('adds, after the contract’s columns, the scenario clock (t_s + warm-up) and 95% Student-t intervals over replications', () => {
    const warm: VariantInfo[] = [{ index: 0, label: 'base', params: [], warmupSeconds: 10 }];
    const t = buildTables(warm, [record(0, 0, {}, { timeseries: series([5, NaN, NaN], [4, 0, 0]) }), record(0, 1, {}, { timeseries: series([7, 9, NaN], [5, 1, 0]) })]);
    const [head, first, second, third] = t['timeseries.csv'].split('\n').map((l) => l.split(','));
    expect(head.slice(15).join(',')).toBe(`t_scenario_s,${ciColumns}`);
    expect([first, second, third].map((r) => r[15])).toEqual(['10.0000', '10.5000', '11.0000']);
    // Throughput 8 and 10 in bucket 0: mean 9, s = √2, half-width t(0.975, 1)·√2/√2 = 12.7062.
    const col = (r: string[], c: string) => Number(r[head.indexOf(c)]);
    expect(col(first, 'throughput_rps_ci_low')).toBeCloseTo(9 - 12.7062, 3);
    expect(col(first, 'throughput_rps_ci_high')).toBeCloseTo(9 + 12.7062, 3);
    // p99 5 and 7 in bucket 0: 6 ± 12.7062; in bucket 1 one replication has one: no interval; in bucket 2 none.
    expect(col(first, 'latency_p99_ms_ci_low')).toBeCloseTo(6 - 12.7062, 3);
    expect(second[head.indexOf('latency_p99_ms_ci_low')]).toBe('');
    expect(third[head.indexOf('latency_p99_ms_ci_high')]).toBe('');
    // The same failures in both replications: an interval of width 0.
    expect([col(first, 'failed_ci_low'), col(first, 'failed_ci_high')]).toEqual([1, 1]);
  });

  it('leaves the interval fields empty with one replication, and counts the scenario clock from 0 without a warm-up', () => {
    const t = buildTables(base, [record(0, 0, {}, { timeseries: series([5, 6], [4, 3]) })]);
    const [head, ...lines] = t['timeseries.csv'].split('\n').filter((l) => l).map((l) => l.split(','));
    for (const r of lines) {
      expect(r[head.indexOf('t_scenario_s')]).toBe(r[head.indexOf('t_s')]);
      for (const c of ciColumns.split(',')) expect(r[head.indexOf(c)], c).toBe('');
    }
  });
});

describe('latency_cdf.csv', () => {
  // Replication 0: 1..50 ms, replication 1: 51..100 ms; pooled, a uniform 1..100 ms.
  const ms = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => (from + i) / 1000);
  const t = buildTables(base, [record(0, 0, {}, { latencyHistogram: histogram(ms(1, 50)) }), record(0, 1, {}, { latencyHistogram: histogram(ms(51, 100)) })]);
  const points = rows(t['latency_cdf.csv'], 'base').map((r) => [Number(r[1]), Number(r[2])]);

  it('has at least 200 points, log-spaced from the smallest to the largest latency', () => {
    expect(header(t['latency_cdf.csv'])).toBe('variant,latency_ms,fraction');
    expect(points.length).toBe(CDF_POINTS);
    expect(points.length).toBeGreaterThanOrEqual(200);
    expect(points[0][0]).toBeCloseTo(1, 2);
    expect(points[points.length - 1][0]).toBeCloseTo(100, 0);
    const ratios = points.slice(1).map(([x], i) => x / points[i][0]);
    for (const q of ratios) expect(q).toBeCloseTo(ratios[0], 4);
  });

  it('gives the share of the pooled latencies at or below each point, reaching 1 at the largest', () => {
    for (let i = 1; i < points.length; i++) expect(points[i][1]).toBeGreaterThanOrEqual(points[i - 1][1]);
    expect(points[points.length - 1][1]).toBe(1);
    // About half the latencies are at or below 50 ms (histogram bins are 0.1% wide).
    const near50 = points.reduce((best, p) => (Math.abs(p[0] - 50.5) < Math.abs(best[0] - 50.5) ? p : best));
    expect(near50[1]).toBeGreaterThan(0.47);
    expect(near50[1]).toBeLessThan(0.53);
  });
});
