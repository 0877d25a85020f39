/**
 * The simulator against exact queueing results (validation-and-statistics.md).
 * Every check uses fixed seeds and a tolerance from the run's own 99%
 * confidence interval over replications.
 */
import { describe, expect, it } from 'vitest';
import { erlangArrivalsW, mmcW, mmckBlocking } from './helpers/queueing.js';
import { interval, metric, replicate, singleQueue } from './helpers/scenario.js';

function expectWithin(values: number[], exact: number): void {
  const { mean, halfWidth } = interval(values);
  expect(Number.isFinite(halfWidth)).toBe(true);
  expect(Math.abs(mean - exact), `mean ${mean} vs exact ${exact} (±${halfWidth})`).toBeLessThanOrEqual(halfWidth);
}

describe('one pod is a single queue', () => {
  it('M/M/1: mean time in system is 1/(μ − λ)', async () => {
    // μ = 1000/s (1 ms), λ = 800/s: W = 5 ms.
    const s = singleQueue({ rate: 800, serviceTime: { dist: 'exponential', mean: '1ms' }, duration: 100, warmup: 5 });
    const results = await replicate(s, 12);
    expectWithin(metric(results, 'latency_mean_ms'), 5);
  });

  it('M/M/1: the 99th percentile of time in system is −ln(0.01)/(μ − λ)', async () => {
    const s = singleQueue({ rate: 800, serviceTime: { dist: 'exponential', mean: '1ms' }, duration: 100, warmup: 5 });
    const results = await replicate(s, 12);
    expectWithin(metric(results, 'latency_p99_ms'), -Math.log(0.01) * 5);
  });

  it('M/M/c: mean time in system follows Erlang C (c = 4, λ = 3.6, μ = 1)', async () => {
    const s = singleQueue({ rate: 3600, serviceTime: { dist: 'exponential', mean: '1ms' }, concurrency: 4, duration: 60, warmup: 5 });
    const results = await replicate(s, 12);
    expectWithin(metric(results, 'latency_mean_ms'), mmcW(3.6, 1, 4));
  });

  it('M/D/1: mean time in system follows Pollaczek–Khinchine', async () => {
    const rho = 0.7;
    const s = singleQueue({ rate: 700, serviceTime: '1ms', duration: 100, warmup: 5 });
    const results = await replicate(s, 12);
    expectWithin(metric(results, 'latency_mean_ms'), rho / (2 * (1 - rho)) + 1);
  });

  it('M/G/1 with gamma service: mean time in system is λE[S²]/(2(1−ρ)) + E[S]', async () => {
    // gamma mean 1 ms, cv 1.5: E[S²] = (1 + cv²)·E[S]² = 3.25 ms².
    const s = singleQueue({ rate: 600, serviceTime: { dist: 'gamma', mean: '1ms', cv: 1.5 }, duration: 100, warmup: 5 });
    const results = await replicate(s, 12);
    expectWithin(metric(results, 'latency_mean_ms'), (0.6 * 3.25) / (2 * 0.4) + 1);
  });

  it('M/M/c/K: the share of rejected requests is the blocking probability', async () => {
    // c = 2, queueCapacity 3 (K = 5), a = 2.5.
    const s = singleQueue({ rate: 2500, serviceTime: { dist: 'exponential', mean: '1ms' }, concurrency: 2, queueCapacity: 3, duration: 40, warmup: 2 });
    const results = await replicate(s, 12);
    const requests = metric(results, 'requests');
    const ratio = metric(results, 'failed_rejected').map((x, i) => x / requests[i]);
    expectWithin(ratio, mmckBlocking(2.5, 1, 2, 5));
    expect(metric(results, 'failed_timeout').every((x) => x === 0)).toBe(true);
  });
});

describe('how kube-proxy splits traffic between pods', () => {
  it('iptables picks uniformly per connection: each of 3 pods is an M/M/1 queue with λ/3', async () => {
    const s = singleQueue({ rate: 2400, replicas: 3, serviceTime: { dist: 'exponential', mean: '1ms' }, duration: 60, warmup: 5 });
    const results = await replicate(s, 12);
    expectWithin(metric(results, 'latency_mean_ms'), 1 / (1 - 0.8));
  });

  it('IPVS rr on one node gives each pod Erlang-3 arrivals: W from GI/M/1', async () => {
    const s = singleQueue({ rate: 2400, replicas: 3, proxyMode: 'ipvs', ipvsScheduler: 'rr', serviceTime: { dist: 'exponential', mean: '1ms' }, duration: 60, warmup: 5 });
    const results = await replicate(s, 12);
    expectWithin(metric(results, 'latency_mean_ms'), erlangArrivalsW(2.4, 1, 3));
  });

  it('IPVS lc beats rr but not a shared queue of the same capacity (M/M/3)', async () => {
    const base = { rate: 2400, replicas: 3, proxyMode: 'ipvs', serviceTime: { dist: 'exponential', mean: '1ms' }, duration: 60, warmup: 5 };
    const lc = interval(metric(await replicate(singleQueue({ ...base, ipvsScheduler: 'lc' }), 10), 'latency_mean_ms'));
    const rr = erlangArrivalsW(2.4, 1, 3);
    const pooled = mmcW(2.4, 1, 3);
    expect(lc.mean + lc.halfWidth).toBeLessThan(rr);
    expect(lc.mean - lc.halfWidth).toBeGreaterThan(pooled);
  });
});
