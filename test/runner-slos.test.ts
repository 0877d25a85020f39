/**
 * SLOs of the scenario's `slos:` section are judged by every run
 * (runner/slos.ts): `met`, `not met` or `undecided` at 95% one-sided
 * confidence, written to slos.csv and printed in the terminal summary.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { svcsim } from './helpers/cli.js';
import { judgeSlo } from '../src/runner/slos.js';
import { buildTables } from '../src/results/tables.js';
import { parseSloExpr, type Slo } from '../src/scenario/slos.js';
import { METRIC_NAMES, type ReplicationResult } from '../src/sim/result.js';
import { LatencyHistogram } from '../src/stats/histogram.js';

const emptyHistogram = (() => {
  const h = new LatencyHistogram();
  const text = h.encode();
  h.destroy();
  return text;
})();

const slo = (expr: string, scope = 'all'): Slo => ({ ...(parseSloExpr(expr) as Omit<Slo, 'scope'>), scope });

function withMetric(values: number[], metric = 'latency_p99_ms', scope = 'all'): ReplicationResult[] {
  const mi = METRIC_NAMES.indexOf(metric as never);
  return values.map(
    (x, replication) =>
      ({
        variant: 0,
        replication,
        scopes: [{ scope, metrics: METRIC_NAMES.map((_, i) => (i === mi ? x : NaN)) }],
        pods: [],
        nodes: [],
        timeseries: { bucketSeconds: 1, requests: [], ok: [], failed: [], throughputRps: [], latencyP50Ms: [], latencyP99Ms: [], failedTimeout: [], failedRefused: [], failedRejected: [], failedDependency: [], unfinished: [], inFlight: [], queueLength: [] },
        latencyBreakdown: [],
        latencyHistogram: emptyHistogram,
      }) as unknown as ReplicationResult,
  );
}

describe('an SLO verdict', () => {
  // 10, 12, 14: mean 12, s = 2; t(0.95, 2) = 2.919986, so the one-sided 95% bounds are 12 ± 3.37167.
  const results = withMetric([10, 12, 14]);

  it('is met when the one-sided bound on the safe side meets the threshold', () => {
    const j = judgeSlo(slo('latency_p99_ms < 15.38'), results);
    expect(j).toMatchObject({ slo: 'latency_p99_ms < 15.38', scope: 'all', n: 3, mean: 12, verdict: 'met', holds: true });
    expect(j.bound).toBeCloseTo(15.37167, 4);
    expect(judgeSlo(slo('latency_p99_ms >= 8.62'), results).verdict).toBe('met');
  });

  it('is not met when the bound on the other side already violates it', () => {
    expect(judgeSlo(slo('latency_p99_ms < 8.62'), results).verdict).toBe('not met');
    expect(judgeSlo(slo('latency_p99_ms > 15.38'), results).verdict).toBe('not met');
  });

  it('is undecided when the threshold lies between the two one-sided bounds', () => {
    for (const e of ['latency_p99_ms < 15.37', 'latency_p99_ms < 8.63', 'latency_p99_ms > 12']) {
      const j = judgeSlo(slo(e), results);
      expect([e, j.verdict, j.holds]).toEqual([e, 'undecided', false]);
    }
  });

  it('is undecided, with no mean, for a scope the results lack or a metric the engine does not write yet', () => {
    expect(judgeSlo(slo('latency_p99_ms < 100', 'service:cart'), results)).toMatchObject({ n: 0, mean: undefined, verdict: 'undecided' });
    expect(judgeSlo(slo('scale_events < 3'), results)).toMatchObject({ n: 0, verdict: 'undecided' });
  });

  it('is written to slos.csv per variant and SLO, with the two-sided 95% interval of summary.csv, and only when there are SLOs', () => {
    const variants = [{ index: 0, label: 'base', params: [] }];
    const tables = buildTables(variants, results, 0.95, [slo('latency_p99_ms<15.38'), slo('latency_p99_ms < 100', 'traffic:web')]);
    // Two-sided: t(0.975, 2) = 4.302653, 12 ± 4.96828.
    expect(tables['slos.csv']).toBe(
      'variant,scope,slo,mean,ci_low,ci_high,verdict\n' + 'base,all,latency_p99_ms < 15.38,12.0000,7.03172,16.9683,met\n' + 'base,traffic:web,latency_p99_ms < 100,,,,undecided\n',
    );
    expect(buildTables(variants, results)['slos.csv']).toBeUndefined();
  });
});

describe('svcsim run with slos:', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svcsim-slos-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes slos.csv and prints each verdict in the terminal summary', async () => {
    const file = join(dir, 'queue.yaml');
    writeFileSync(
      file,
      `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: slos}
simulation: {duration: 2s, warmup: 0.5s, replications: 4, seed: 3}
cluster:
  nodes: [{name: n}]
  latency: {sameNode: 0, sameZone: 0, crossZone: 0, proxy: 0}
workloads:
  - {name: app, replicas: 4, ports: [8080], concurrency: 1, serviceTime: {dist: exponential, mean: 1ms}}
services:
  - {apiVersion: v1, kind: Service, metadata: {name: svc}, spec: {selector: {app: app}, ports: [{port: 80, targetPort: 8080}]}}
traffic:
  - {name: load, to: {service: svc, port: 80, via: clusterIP}, from: {node: n}, arrival: {process: poisson, rate: 2500/s}, handshake: false}
slos:
  - latency_mean_ms < 4
  - latency_mean_ms < 1
  - {expr: success_ratio >= 0.99, scope: "traffic:load"}
`,
    );
    const out = join(dir, 'out');
    const { code, stderr } = await svcsim('run', file, '--out', out, '--workers', '2', '--no-charts');
    expect(code).toBe(0);
    // M/M/1 per pod at 625/s: mean latency 1/(1000 − 625) s = 2.67 ms.
    expect(stderr).toMatch(/base: latency_mean_ms < 4: met \(mean 2\.\d+\); latency_mean_ms < 1: not met \(mean 2\.\d+\); traffic:load success_ratio >= 0\.99: met \(mean 1\.00000\)/);
    const rows = readFileSync(join(out, 'slos.csv'), 'utf8').trim().split('\n');
    expect(rows.map((r) => [r.split(',')[1], r.split(',')[2], r.split(',').at(-1)])).toEqual([
      ['scope', 'slo', 'verdict'],
      ['all', 'latency_mean_ms < 4', 'met'],
      ['all', 'latency_mean_ms < 1', 'not met'],
      ['traffic:load', 'success_ratio >= 0.99', 'met'],
    ]);
  });
});
