/**
 * Client timeouts and retries against results that do not share the
 * engine's code. A pod serves every attempt that reaches it, also those
 * whose client gave up, so with zero latencies and no retries an M/M/1 with
 * a client timeout τ stays an M/M/1: a request succeeds when its sojourn is
 * at most τ, P = 1 − e^−(μ−λ)τ, and the pod is busy λ·E[S] of the time.
 * With retries there is no closed form; a small event-driven model of the
 * retry rules written here (Lindley's recursion per FIFO pod) is the
 * reference. Fixed seeds; tolerances from the 99% confidence intervals.
 */
import { describe, expect, it } from 'vitest';
import { resolved } from '../src/scenario/resolved.js';
import { runReplication } from '../src/sim/replication.js';
import { OverloadError } from '../src/sim/result.js';
import { interval, metric, replicate, singleQueue } from './helpers/scenario.js';

function expectWithin(values: number[], exact: number, extra = 0): void {
  const { mean, halfWidth } = interval(values);
  expect(Number.isFinite(halfWidth)).toBe(true);
  expect(Math.abs(mean - exact), `mean ${mean} vs ${exact} (±${halfWidth + extra})`).toBeLessThanOrEqual(halfWidth + extra);
}

/** A seeded uniform stream (mulberry32), so the reference model is independent of the engine's streams. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
}

/**
 * The retry rules as the spec states them, for `pods` FIFO single-slot pods
 * with exponential work (mean `meanWork`), Poisson arrivals at `rate`,
 * zero latencies, one connection per attempt to a uniformly chosen pod,
 * timeout `tau`, `retries` retries after a constant `backoff`. Every
 * attempt keeps its pod busy for its own work, answered or abandoned.
 * Returns per-request success ratio and retries per request of the
 * requests that start in [warmup, warmup + duration).
 */
function retryModel(o: { rate: number; meanWork: number; pods: number; tau: number; retries: number; backoff: number; warmup: number; duration: number; seed: number }) {
  const u = uniform(o.seed);
  const free = new Float64Array(o.pods);
  // Retries start τ + backoff after the attempt they follow: in the order of those attempts, so a FIFO list is sorted.
  const retryAt: number[] = [];
  const retryLeft: number[] = [];
  const retryCounted: boolean[] = [];
  let head = 0;
  let nextArrival = -Math.log(u()) / o.rate;
  const end = o.warmup + o.duration;
  let requests = 0;
  let ok = 0;
  let retries = 0;
  for (;;) {
    let t: number;
    let left: number;
    let counted: boolean;
    if (head < retryAt.length && retryAt[head] <= nextArrival) {
      t = retryAt[head];
      left = retryLeft[head];
      counted = retryCounted[head];
      head++;
    } else {
      t = nextArrival;
      if (t >= end) break;
      nextArrival = t - Math.log(u()) / o.rate;
      left = o.retries;
      counted = t >= o.warmup;
      if (counted) requests++;
    }
    const p = Math.min(o.pods - 1, Math.floor(u() * o.pods));
    const done = Math.max(t, free[p]) - Math.log(u()) * o.meanWork;
    free[p] = done;
    if (done - t <= o.tau) {
      if (counted) ok++;
    } else if (left > 0) {
      if (counted) retries++;
      retryAt.push(t + o.tau + o.backoff);
      retryLeft.push(left - 1);
      retryCounted.push(counted);
    }
  }
  return { success: ok / requests, retriesPerRequest: retries / requests };
}

describe('an attempt abandoned by its client is still served, with its own work', () => {
  // μ = 100/s, λ = 60/s, τ = 20 ms: (μ − λ)τ = 0.8.
  const mm1 = singleQueue({ rate: 60, serviceTime: { dist: 'exponential', mean: '10ms' }, duration: 1000, warmup: 20, traffic: { timeout: '20ms' } });

  it('M/M/1 with a client timeout τ: the success ratio is P(sojourn ≤ τ) = 1 − e^−(μ−λ)τ', async () => {
    const results = await replicate(mm1, 12);
    expectWithin(metric(results, 'success_ratio'), 1 - Math.exp(-0.8));
    expect(metric(results, 'unfinished').every((x) => x === 0)).toBe(true);
  });

  it('M/M/1 with a client timeout τ: the pod is busy λ·E[S] = 0.6 of the time, abandoned work included', async () => {
    const results = await replicate(mm1, 12);
    expectWithin(metric(results, 'pod_utilization_mean'), 0.6);
  });

  it('two pods at λ = 60/s, μ = 100/s each, τ = 20 ms, two retries after 5 ms: success and retries per request agree with an independent model of the retry rules', async () => {
    const o = { rate: 60, meanWork: 0.01, pods: 2, tau: 0.02, retries: 2, backoff: 0.005, warmup: 20, duration: 1000 };
    const s = singleQueue({
      rate: o.rate,
      replicas: o.pods,
      serviceTime: { dist: 'exponential', mean: '10ms' },
      duration: o.duration,
      warmup: o.warmup,
      traffic: { timeout: '20ms', retries: o.retries, retryBackoff: '5ms', requestsPerConnection: 1 },
    });
    const results = await replicate(s, 12);
    const model = Array.from({ length: 12 }, (_, i) => retryModel({ ...o, seed: 1000 + i }));
    const modelSuccess = interval(model.map((m) => m.success));
    const modelRetries = interval(model.map((m) => m.retriesPerRequest));
    const requests = metric(results, 'requests');
    expectWithin(metric(results, 'success_ratio'), modelSuccess.mean, modelSuccess.halfWidth);
    expectWithin(
      metric(results, 'retries').map((x, i) => x / requests[i]),
      modelRetries.mean,
      modelRetries.halfWidth,
    );
  });
});

describe('the maxInFlight guard counts what pods hold', () => {
  it('trips on a pod whose queue of abandoned attempts grows without bound, though few requests are in flight', () => {
    // λ = 2000/s on a 1 ms pod (load 2) with a 100 ms timeout: about 200 requests are in flight at any time,
    // but the queue of attempts their clients gave up on grows by 1000/s.
    const s = singleQueue({ rate: 2000, serviceTime: '1ms', duration: 60, warmup: 0, traffic: { timeout: '100ms' }, simulation: { maxInFlight: 2000 } });
    let error: unknown;
    try {
      runReplication(resolved(s), { variant: 0, replication: 0, rootSeed: 1 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(OverloadError);
    const overload = error as OverloadError;
    expect(overload.pods).toEqual(['app-0']);
    expect(overload.message).toMatch(/more than 2000 requests in flight at t=\d+\.\d+ s \(\d+ requests and \d+ attempts their clients gave up on that pods still hold\)/);
    // It stops within seconds of simulated time, not at the end of the run.
    expect(Number(/t=(\d+\.\d+)/.exec(overload.message)?.[1])).toBeLessThan(5);
  });

  it('does not trip while abandoned attempts stay few (load below 1)', () => {
    const s = singleQueue({ rate: 600, serviceTime: { dist: 'exponential', mean: '1ms' }, duration: 20, warmup: 0, traffic: { timeout: '5ms' }, simulation: { maxInFlight: 200 } });
    const r = runReplication(resolved(s), { variant: 0, replication: 0, rootSeed: 1 });
    expect(r.peakInFlight).toBeLessThan(200);
    expect(metric([r], 'failed_timeout')[0]).toBeGreaterThan(0);
  });
});
