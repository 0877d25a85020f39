/**
 * Offered load per workload (scenario/load-estimate.ts) and the warnings
 * validate and run print from it.
 */
import { describe, expect, it } from 'vitest';
import { arrivalRatesAt, loadMessage, offeredLoads } from '../src/scenario/load-estimate.js';
import { scenarioFrom, singleQueue, webService } from './helpers/scenario.js';
import { parseScenarioText } from '../src/scenario/load.js';
import { stringify } from 'yaml';
import { warmupWarning, withoutSteadyState } from '../src/results/manifest.js';
import { METRIC_NAMES, type ReplicationResult } from '../src/sim/result.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { svcsim } from './helpers/cli.js';

describe('offered load', () => {
  it('is rate × mean service time / (replicas × concurrency)', () => {
    const s = singleQueue({ rate: 1500, replicas: 2, concurrency: 2, serviceTime: { dist: 'exponential', mean: '2ms' } });
    const [l] = offeredLoads(s);
    expect(l.workload).toBe('app');
    expect(l.rate).toBe(1500);
    expect(l.slots).toBe(4);
    expect(l.load).toBeCloseTo(0.75, 12);
    expect(loadMessage(l)).toBeUndefined();
  });

  it('splits a Service over the workloads it selects by their replicas, and takes the peak of a schedule', () => {
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'two' },
      simulation: { duration: 10 },
      cluster: { nodes: [{ name: 'n' }] },
      workloads: [
        { name: 'a', labels: { app: 'web' }, replicas: 3, ports: [8080], serviceTime: '10ms' },
        { name: 'b', labels: { app: 'web' }, replicas: 1, ports: [8080], serviceTime: '40ms' },
      ],
      services: [webService({})],
      traffic: [{ name: 'u', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n' }, arrival: { process: 'schedule', steps: [{ at: 0, rate: 100 }, { at: 60, rate: 300 }, { at: 120, rate: 50 }] } }],
    });
    expect(arrivalRatesAt(s, 0)).toEqual([75, 25]);
    const [a, b] = offeredLoads(s);
    // At t = 60: a gets 225/s × 10 ms / 3 = 0.75; b gets 75/s × 40 ms / 1 = 3.
    expect(a).toMatchObject({ at: 60, rate: 225 });
    expect(a.load).toBeCloseTo(0.75, 12);
    expect(b).toMatchObject({ at: 60, rate: 75 });
    expect(b.load).toBeCloseTo(3, 12);
    expect(loadMessage(b)).toMatch(/^overloaded: no steady state: workload b is offered load 75 req\/s × 40 ms mean service time \/ \(1 slots = replicas × concurrency\) = 3 from t=60 s/);
  });

  it('warns near 1 and says there is no steady state at 1 or more', () => {
    const at = (rate: number) => loadMessage(offeredLoads(singleQueue({ rate, serviceTime: '1ms' }))[0]);
    expect(at(899)).toBeUndefined();
    expect(at(950)).toMatch(/^workload app is offered load 950 req\/s × 1 ms .* = 0\.95: close to 1/);
    expect(at(1000)).toMatch(/^overloaded: no steady state: workload app/);
  });

  it('is a warning of the loader, pinned to the workload', () => {
    const doc = {
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'over' },
      simulation: { duration: 10 },
      cluster: { nodes: [{ name: 'n' }] },
      workloads: [{ name: 'app', replicas: 1, ports: [8080], serviceTime: '2ms' }],
      services: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { selector: { app: 'app' }, ports: [{ port: 80, targetPort: 8080 }] } }],
      traffic: [{ name: 'load', to: { service: 'svc', port: 80, via: 'clusterIP' }, from: { node: 'n' }, arrival: { process: 'poisson', rate: 600 } }],
    };
    const { warnings } = parseScenarioText(stringify(doc), 'over.yaml');
    const w = warnings.find((x) => x.message.startsWith('overloaded'));
    expect(w).toBeDefined();
    expect(w!.path).toBe('workloads.app');
    expect(w!.line).toBeGreaterThan(0);
  });
});

describe('offered load with retries and calls', () => {
  it('gives the worst case (1 + retries) × next to the load when failed attempts were served (a client timeout), and warns when that reaches 1', () => {
    const [l] = offeredLoads(singleQueue({ rate: 850, serviceTime: '1ms', traffic: { timeout: '50ms', retries: 2 } }));
    expect(l.load).toBeCloseTo(0.85, 12);
    expect(l.worstLoad).toBeCloseTo(2.55, 12);
    expect(l).toMatchObject({ worstRate: 2550, retries: 2, retriedWhen: 'attempts time out' });
    expect(loadMessage(l)).toMatch(/^workload app is offered load 850 req\/s × 1 ms mean service time \/ \(1 slots = replicas × concurrency\) = 0\.85 \(up to 2\.55 with 2 retries if attempts time out\): retries can overload it/);
    // Near 1 and overloaded, the worst case rides along.
    expect(loadMessage(offeredLoads(singleQueue({ rate: 950, serviceTime: '1ms', traffic: { timeout: '50ms', retries: 1 } }))[0])).toMatch(/= 0\.95 \(up to 1\.9 with 1 retry if attempts time out\): close to 1/);
    // The worst case below 1: nothing to say.
    expect(loadMessage(offeredLoads(singleQueue({ rate: 300, serviceTime: '1ms', traffic: { timeout: '50ms', retries: 2 } }))[0])).toBeUndefined();
  });

  it('adds no work for retries of attempts that were never served (no timeout: refused, rejected or unconnected)', () => {
    const [l] = offeredLoads(singleQueue({ rate: 850, serviceTime: '1ms', queueCapacity: 5, traffic: { retries: 3 } }));
    expect([l.worstLoad, l.retries]).toEqual([l.load, 0]);
    expect(loadMessage(l)).toBeUndefined();
  });

  /** front (2 × 4 slots, 2 ms) calls back (1 × 2 slots, 1 ms) through its Service; `front` and `traffic` add to each. */
  const frontBack = (front: object, traffic: object) =>
    scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'calls' },
      simulation: { duration: 10 },
      cluster: { nodes: [{ name: 'n' }] },
      workloads: [
        { name: 'front', replicas: 2, concurrency: 4, ports: [8080], serviceTime: '2ms', ...front },
        { name: 'back', replicas: 1, concurrency: 2, ports: [8080], serviceTime: '1ms' },
      ],
      services: ['front', 'back'].map((name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } })),
      traffic: [{ name: 'u', to: { service: 'front', port: 80, via: 'clusterIP' }, from: { node: 'n' }, arrival: { process: 'poisson', rate: 1000 }, ...traffic }],
    });

  it("counts the calls of a caller (rate × count × probability), its client's retries in the worst case, and retries of a caller whose required call failed", () => {
    const s = frontBack({ calls: [{ service: 'back', port: 80, count: 3, probability: 0.5 }], client: { timeout: '1s', retries: 1 } }, { retries: 2 });
    const [front, back] = offeredLoads(s);
    // front: 1000/s; no timeout, but a failed required call fails an attempt front has served: up to 3000/s.
    expect(front).toMatchObject({ rate: 1000, worstRate: 3000, retries: 2, retriedWhen: 'their required calls fail' });
    expect(front.load).toBeCloseTo(0.25, 12);
    // back: 1000 × 3 × 0.5 = 1500/s, load 0.75; worst 3000 × 1.5 × (1 + 1) = 9000/s.
    expect(back).toMatchObject({ rate: 1500, worstRate: 9000, retries: 1, retriedWhen: 'attempts time out' });
    expect(back.load).toBeCloseTo(0.75, 12);
    expect(back.worstLoad).toBeCloseTo(4.5, 12);
  });

  it('names both reasons to retry, timeouts first', () => {
    const s = frontBack({ calls: [{ service: 'back', port: 80 }] }, { timeout: '1s', retries: 1 });
    expect(offeredLoads(s)[0]).toMatchObject({ retries: 1, retriedWhen: 'attempts time out or their required calls fail' });
  });
});

describe('offered load of an autoscaled workload', () => {
  const autoscaled = (rate: number) =>
    scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'hpa' },
      simulation: { duration: 10 },
      cluster: { nodes: [{ name: 'n' }] },
      workloads: [{ name: 'web', labels: { app: 'web' }, replicas: 2, concurrency: 2, ports: [8080], serviceTime: '10ms', autoscaling: { minReplicas: 2, maxReplicas: 4 } }],
      services: [webService({})],
      traffic: [{ name: 'u', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n' }, arrival: { process: 'poisson', rate } }],
    });

  it("is judged at the HPA's maxReplicas, which it can grow to: no warning below 0.9 there, however busy its starting pods", () => {
    // 700/s × 10 ms: 0.875 on 4 pods × 2 slots, 1.75 on the 2 it starts with.
    const [l] = offeredLoads(autoscaled(700));
    expect(l).toMatchObject({ slots: 8, maxReplicas: 4, replicas: 2 });
    expect(l.load).toBeCloseTo(0.875, 12);
    expect(l.startLoad).toBeCloseTo(1.75, 12);
    expect(loadMessage(l)).toBeUndefined();
  });

  it('says "at maxReplicas" when even that is overloaded, with the starting pods\' load as information', () => {
    const [l] = offeredLoads(autoscaled(1000));
    expect(loadMessage(l)).toBe(
      "overloaded: no steady state: workload web is offered load 1000 req/s × 10 ms mean service time / (8 slots at maxReplicas 4 × concurrency 2) = 1.25; it starts at 2 pods: offered load 2.5 until the HPA scales up; its queues grow for as long as the run lasts, so means and percentiles depend on the run's length (raise maxReplicas or concurrency, or lower the rate)",
    );
  });
});

describe('a run without a steady state', () => {
  it('gets no MSER-5 warm-up suggestion, but the reason: the share of requests unfinished at the drain limit', () => {
    const metrics = (requests: number, unfinished: number) => METRIC_NAMES.map((m) => (m === 'requests' ? requests : m === 'unfinished' ? unfinished : 0));
    const result = (variant: number, requests: number, unfinished: number) => ({ variant, scopes: [{ scope: 'all', metrics: metrics(requests, unfinished) }] }) as unknown as ReplicationResult;
    const variants = [
      { index: 0, label: 'small', params: [] },
      { index: 1, label: 'big', params: [] },
    ];
    const unsteady = withoutSteadyState(variants, [result(0, 1000, 40), result(0, 1000, 0), result(1, 1000, 5)]);
    expect(unsteady).toEqual([{ label: 'small', share: 0.04 }]);
    const mser = { suggestedWarmupSeconds: 30, perVariant: [{ label: 'small', suggestedWarmupSeconds: 30, buckets: 60 }] };
    expect(warmupWarning(mser, 10, unsteady)).toMatch(/^no MSER-5 warm-up suggestion: no steady state in variant small \(4\.00% of requests unfinished at the drain limit\)/);
    expect(warmupWarning(mser, 10, [])).toMatch(/^MSER-5 suggests a warm-up of 30 s/);
  });

  it('is said by svcsim run: the overload warning, unfinished in the terminal summary, and no MSER-5 advice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcsim-overload-'));
    try {
      // One pod, 1 ms of work, 1200 requests/s: load 1.2; a 0.2 s drain limit leaves the queue's tail unfinished.
      const file = join(dir, 'over.yaml');
      writeFileSync(
        file,
        stringify({
          apiVersion: 'svcsim/v1',
          kind: 'Scenario',
          metadata: { name: 'over' },
          simulation: { duration: '2s', warmup: '0.5s', replications: 2, drainLimit: '0.2s' },
          cluster: { nodes: [{ name: 'n' }], latency: { sameNode: 0, sameZone: 0, crossZone: 0, proxy: 0 } },
          workloads: [{ name: 'app', replicas: 1, ports: [8080], serviceTime: { dist: 'exponential', mean: '1ms' } }],
          services: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { selector: { app: 'app' }, ports: [{ port: 80, targetPort: 8080 }] } }],
          traffic: [{ name: 'load', to: { service: 'svc', port: 80, via: 'clusterIP' }, from: { node: 'n' }, arrival: { process: 'poisson', rate: 1200 }, handshake: false }],
        }),
      );
      const { code, stderr } = await svcsim('run', file, '--workers', '0', '--no-charts', '--out', join(dir, 'results'));
      expect(code).toBe(0);
      expect(stderr).toMatch(/workloads\.app: warning: overloaded: no steady state: workload app is offered load 1200 req\/s × 1 ms .* = 1\.2;/);
      const unfinished = /base: requests .*, unfinished ([\d.]+)/.exec(stderr);
      expect(Number(unfinished?.[1]), stderr).toBeGreaterThan(0);
      expect(stderr).not.toContain('MSER-5 suggests');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
