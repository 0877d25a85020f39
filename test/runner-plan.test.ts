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
import { afterAll, describe, expect, it } from 'vitest';
import { judge, parseSlo, parseVary, type Slo } from '../src/cli/plan.js';
import { busiestNode, convergence, distributionBound, nodeDownSetup } from '../src/runner/planNodeDown.js';
import { svcsim } from './helpers/cli.js';
import { scenarioFrom, webService } from './helpers/scenario.js';
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

/**
 * One node down: three nodes, pods spread over them (the first node holds
 * ceil(k/3) of k), 1500/s entering through a nodePort on the last node (never
 * the busiest: ties go to the first), each pod an M/M/1 at 1 ms. A fast
 * control plane converges 4 + 1 + 0.5 + 0.5 = 6 s after a crash. Mean latency
 * under 3 ms needs 1500/m < 667 per surviving pod, i.e. m ≥ 3 survivors: 3
 * replicas with every node up, 5 with the busiest down (4 leave 2).
 */
const nodeDownScenario = join(dir, 'node-down.yaml');
writeFileSync(
  nodeDownScenario,
  `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: plan-node-down}
simulation: {duration: 2s, warmup: 0.5s, replications: 4, seed: 5, maxInFlight: 300}
cluster:
  nodes: [{name: n, count: 3}]
  latency: {sameNode: 0, sameZone: 0, crossZone: 0, proxy: 0}
  controlPlane: {nodeMonitorGracePeriod: 4s, nodeMonitorPeriod: 1s, nodeLeaseInterval: 1s, endpointPropagation: 0.5s, proxyMinSyncPeriod: 0.5s}
workloads:
  - {name: app, replicas: 1, ports: [8080], concurrency: 1, serviceTime: {dist: exponential, mean: 1ms}}
services:
  - {apiVersion: v1, kind: Service, metadata: {name: svc}, spec: {type: NodePort, selector: {app: app}, ports: [{port: 80, targetPort: 8080}]}}
traffic:
  - {name: load, to: {service: svc, port: 80, via: nodePort}, entryNode: n-2, arrival: {process: poisson, rate: 1500/s}, handshake: false, timeout: 50ms}
failures:
  - {at: 1s, pod: app-0}
`,
);

describe('svcsim plan --node-down', () => {
  type WithQuestion = Manifest & { plan: NonNullable<Manifest['plan']> };
  const read = (out: string) => JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as WithQuestion;

  it('steady: with the busiest node down from t = 0 the answer needs more replicas than with every node up, and the window starts once the control plane has converged', async () => {
    const up = await svcsim('plan', nodeDownScenario, '--vary', 'workloads.app.replicas=2..3', '--slo', 'latency_mean_ms<3', '--workers', '2', '--quiet', '--set', 'failures=[]');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('answer: workloads.app.replicas=3 (2 fails)');
    expect(up.stdout).not.toContain('question');

    const out = join(dir, 'steady');
    const r = await svcsim('plan', nodeDownScenario, '--vary', 'workloads.app.replicas=2..6', '--slo', 'latency_mean_ms<3', '--slo', 'success_ratio>=0.999', '--node-down', 'steady', '--workers', '2', '--quiet', '--out', out, '--no-charts');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('answer: workloads.app.replicas=5 (4 fails), for the steady state with one node down');
    expect(r.stdout).toMatch(/^svcsim plan: the question: steady state with one node down: node n-0 \(the busiest: 2 pods\) is down from t = 0, and the window \[6\.5 s, 8\.5 s\) starts once the control plane has converged \(6 s, the latest of kube-proxies: nodeMonitorGracePeriod 4 s \+ nodeMonitorPeriod 1 s \+ endpointPropagation \(its maximum\) 0\.5 s \+ proxyMinSyncPeriod 0\.5 s = 6 s\) plus the scenario's warm-up of 0\.5 s; .*it replaces the scenario's 1 failure$/m);
    // 4 replicas: 2 on n-0, which is down; 2 survive at 750/s each: W = 4 ms.
    expect(r.stdout).toMatch(/workloads\.app\.replicas=4: fails — node n-0 down \(2 pods\): latency_mean_ms<3: mean (3\.[5-9]|4\.[0-4])\d*/);
    const m = read(out);
    expect(m.plan.value).toBe(5);
    expect(m.plan.question).toMatchObject({ kind: 'steady', node: 'n-0', crashAt: 0, window: [6.5, 8.5], convergenceSeconds: 6 });
    expect(m.plan.evidence.every((e) => e.node === 'n-0')).toBe(true);
    const resolved = m.resolvedScenario as unknown as { simulation: { warmup: number; duration: number }; failures: { at: number; node: string }[]; cluster: { controlPlane: { podEvictionTimeout: number } } };
    expect(resolved.simulation).toMatchObject({ warmup: 6.5, duration: 2 });
    expect(resolved.failures).toEqual([{ at: 0, node: 'n-0' }]);
    // The run ends at 8.5 s + the 60 s drain limit, before podEvictionTimeout (300 s) could replace the pods: left as it is.
    expect(resolved.cluster.controlPlane.podEvictionTimeout).toBe(300);
    // Converged: no counted request was sent to the dead node (each would time out after 50 ms).
    const summary = readFileSync(join(out, 'summary.csv'), 'utf8').split('\n');
    const header = summary[0].split(',');
    const failed = summary.find((l) => l.startsWith('base,all,failed,'))!.split(',');
    expect(Number(failed[header.indexOf('mean')])).toBe(0);
  });

  it('transient: the SLOs are judged over the window from the crash to convergence, where the detection delay fails requests that the steady state never sees', async () => {
    const out = join(dir, 'transient');
    const r = await svcsim('plan', nodeDownScenario, '--vary', 'workloads.app.replicas=4..6', '--slo', 'latency_mean_ms<3', '--slo', 'success_ratio>=0.999', '--node-down', 'transient', '--crash-at', '1s', '--workers', '2', '--quiet', '--out', out, '--no-charts');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^svcsim plan: the question: transient after a node crash: node n-0 \(the busiest: 2 pods\) crashes at t = 1 s, and the SLOs are judged over the window \[1 s, 7 s\) from the crash until the control plane has converged/m);
    expect(r.stdout).toContain('no value of workloads.app.replicas in [4, 6] meets every SLO (not even 6), for the transient after a node crash:');
    // With 6 replicas, n-0's 2 pods get a third of new connections until the kube-proxy on n-2 learns, 4.5 to 6 s after the crash.
    expect(r.stdout).toMatch(/success_ratio>=0\.999 fails .*mean 0\.[6-8]\d+ at 4, 0\.[6-8]\d+ at 5, 0\.[6-8]\d+ at 6/);
    const m = read(out);
    expect(m.plan.value).toBeNull();
    expect(m.plan.question).toMatchObject({ kind: 'transient', crashAt: 1, window: [1, 7], convergenceSeconds: 6 });
    expect((m.resolvedScenario as unknown as { simulation: { warmup: number; duration: number } }).simulation).toMatchObject({ warmup: 1, duration: 6 });
  });

  it('rejects a question, node or crash time it cannot answer, with exit code 2', async () => {
    const base = ['plan', nodeDownScenario, '--vary', 'workloads.app.replicas=2..3', '--slo', 'latency_mean_ms<3', '--workers', '2', '--quiet'];
    const wrong = await svcsim(...base, '--node-down', 'sometimes');
    expect([wrong.code, wrong.stderr]).toEqual([2, expect.stringContaining('--node-down sometimes: steady (')]);
    const node = await svcsim(...base, '--node-down', 'steady', '--node', 'n-9');
    expect([node.code, node.stderr]).toEqual([2, expect.stringContaining('--node n-9: no node of that name (have: n-0, n-1, n-2)')]);
    expect((await svcsim(...base, '--node', 'n-1')).code).toBe(2);
    expect((await svcsim(...base, '--node-down', 'steady', '--crash-at', '3s')).stderr).toContain('--crash-at goes with --node-down transient');
    expect((await svcsim(...base, '--node-down', 'transient', '--crash-at', 'soon')).code).toBe(2);
  });
});

describe('the node-down question', () => {
  const cluster = (extra: Record<string, unknown> = {}) =>
    scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'down' },
      simulation: { duration: '10m', warmup: '30s' },
      cluster: { nodes: [{ name: 'a', count: 2 }, { name: 'b', zone: 'zone-b' }], ...extra },
      workloads: [
        { name: 'web', labels: { app: 'web' }, replicas: 4, ports: [8080], serviceTime: '1ms' },
        { name: 'db', replicas: 1, ports: [5432], serviceTime: '1ms', placement: { 'a-1': 1 } },
      ],
      services: [webService({ type: 'LoadBalancer' })],
      loadBalancers: [{ service: 'web', preset: 'aws-nlb' }],
      traffic: [{ name: 'u', to: { service: 'web', port: 80, via: 'loadBalancer' }, arrival: { process: 'poisson', rate: 100 } }],
      failures: [{ at: '1m', node: 'b' }],
    });

  it('is converged by the slowest of the kube-proxy path and each LB: 50 + 5 + 1 + 1 = 57 s by default, an NLB by 3 × 10 + 10 = 40 s', () => {
    const c = convergence(cluster());
    expect(c.kubeProxy.map((p) => p.seconds)).toEqual([50, 5, 1, 1]);
    expect(c.loadBalancers).toEqual([expect.objectContaining({ service: 'web', seconds: 40 })]);
    expect(c.seconds).toBe(57);
    // A slow LB is the last to converge: 3 × 30 s + 10 s.
    const slow = scenarioFrom({ ...(JSON.parse(JSON.stringify(cluster())) as Record<string, unknown>), loadBalancers: [{ service: 'web', preset: 'aws-nlb', healthCheck: { interval: '30s' } }] });
    expect(convergence(slow).seconds).toBe(100);
  });

  it("bounds an unbounded propagation delay by its 99.9th percentile (exponential: −mean·ln 0.001 = 6.91 × mean), a bounded one by its maximum", () => {
    const exp = distributionBound({ dist: 'exponential', mean: 2 });
    expect(exp.how).toBe('quantile');
    // Estimated from 100,000 draws: standard error √(p(1−p)/n) / f(q) = 10⁻⁴ / (0.001 / 2 s) = 0.2 s; the tolerance is three of them.
    expect(Math.abs(exp.seconds - -2 * Math.log(0.001))).toBeLessThan(0.6);
    expect(distributionBound({ dist: 'uniform', min: 0.5, max: 3 })).toEqual({ seconds: 3, how: 'maximum' });
    expect(distributionBound({ dist: 'empirical', values: [0.2, 1.5, 0.7] })).toEqual({ seconds: 1.5, how: 'maximum' });
  });

  it('takes the node running the most pods of all workloads, ties to the first in cluster.nodes', () => {
    // web's 4 pods spread over zones then nodes: b 2, a-0 1, a-1 1; db adds one on a-1: b and a-1 both run 2, b is listed later.
    expect(busiestNode(cluster())).toEqual({ node: 'a-1', pods: 2 });
  });

  it('steady: crash at 0, the window after convergence plus the warm-up, pods kept out of reach of the eviction; transient: crash at the end of the warm-up, the window until convergence', () => {
    const steady = nodeDownSetup(cluster(), 'steady');
    if (typeof steady === 'string') throw new Error(steady);
    // The run ends at 87 s + 10 min + 60 s drain = 747 s, past NotReady + 300 s: podEvictionTimeout is raised to 747 s.
    expect(steady).toMatchObject({ node: 'a-1', crashAt: 0, window: [87, 687], evictionRaised: [300, 747], replacedFailures: 1 });
    expect(steady.sets).toEqual(['cluster.controlPlane.podEvictionTimeout=747', 'simulation.warmup=87', 'failures=[{"at":0,"node":"a-1"}]']);
    const transient = nodeDownSetup(cluster(), 'transient', { node: 'b' });
    if (typeof transient === 'string') throw new Error(transient);
    expect(transient).toMatchObject({ node: 'b', pods: 2, chosen: 'named', crashAt: 30, window: [30, 87] });
    expect(transient.sets).toEqual(['simulation.warmup=30', 'simulation.duration=57', 'failures=[{"at":30,"node":"b"}]']);
    expect(nodeDownSetup(cluster(), 'transient', { node: 'c' })).toBe('--node c: no node of that name (have: a-0, a-1, b)');
  });
});
