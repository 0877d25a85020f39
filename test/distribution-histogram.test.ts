/**
 * `serviceTime: {dist: histogram}`: the buckets of a Prometheus histogram as a
 * distribution. A known distribution (lognormal, median 20 ms, p99 200 ms) is
 * bucketed as Prometheus would, from 10⁶ draws; the simulator's service times
 * must then have the buckets' quantiles (what `histogram_quantile` reports),
 * and an M/G/1 queue with them the Pollaczek–Khinchine mean from the
 * buckets' first two moments. Also the file forms (text exposition, API
 * JSON), the open +Inf bucket, and arrival schedules from a range query.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { svcsim } from './helpers/cli.js';
import { createSampler } from '../src/engine/distributions.js';
import { distributionMean, distributionSecondMoment } from '../src/scenario/moments.js';
import { deriveStream } from '../src/engine/random.js';
import { ScenarioError } from '../src/scenario/errors.js';
import { loadScenario, parseScenarioText } from '../src/scenario/load.js';
import { parseHistogramFile, parseScheduleFile } from '../src/scenario/promFiles.js';
import type { Distribution, HistogramBucket } from '../src/scenario/units.js';
import { interval, metric, replicate, singleQueue } from './helpers/scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'svcsim-histogram-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Prometheus-style bounds in seconds, 1 ms to 1 s, then +Inf. */
const BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, Infinity];

/** Cumulative buckets of 10⁶ draws of a lognormal with median 20 ms and p99 200 ms, as a Prometheus histogram counts them. */
function lognormalBuckets(): HistogramBucket[] {
  const sampler = createSampler({ dist: 'lognormal', median: 0.02, p99: 0.2 }, deriveStream(7, 'histogram-source', 0));
  const counts = new Array<number>(BOUNDS.length).fill(0);
  for (let i = 0; i < 1_000_000; i++) {
    const x = sampler.sample();
    let k = 0;
    while (x > BOUNDS[k]) k++;
    counts[k]++;
  }
  let cumulative = 0;
  return BOUNDS.map((le, k) => ({ le, count: (cumulative += counts[k]) }));
}

const BUCKETS = lognormalBuckets();
const MAX = 5; // an upper bound for the +Inf bucket

/**
 * The q-quantile of the buckets as Prometheus' histogram_quantile computes it:
 * linear within the bucket where the cumulative count reaches q·total, from 0
 * for the first bucket; the +Inf bucket up to `max`.
 */
function bucketQuantile(buckets: HistogramBucket[], q: number, max: number): { value: number; lo: number; hi: number; density: number } {
  const total = buckets[buckets.length - 1].count;
  const rank = q * total;
  let lo = 0;
  let below = 0;
  for (const { le, count } of buckets) {
    const hi = le === Infinity ? max : le;
    if (count >= rank && count > below) return { value: lo + ((hi - lo) * (rank - below)) / (count - below), lo, hi, density: (count - below) / total / (hi - lo) };
    lo = hi;
    below = count;
  }
  throw new Error('unreachable');
}

/** Mean and second moment of the buckets, uniform within each: Σ w·(lo+hi)/2 and Σ w·(lo²+lo·hi+hi²)/3. */
function bucketMoments(buckets: HistogramBucket[], max: number): { m1: number; m2: number } {
  const total = buckets[buckets.length - 1].count;
  let lo = 0;
  let below = 0;
  let m1 = 0;
  let m2 = 0;
  for (const { le, count } of buckets) {
    const hi = le === Infinity ? max : le;
    const w = (count - below) / total;
    m1 += (w * (lo + hi)) / 2;
    m2 += (w * (lo * lo + lo * hi + hi * hi)) / 3;
    lo = hi;
    below = count;
  }
  return { m1, m2 };
}

/** The buckets as a scenario writes them. */
const written = { dist: 'histogram', buckets: BUCKETS.map(({ le, count }) => ({ le: le === Infinity ? '+Inf' : le, count })), max: `${MAX}s` };

function quantileOf(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

describe('a histogram distribution draws what its buckets say', () => {
  const QS = [0.5, 0.9, 0.99];

  it("the sampler's quantiles are the buckets' quantiles, within the sampling error, and in the same bucket as the true lognormal quantile", () => {
    const parsed = singleQueue({ rate: 1, serviceTime: written }).workloads[0].serviceTime;
    const sampler = createSampler(parsed, deriveStream(11, 'histogram-draws', 0));
    const n = 400_000;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = sampler.sample();
    xs.sort();
    const sigma = Math.log(10) / 2.3263478740408408;
    for (const q of QS) {
      const b = bucketQuantile(BUCKETS, q, MAX);
      const got = quantileOf(xs, q);
      // The standard error of a sample quantile: sqrt(q(1−q)/n) / density; 5 of them.
      const tolerance = (5 * Math.sqrt((q * (1 - q)) / n)) / b.density;
      expect(Math.abs(got - b.value), `q${q}: drew ${got}, buckets say ${b.value} ± ${tolerance}`).toBeLessThanOrEqual(tolerance);
      const truth = 0.02 * Math.exp(sigma * [0, 1.2815515655446004, 2.3263478740408408][QS.indexOf(q)]);
      expect(truth).toBeGreaterThan(b.lo);
      expect(truth).toBeLessThanOrEqual(b.hi);
      expect(got).toBeGreaterThan(b.lo);
      expect(got).toBeLessThanOrEqual(b.hi);
    }
  });

  it("simulated requests that only meet their service time have the buckets' p50, p90 and p99 (99% CI over replications, 0.1% HDR error)", async () => {
    const s = singleQueue({ rate: 2000, concurrency: 10_000, serviceTime: written, duration: 20, warmup: 1, replications: 8 });
    const results = await replicate(s);
    for (const [q, name] of [
      [0.5, 'latency_p50_ms'],
      [0.9, 'latency_p90_ms'],
      [0.99, 'latency_p99_ms'],
    ] as const) {
      const exact = bucketQuantile(BUCKETS, q, MAX);
      const { mean, halfWidth } = interval(metric(results, name));
      expect(Math.abs(mean - exact.value * 1e3), `${name}: ${mean} ms vs ${exact.value * 1e3} ms ± ${halfWidth}`).toBeLessThanOrEqual(halfWidth + 1e-3 * mean);
      expect(mean / 1e3).toBeGreaterThan(exact.lo);
      expect(mean / 1e3).toBeLessThanOrEqual(exact.hi);
    }
  });

  it('distributionMean and distributionSecondMoment are the moments of the buckets, uniform within each', () => {
    const d = singleQueue({ rate: 1, serviceTime: written }).workloads[0].serviceTime;
    const { m1, m2 } = bucketMoments(BUCKETS, MAX);
    expect(distributionMean(d)).toBeCloseTo(m1, 12);
    expect(distributionSecondMoment(d)).toBeCloseTo(m2, 12);
  });

  it('M/G/1 with histogram service times: mean time in system is the Pollaczek–Khinchine mean from the buckets’ moments (ρ = 0.6)', async () => {
    const { m1, m2 } = bucketMoments(BUCKETS, MAX);
    const rho = 0.6;
    const lambda = rho / m1;
    const s = singleQueue({ rate: lambda, serviceTime: written, duration: 16000, warmup: 200, replications: 16 });
    const results = await replicate(s);
    const exact = ((lambda * m2) / (2 * (1 - rho)) + m1) * 1e3;
    const { mean, halfWidth } = interval(metric(results, 'latency_mean_ms'));
    expect(Math.abs(mean - exact), `W ${mean} ms vs P-K ${exact} ms ± ${halfWidth}`).toBeLessThanOrEqual(halfWidth);
  });

  it('without max, the +Inf bucket is drawn at the last finite bound, and the loader says so with the share above it', () => {
    const buckets = [
      { le: 0.01, count: 50 },
      { le: 0.1, count: 90 },
      { le: '+Inf', count: 100 },
    ];
    const loaded = parseScenarioText(stringify(scenarioWith({ dist: 'histogram', buckets })), 'open.yaml');
    const warning = loaded.warnings.find((w) => w.path.endsWith('serviceTime.buckets'));
    expect(warning?.message).toMatch(/^10% of the observations are above the last finite bucket \(le 0.1s\).*give max:/);
    const sampler = createSampler(loaded.scenario.workloads[0].serviceTime, deriveStream(3, 'open', 0));
    let atTop = 0;
    let most = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = sampler.sample();
      most = Math.max(most, x);
      if (x === 0.1) atTop++;
    }
    expect(most).toBe(0.1);
    expect(atTop / 100_000).toBeGreaterThan(0.09);
    expect(atTop / 100_000).toBeLessThan(0.11);
  });

  it('refuses buckets that are not cumulative, not in order, or empty, at the bucket that is wrong', () => {
    const problems = (d: unknown) => {
      try {
        parseScenarioText(stringify(scenarioWith(d)), 'bad.yaml');
        return [];
      } catch (err) {
        if (!(err instanceof ScenarioError)) throw err;
        return err.problems.map((p) => `${p.path}: ${p.message}`);
      }
    };
    expect(problems({ dist: 'histogram', buckets: [{ le: '10ms', count: 5 }, { le: '5ms', count: 9 }] })).toEqual([expect.stringMatching(/^workloads\.app\.serviceTime\.buckets\.1\.le: must be greater than the bucket before/)]);
    expect(problems({ dist: 'histogram', buckets: [{ le: '5ms', count: 9 }, { le: '10ms', count: 5 }] })).toEqual([expect.stringMatching(/buckets\.1\.count: is 5, less than the bucket before \(9\).*cumulative/)]);
    expect(problems({ dist: 'histogram', buckets: [{ le: '5ms', count: 0 }, { le: '+Inf', count: 0 }] })).toEqual([expect.stringMatching(/buckets: has no observations/)]);
    expect(problems({ dist: 'histogram', buckets: [{ le: '5ms', count: 1 }], max: '1ms' })).toEqual([expect.stringMatching(/max: must be greater than the last finite le/)]);
    expect(problems({ dist: 'histogram', file: 'x.txt', buckets: [] })).toEqual([expect.stringMatching(/either buckets or file, not both/)]);
  });
});

function scenarioWith(serviceTime: unknown, arrival: unknown = { process: 'poisson', rate: 10 }) {
  return {
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: 'hist' },
    simulation: { duration: 10, warmup: 1 },
    cluster: { nodes: [{ name: 'n0' }] },
    workloads: [{ name: 'app', replicas: 1, ports: [8080], serviceTime }],
    services: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { selector: { app: 'app' }, ports: [{ port: 80, targetPort: 8080 }] } }],
    traffic: [{ name: 'load', to: { service: 'svc', port: 80, via: 'clusterIP' }, from: { node: 'n0' }, arrival }],
  };
}

/** The buckets in the text exposition format, split over two pods whose counts add up. */
function exposition(buckets: HistogramBucket[]): string {
  const lines = ['# HELP http_request_duration_seconds Request latency.', '# TYPE http_request_duration_seconds histogram'];
  for (const pod of ['web-0', 'web-1']) {
    for (const { le, count } of buckets) {
      const share = pod === 'web-0' ? Math.floor(count / 2) : count - Math.floor(count / 2);
      lines.push(`http_request_duration_seconds_bucket{handler="/api",pod="${pod}",le="${le === Infinity ? '+Inf' : le}"} ${share}`);
    }
    lines.push(`http_request_duration_seconds_sum{pod="${pod}"} 123.4`, `http_request_duration_seconds_count{pod="${pod}"} 99`);
  }
  lines.push('process_cpu_seconds_total 12.5 1700000000000');
  return `${lines.join('\n')}\n`;
}

describe('histograms from Prometheus files', () => {
  it('the text exposition format, two pods added up as sum by (le) would, gives the same buckets', () => {
    expect(parseHistogramFile(exposition(BUCKETS))).toEqual(BUCKETS);
  });

  it('the JSON of an API query (vector) gives the same buckets', () => {
    const json = {
      status: 'success',
      data: { resultType: 'vector', result: BUCKETS.map(({ le, count }) => ({ metric: { le: le === Infinity ? '+Inf' : String(le) }, value: [1700000000.5, String(count)] })) },
    };
    expect(parseHistogramFile(JSON.stringify(json))).toEqual(BUCKETS);
  });

  it('a scenario with file: loads the buckets, prints file: again with --resolved, and draws as with the buckets written out', async () => {
    file('latency.txt', exposition(BUCKETS));
    const scenario = file('from-file.yaml', stringify(scenarioWith({ dist: 'histogram', file: 'latency.txt', max: '5s' })));
    const loaded = loadScenario(scenario);
    const d = loaded.scenario.workloads[0].serviceTime as Extract<Distribution, { dist: 'histogram' }>;
    expect(d.buckets).toEqual(BUCKETS);
    const { code, stdout: out } = await svcsim('validate', scenario, '--resolved');
    expect(code).toBe(0);
    expect(out).toMatch(/serviceTime: \{ ?dist: histogram, file: latency\.txt, max: 5s ?\}/);
    const again = loadScenario(file('resolved.yaml', out));
    expect(again.scenario.workloads[0].serviceTime).toEqual(d);
  });

  it('a file with several histograms needs metric:, and a bad line is reported with its line number at the file key', () => {
    const two = `${exposition(BUCKETS)}grpc_server_handling_seconds_bucket{le="0.1"} 5\ngrpc_server_handling_seconds_bucket{le="+Inf"} 6\n`;
    expect(() => parseHistogramFile(two)).toThrow(/several histograms \(http_request_duration_seconds, grpc_server_handling_seconds\): say which with metric:/);
    expect(parseHistogramFile(two, 'grpc_server_handling_seconds_bucket')).toEqual([
      { le: 0.1, count: 5 },
      { le: Infinity, count: 6 },
    ]);
    file('broken.txt', 'x_bucket{le="0.1"} 5\nx_bucket{le="0.2" 7\n');
    const scenario = file('broken.yaml', stringify(scenarioWith({ dist: 'histogram', file: 'broken.txt' })));
    expect(() => loadScenario(scenario)).toThrow(/broken\.yaml:\d+:\d+: workloads\.app\.serviceTime\.file: broken\.txt: line 2: not a sample/);
  });
});

describe('arrival schedules from a Prometheus range query', () => {
  const rangeQuery = {
    status: 'success',
    data: {
      resultType: 'matrix',
      result: [
        { metric: { instance: 'a' }, values: [[1700000000, '10'], [1700000060, '30'], [1700000120, '5']] },
        { metric: { instance: 'b' }, values: [[1700000000, '10'], [1700000060, '10'], [1700000120, '15']] },
      ],
    },
  };

  it('one step per sample, at its time from the first, the series added up', () => {
    expect(parseScheduleFile(JSON.stringify(rangeQuery))).toEqual([
      { at: 0, rate: 20 },
      { at: 60, rate: 40 },
      { at: 120, rate: 20 },
    ]);
  });

  it('a scenario with arrival {process: schedule, file} generates the rates of the steps (99% CI of the request count)', async () => {
    file('rate.json', JSON.stringify(rangeQuery));
    const scenario = file('schedule.yaml', stringify({ ...scenarioWith('1ms', { process: 'schedule', file: 'rate.json' }), simulation: { duration: 170, warmup: 10, replications: 10 } }));
    const loaded = loadScenario(scenario);
    const arrival = loaded.scenario.traffic[0].arrival;
    expect(arrival.process === 'schedule' && arrival.steps).toEqual([
      { at: 0, rate: 20, process: 'poisson' },
      { at: 60, rate: 40, process: 'poisson' },
      { at: 120, rate: 20, process: 'poisson' },
    ]);
    // Counted requests start in the window [10 s, 180 s): 50 s at 20/s, 60 s at 40/s, 60 s at 20/s.
    const { mean, halfWidth } = interval(metric(await replicate(loaded.scenario), 'requests'));
    expect(Math.abs(mean - (50 * 20 + 60 * 40 + 60 * 20))).toBeLessThanOrEqual(halfWidth);
  });

  it('refuses a schedule with both steps and file, and a query answer that is not a range query', () => {
    expect(() => parseScenarioText(stringify(scenarioWith('1ms', { process: 'schedule', file: 'rate.json', steps: [{ at: 0, rate: 1 }] })), 's.yaml')).toThrow(/either steps or file, not both/);
    expect(() => parseScheduleFile('{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}')).toThrow(/resultType scalar: expected matrix/);
    expect(() => parseScheduleFile('{"data": ')).toThrow(/not valid JSON/);
  });
});
