/**
 * `svcsim plan`: SLOs judged on one-sided confidence bounds of the mean
 * over replications, and the bisection for the smallest value that meets
 * them all, with its evidence. The queue: Poisson arrivals at 2500/s split
 * uniformly over `replicas` pods of one slot each, 1 ms exponential service
 * (W = 1/(1000 − 2500/replicas) s: 6 ms with 3 pods, 2.7 ms with 4; 1 or 2
 * pods cannot keep up).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { judge, parseSlo, parseVary, type Slo } from '../src/cli/plan.js';
import { main } from '../src/cli/main.js';
import type { Manifest } from '../src/results/manifest.js';
import { METRIC_NAMES, type ReplicationResult } from '../src/sim/result.js';

const dir = mkdtempSync(join(tmpdir(), 'svcsim-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = join(dir, 'queue.yaml');
writeFileSync(
  scenario,
  `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: plan-queue}
simulation: {duration: 2s, warmup: 0.5s, replications: 4, seed: 3, maxInFlight: 200}
cluster:
  nodes: [{name: n}]
  latency: {sameNode: 0, sameZone: 0, crossZone: 0, proxy: 0}
workloads:
  - {name: app, replicas: 1, ports: [8080], concurrency: 1, serviceTime: {dist: exponential, mean: 1ms}}
services:
  - {apiVersion: v1, kind: Service, metadata: {name: svc}, spec: {selector: {app: app}, ports: [{port: 80, targetPort: 8080}]}}
traffic:
  - {name: load, to: {service: svc, port: 80, via: clusterIP}, from: {node: n}, arrival: {process: poisson, rate: 2500/s}, handshake: false}
`,
);

async function svcsim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

function withMetric(values: number[], metric = 'latency_p99_ms'): ReplicationResult[] {
  const mi = METRIC_NAMES.indexOf(metric as never);
  return values.map((x, replication) => ({ replication, scopes: [{ scope: 'all', metrics: METRIC_NAMES.map((_, i) => (i === mi ? x : NaN)) }] }) as ReplicationResult);
}

describe('an SLO', () => {
  it('is read as metric, comparison and value', () => {
    expect(parseSlo('latency_p99_ms<200')).toEqual({ text: 'latency_p99_ms<200', metric: 'latency_p99_ms', op: '<', value: 200 });
    expect(parseSlo(' success_ratio >= 0.999 ')).toEqual({ text: 'success_ratio>=0.999', metric: 'success_ratio', op: '>=', value: 0.999 });
    expect(parseSlo('p99<200')).toMatch(/unknown metric p99; one of requests, ok/);
    expect(parseSlo('latency_p99_ms=200')).toMatch(/expected METRIC<VALUE/);
  });

  it('holds when the one-sided bound of the mean at the confidence level is on the right side', () => {
    // 10, 12, 14: mean 12, s = 2; t(0.95, 2) = 2.919986, so the 95% bounds are 12 ± 3.37167.
    const results = withMetric([10, 12, 14]);
    const slo = (text: string) => parseSlo(text) as Slo;
    const [below, above, atLeast, over] = judge([slo('latency_p99_ms<15.38'), slo('latency_p99_ms<15.37'), slo('latency_p99_ms>=8.62'), slo('latency_p99_ms>8.63')], results, 0.95);
    expect(below.bound).toBeCloseTo(15.37167, 4);
    expect([below.holds, above.holds]).toEqual([true, false]);
    expect(atLeast.bound).toBeCloseTo(8.62833, 4);
    expect([atLeast.holds, over.holds]).toEqual([true, false]);
  });

  it('does not hold without two replications to bound the mean', () => {
    const [e] = judge([parseSlo('latency_p99_ms<1000') as Slo], withMetric([5, NaN]), 0.95);
    expect(e).toMatchObject({ n: 1, mean: 5, bound: undefined, holds: false });
  });
});

describe('--vary', () => {
  it('is a path and an integer range', () => {
    expect(parseVary('workloads.web.replicas=2..40')).toEqual({ path: 'workloads.web.replicas', lo: 2, hi: 40 });
    expect(parseVary('workloads.web.replicas=5..2')).toMatch(/LO must not exceed HI/);
    expect(parseVary('workloads.web.replicas=2-40')).toMatch(/expected PATH=LO..HI/);
  });
});

describe('svcsim plan', () => {
  it('finds the smallest value meeting every SLO, shows the value below failing, and counts an overload as failing', async () => {
    const out = join(dir, 'answer');
    const r = await svcsim('plan', scenario, '--vary', 'workloads.app.replicas=1..4', '--slo', 'latency_mean_ms<4', '--slo', 'success_ratio>=0.99', '--workers', '2', '--out', out, '--no-charts');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('answer: workloads.app.replicas=4 (3 fails)');
    // Bisection: 4 (the top) holds, then 2 (overloaded), then 3.
    expect(r.stdout).toMatch(/workloads\.app\.replicas=2: fails — overloaded \(more than 200 requests in flight/);
    expect(r.stdout).toMatch(/workloads\.app\.replicas=3: fails — latency_mean_ms<4: mean [\d.]+, 95% bound [\d.]+ \(n 4\)/);
    expect(r.stdout).toMatch(/workloads\.app\.replicas=4: holds — latency_mean_ms<4: mean 2\.[\d]+/);
    expect(r.stdout).not.toContain('replicas=1:');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest & { plan: { value: number; evidence: { value: number; holds: boolean }[] } };
    expect(manifest.plan.value).toBe(4);
    expect(manifest.plan.evidence.map((e) => [e.value, e.holds])).toEqual([
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect((manifest.resolvedScenario as { workloads: { replicas: number }[] }).workloads[0].replicas).toBe(4);
    expect(manifest.complete).toBe(true);
  });

  it('says so, with exit code 0, when no value in the range meets the SLOs, explains how each SLO moves, and writes the results folder', async () => {
    const out = join(dir, 'no-answer');
    const r = await svcsim('plan', scenario, '--vary', 'workloads.app.replicas=4..6', '--slo', 'latency_mean_ms<1', '--slo', 'success_ratio>1', '--workers', '2', '--quiet', '--out', out, '--no-charts');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no value of workloads.app.replicas in [4, 6] meets every SLO (not even 6)');
    // M/M/1 per pod at 2500/s: mean latency 1/(1000 − 2500/k) s, 2.67 ms at 4 replicas, 1.67 ms at 6: it improves, but not to 1 ms.
    expect(r.stdout).toMatch(/latency_mean_ms<1 fails \(95% bound [\d.]+ at 6\); mean 2\.[\d]+ at 4, [\d.]+ at 5, 1\.[\d]+ at 6; it improves as workloads\.app\.replicas grows/);
    // No request fails at any value: success_ratio stays 1, which the number of replicas cannot change.
    expect(r.stdout).toMatch(/success_ratio>1 fails .*mean 1\.00000 at 4, 1\.00000 at 5, 1\.00000 at 6; workloads\.app\.replicas does not move it .*cannot fix it/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.plan?.value).toBeNull();
    expect(manifest.plan?.explanation).toHaveLength(2);
    expect(manifest.plan?.evidence.map((e) => e.value)).toEqual([4, 5, 6]);
    expect(manifest.plan?.evidence[2].slos?.map((x) => [x.slo, x.n, x.holds])).toEqual([
      ['latency_mean_ms<1', 4, false],
      ['success_ratio>1', 4, false],
    ]);
    expect((manifest.resolvedScenario as { workloads: { replicas: number }[] }).workloads[0].replicas).toBe(6);
    expect(readFileSync(join(out, 'slos.csv'), 'utf8').split('\n')[0]).toBe('variant,scope,slo,mean,ci_low,ci_high,verdict');
  });

  it("uses the scenario's slos: when no --slo is given, each in its scope", async () => {
    const withSlos = join(dir, 'with-slos.yaml');
    writeFileSync(withSlos, `${readFileSync(scenario, 'utf8')}slos:\n  - latency_mean_ms < 4\n  - {expr: success_ratio >= 0.99, scope: "traffic:load"}\n`);
    const out = join(dir, 'scenario-slos');
    const r = await svcsim('plan', withSlos, '--vary', 'workloads.app.replicas=3..4', '--workers', '2', '--out', out, '--no-charts');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('svcsim plan: latency_mean_ms < 4 and success_ratio >= 0.99 at 95% confidence');
    expect(r.stdout).toMatch(/workloads\.app\.replicas=4: holds — latency_mean_ms < 4: mean 2\.[\d]+, 95% bound [\d.]+ \(n 4\); traffic:load success_ratio >= 0\.99: mean 1\.00000,/);
    expect(r.stdout).toContain('answer: workloads.app.replicas=4 (3 fails)');
    const rows = readFileSync(join(out, 'slos.csv'), 'utf8').trim().split('\n');
    expect(rows.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['base,all,latency_mean_ms < 4', 'base,traffic:load,success_ratio >= 0.99']);
    expect(rows[2].endsWith(',met')).toBe(true);
  });

  it('rejects bad input with exit code 2', async () => {
    expect((await svcsim('plan', scenario, '--vary', 'workloads.app.replicas=5..2', '--slo', 'latency_mean_ms<4')).code).toBe(2);
    expect((await svcsim('plan', scenario, '--vary', 'workloads.app.replicas=1..2', '--slo', 'p99<4')).code).toBe(2);
    expect((await svcsim('plan', scenario, '--vary', 'workloads.app.replicas=1..2', '--slo', 'latency_mean_ms<4', '--confidence', '1.5')).code).toBe(2);
    const r = await svcsim('plan', scenario, '--vary', 'workloads.nope.replicas=1..2', '--slo', 'latency_mean_ms<4');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no workload named "nope" (have: app)');
  });
});
