/**
 * The statistics a Monte Carlo tool owes its users, checked on the
 * simulator itself: 95% intervals that cover the exact M/M/1 mean about 95%
 * of the time, common random numbers that make paired differences tighter
 * than independent intervals, and sequential stopping that stops when the
 * interval is as tight as asked.
 */
import { describe, expect, it } from 'vitest';
import { buildTables } from '../src/results/tables.js';
import { execute } from '../src/runner/run.js';
import { pairedDiff } from '../src/stats/pairedDiff.js';
import { summarize } from '../src/stats/summarize.js';
import { metric, replicate, scenarioFrom, singleQueue } from './helpers/scenario.js';

describe('confidence intervals over replications', () => {
  it('cover the exact M/M/1 mean in 90–99% of independent runs', async () => {
    // λ = 0.5/s, μ = 1/s: W = 1/(μ − λ) = 2 s = 2000 ms. 100 runs of 10 replications, each ~1000 requests.
    const s = singleQueue({ rate: 0.5, serviceTime: { dist: 'exponential', mean: '1s' }, duration: 2000, warmup: 50 });
    const runs = 100;
    let covered = 0;
    for (let run = 0; run < runs; run++) {
      const results = await replicate(s, 10, 1000 + run);
      const sum = summarize(metric(results, 'latency_mean_ms'));
      if (sum.ciLow! <= 2000 && 2000 <= sum.ciHigh!) covered++;
    }
    expect(covered / runs).toBeGreaterThanOrEqual(0.9);
    expect(covered / runs).toBeLessThanOrEqual(0.99);
  });
});

describe('common random numbers', () => {
  it('make the paired difference between two replica counts tighter than independent intervals', async () => {
    const make = (replicas: number) =>
      scenarioFrom({
        apiVersion: 'svcsim/v1',
        kind: 'Scenario',
        metadata: { name: 'crn' },
        simulation: { duration: 10, warmup: 1, replications: 10 },
        cluster: { nodes: [{ name: 'n', count: 3 }] },
        workloads: [{ name: 'web', replicas, ports: [8080], concurrency: 2, serviceTime: { dist: 'exponential', mean: '4ms' } }],
        services: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } }],
        traffic: [{ name: 'users', to: { service: 'web', port: 80, via: 'loadBalancer' }, arrival: { process: 'poisson', rate: 1500 } }],
      });
    const a = metric(await replicate(make(6), 10, 3), 'latency_mean_ms');
    const b = metric(await replicate(make(8), 10, 3), 'latency_mean_ms');
    const paired = pairedDiff(b, a);
    const independent = Math.hypot(summarize(a).ciHalfWidth!, summarize(b).ciHalfWidth!);
    expect(paired.mean!).toBeLessThan(0); // more replicas, less waiting
    expect(paired.ciHalfWidth!).toBeLessThan(independent / 2);
  });
});

describe('sequential stopping (simulation.precision)', () => {
  it('adds replications until the relative half-width is met, and says so', async () => {
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'precision' },
      simulation: { duration: 2, replications: 3, precision: { metric: 'latency_mean_ms', relative: 0.05, confidence: 0.95, maxReplications: 60 } },
      cluster: { nodes: [{ name: 'n' }], latency: { sameNode: 0, proxy: 0 } },
      workloads: [{ name: 'q', replicas: 1, ports: [8080], concurrency: 1, serviceTime: { dist: 'exponential', mean: '1ms' } }],
      services: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'q' }, spec: { selector: { app: 'q' }, ports: [{ port: 80, targetPort: 8080 }] } }],
      traffic: [{ name: 'load', to: { service: 'q', port: 80, via: 'clusterIP' }, from: { node: 'n' }, arrival: { process: 'poisson', rate: 500 }, handshake: false }],
    });
    const variants = [{ index: 0, label: 'base', params: [], scenario: s }];
    const out = await execute({ variants, rootSeed: 1, replications: 3, workers: 1, quiet: true }, (r) => r);
    const p = out.precision!;
    expect(p.perVariant[0].met).toBe(true);
    expect(p.replications).toBeGreaterThan(3);
    expect(p.replications).toBeLessThanOrEqual(60);
    expect(out.results).toHaveLength(p.replications);
    // It stopped once the target was met: the relative half-width is ≤ 5%.
    const sum = summarize(metric(out.results, 'latency_mean_ms'));
    expect(sum.ciHalfWidth! / sum.mean!).toBeLessThanOrEqual(0.05);
  });

  it('adds the same replications whatever the worker count, so the result files are the same', async () => {
    const s = singleQueue({ rate: 500, serviceTime: { dist: 'exponential', mean: '1ms' }, duration: 1, warmup: 0.1 });
    s.simulation.precision = { metric: 'latency_p99_ms', relative: 0.04, confidence: 0.95, maxReplications: 40 };
    const variants = [{ index: 0, label: 'base', params: [], scenario: s }];
    const one = await execute({ variants, rootSeed: 5, replications: 2, workers: 1, quiet: true });
    const two = await execute({ variants, rootSeed: 5, replications: 2, workers: 2, quiet: true });
    expect(one.precision!.replications).toBeGreaterThan(2);
    expect(two.precision).toEqual(one.precision);
    expect(buildTables(variants, two.results)).toEqual(buildTables(variants, one.results));
  });

  it('stops at maxReplications and reports the target as not met', async () => {
    const s = singleQueue({ rate: 500, serviceTime: { dist: 'exponential', mean: '1ms' }, duration: 1 });
    s.simulation.precision = { metric: 'latency_p99_ms', relative: 0.0001, confidence: 0.95, maxReplications: 7 };
    const out = await execute({ variants: [{ index: 0, label: 'base', params: [], scenario: s }], rootSeed: 1, replications: 3, workers: 2, quiet: true }, (r) => r);
    expect(out.precision!.perVariant[0].met).toBe(false);
    expect(out.precision!.replications).toBe(7);
    expect(out.results).toHaveLength(7);
  });
});
