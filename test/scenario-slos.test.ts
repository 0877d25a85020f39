/**
 * `slos:` in a scenario: `METRIC OP NUMBER` or `{expr, scope}`, metric names
 * of the contract, scopes of summary.csv that name something of the
 * scenario; the parsed form the runner judges; and `timeBucket: auto` with
 * the other defaults of this round (nodeMonitorPeriod, metricsResolution,
 * terminationGracePeriod).
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatProblem, ScenarioError } from '../src/scenario/errors.js';
import { parseScenarioText } from '../src/scenario/load.js';
import { CONTRACT_METRICS, METRICS } from '../src/scenario/metrics.js';
import { resolvedYaml } from '../src/scenario/print.js';
import { autoTimeBucket } from '../src/scenario/schema.js';
import { parseSloExpr, sloHolds, slosOf } from '../src/scenario/slos.js';
import { expandVariants } from '../src/scenario/sweep.js';
import { base } from './helpers/baseScenario.js';

function problems(text: string): string[] {
  try {
    expandVariants(parseScenarioText(text, 'web.yaml'));
    return [];
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.problems.map(formatProblem);
  }
}

const withSlos = (...lines: string[]) => `${base}slos:\n${lines.map((l) => `  - ${l}\n`).join('')}`;

describe('slos', () => {
  it('a string is an SLO over scope all; a mapping gives its scope; both come out as {expr, scope}', () => {
    const s = parseScenarioText(withSlos('latency_p99_ms < 200', '"success_ratio>=0.999"', '{expr: latency_p50_ms <= 5, scope: "traffic:users"}'), 'web.yaml').scenario;
    expect(s.slos).toEqual([
      { expr: 'latency_p99_ms < 200', scope: 'all' },
      { expr: 'success_ratio>=0.999', scope: 'all' },
      { expr: 'latency_p50_ms <= 5', scope: 'traffic:users' },
    ]);
    expect(slosOf(s)).toEqual([
      { text: 'latency_p99_ms < 200', metric: 'latency_p99_ms', op: '<', threshold: 200, scope: 'all' },
      { text: 'success_ratio >= 0.999', metric: 'success_ratio', op: '>=', threshold: 0.999, scope: 'all' },
      { text: 'latency_p50_ms <= 5', metric: 'latency_p50_ms', op: '<=', threshold: 5, scope: 'traffic:users' },
    ]);
  });

  it('without slos: the list is empty', () => {
    expect(parseScenarioText(base, 'web.yaml').scenario.slos).toEqual([]);
  });

  it('every metric name of the contract is accepted, the new ones of call graphs and autoscaling included', () => {
    expect(CONTRACT_METRICS.slice(0, METRICS.length)).toEqual([...METRICS]);
    for (const m of ['failed_dependency', 'calls', 'pod_seconds', 'node_seconds', 'replicas_mean', 'replicas_max', 'scale_events']) expect(CONTRACT_METRICS).toContain(m);
    const s = parseScenarioText(withSlos(...CONTRACT_METRICS.map((m) => `${m} > 0`)), 'web.yaml').scenario;
    expect(slosOf(s).map((x) => x.metric)).toEqual([...CONTRACT_METRICS]);
  });

  it('a malformed expression, an unknown metric and a malformed scope are errors at their line and column', () => {
    expect(problems(withSlos('latency_p99_ms = 200', 'latency_p99 < 200', '{expr: ok > 1, scope: pods}'))).toEqual([
      'web.yaml:28:5: slos.0: must be METRIC (<|<=|>|>=) NUMBER, e.g. latency_p99_ms < 200 or success_ratio >= 0.999',
      `web.yaml:29:5: slos.1: unknown metric latency_p99 (did you mean latency_p99_ms?); an SLO names a metric of summary.csv: ${CONTRACT_METRICS.join(', ')}`,
      'web.yaml:30:27: slos.2.scope: must be all, traffic:<name>, service:<name> or workload:<name> (a scope of summary.csv)',
    ]);
  });

  it('a scope names a traffic entry, Service or workload of the scenario', () => {
    expect(problems(withSlos('{expr: ok > 1, scope: "traffic:user"}', '{expr: ok > 1, scope: "workload:api"}', '{expr: ok > 1, scope: "service:api"}'))).toEqual([
      'web.yaml:28:27: slos.0.scope: no traffic entry named user (have: users): summary.csv has one traffic:<name> scope per traffic entry',
      'web.yaml:29:27: slos.1.scope: no workload named api (have: web): summary.csv has one workload:<name> scope per workload',
      'web.yaml:30:27: slos.2.scope: no Service named api (have: web)',
    ]);
    expect(problems(withSlos('{expr: ok > 1, scope: "workload:web"}', '{expr: ok > 1, scope: all}'))).toEqual([]);
  });

  it('parses numbers as written, signs and exponents included', () => {
    expect(parseSloExpr('cross_zone_ratio<1e-2')).toEqual({ text: 'cross_zone_ratio < 1e-2', metric: 'cross_zone_ratio', op: '<', threshold: 0.01 });
    expect(parseSloExpr('ok > .5')).toMatchObject({ threshold: 0.5 });
    expect(parseSloExpr('ok > 5 ms')).toMatch(/^must be METRIC/);
  });

  it('an objective holds when the bound is on the right side of the threshold', () => {
    expect([sloHolds('<', 199, 200), sloHolds('<', 200, 200), sloHolds('<=', 200, 200), sloHolds('>', 0.999, 0.999), sloHolds('>=', 0.999, 0.999)]).toEqual([true, false, true, false, true]);
  });

  it('validate --resolved prints them as {expr, scope} and they load back the same', () => {
    const loaded = parseScenarioText(withSlos('latency_p99_ms < 200', '{expr: "ok>=1", scope: "traffic:users"}'), 'web.yaml');
    const text = resolvedYaml(loaded);
    expect((parse(text) as { slos: unknown }).slos).toEqual([
      { expr: 'latency_p99_ms < 200', scope: 'all' },
      { expr: 'ok>=1', scope: 'traffic:users' },
    ]);
    expect(parseScenarioText(text, 'web.yaml').scenario).toEqual(loaded.scenario);
  });
});

describe('timeBucket: auto', () => {
  it('is the smallest of 1s, 2s, 5s, ... 1d that gives at most 1000 buckets over warm-up + duration', () => {
    expect([10, 1000, 1001, 2000, 2001, 3600, 86400, 7 * 86400, 365 * 86400].map(autoTimeBucket)).toEqual([1, 1, 2, 2, 5, 5, 120, 900, 43200]);
    expect(autoTimeBucket(5000 * 86400)).toBe(86400); // beyond 1000 days: 1d, and more buckets
  });

  it('is the default, and counts the warm-up', () => {
    const at = (sim: string) => parseScenarioText(base.replace('{duration: 10s}', sim), 'web.yaml').scenario.simulation.timeBucket;
    expect(at('{duration: 10s}')).toBe(1);
    expect(at('{duration: 1h}')).toBe(5);
    expect(at('{duration: 1000s, warmup: 1s}')).toBe(2);
    expect(at('{duration: 1h, timeBucket: auto}')).toBe(5);
    expect(at('{duration: 1h, timeBucket: 250ms}')).toBe(0.25); // an explicit Duration is used as given
  });

  it('follows a swept duration in each variant', () => {
    const text = `${base}sweep:\n  parameters:\n    - {path: simulation.duration, values: [10s, 1h, 24h]}\n`;
    expect(expandVariants(parseScenarioText(text, 'web.yaml')).map((v) => v.scenario.simulation.timeBucket)).toEqual([1, 5, 120]);
  });

  it('anything but auto or a Duration > 0 is an error that names both', () => {
    for (const v of ['fast', '0', '-1s', '[1]'])
      expect(problems(base.replace('{duration: 10s}', `{duration: 10s, timeBucket: ${v}}`))).toEqual([
        'web.yaml:4:41: simulation.timeBucket: must be auto (the smallest of 1s, 2s, 5s, ... 1d giving at most 1000 buckets) or a Duration > 0 such as 1s, 10s or 1m',
      ]);
  });

  it('validate --resolved prints auto where the file left it to auto, says its width, and round-trips; a Duration as given', () => {
    const loaded = parseScenarioText(base.replace('{duration: 10s}', '{duration: 1h}'), 'web.yaml');
    const text = resolvedYaml(loaded);
    expect(text).toContain('# timeBucket: auto is 5s here: at most 1000 buckets over warm-up + duration (1h).');
    expect((parse(text) as { simulation: Record<string, unknown> }).simulation.timeBucket).toBe('auto');
    const again = parseScenarioText(text, 'web.yaml');
    expect(again.scenario).toEqual(loaded.scenario);
    const longer = parseScenarioText(text, 'web.yaml', { set: ['simulation.duration=24h'] });
    expect(longer.scenario.simulation.timeBucket).toBe(120);
    const given = parseScenarioText(base.replace('{duration: 10s}', '{duration: 1h, timeBucket: 30s}'), 'web.yaml');
    expect((parse(resolvedYaml(given)) as { simulation: Record<string, unknown> }).simulation.timeBucket).toBe('30s');
  });
});

describe('control-plane and workload defaults of autoscaling and failures', () => {
  it('nodeMonitorPeriod 5s, metricsResolution 15s, terminationGracePeriod 30s; each may be given', () => {
    const s = parseScenarioText(base, 'web.yaml').scenario;
    expect([s.cluster.controlPlane.nodeMonitorPeriod, s.cluster.controlPlane.metricsResolution, s.workloads[0].terminationGracePeriod]).toEqual([5, 15, 30]);
    const given = parseScenarioText(base.replace('    serviceTime: 1ms', '    serviceTime: 1ms\n    terminationGracePeriod: 0s'), 'web.yaml', {
      set: ['cluster.controlPlane.nodeMonitorPeriod=1s', 'cluster.controlPlane.metricsResolution=1m'],
    }).scenario;
    expect([given.cluster.controlPlane.nodeMonitorPeriod, given.cluster.controlPlane.metricsResolution, given.workloads[0].terminationGracePeriod]).toEqual([1, 60, 0]);
  });

  it('the periods must be > 0', () => {
    expect(problems(base.replace('cluster:\n', 'cluster:\n  controlPlane: {nodeMonitorPeriod: 0s, metricsResolution: 0}\n'))).toEqual([
      'web.yaml:6:37: cluster.controlPlane.nodeMonitorPeriod: must be a Duration > 0',
      'web.yaml:6:60: cluster.controlPlane.metricsResolution: must be a Duration > 0',
    ]);
  });
});
