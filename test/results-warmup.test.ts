/**
 * The MSER-5 warm-up suggestion of a run: the replications' mean latency per
 * time bucket is averaged bucket by bucket (over the replications that have
 * a value there), MSER-5 finds where the transient ends, and the run warns
 * when the configured warm-up is shorter.
 */
import { describe, expect, it } from 'vitest';
import { resultFacts, warmupWarning } from '../src/results/manifest.js';
import { meanSeries, warmupSuggestion } from '../src/results/warmup.js';
import { METRIC_NAMES, type ReplicationResult } from '../src/sim/result.js';
import { LatencyHistogram } from '../src/stats/histogram.js';

/** A small deterministic noise in [−1, 1) (a linear congruential sequence). */
function noise(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 31 - 1;
  };
}

function record(variant: number, replication: number, warmupSeries: number[], bucketSeconds = 2): ReplicationResult {
  return {
    variant,
    replication,
    seed: replication,
    scopes: [{ scope: 'all', metrics: METRIC_NAMES.map((m) => (m === 'unfinished' ? 0 : 1000)) }],
    latencyHistogram: new LatencyHistogram().encode(),
    pods: [],
    nodes: [],
    timeseries: { bucketSeconds, requests: [], ok: [], failed: [], throughputRps: [], latencyP50Ms: [], latencyP99Ms: [], failedTimeout: [], failedRefused: [], failedRejected: [], failedDependency: [], unfinished: [], inFlight: [], queueLength: [] },
    latencyBreakdown: [],
    warmupSeries,
    simulatedRequests: 0,
    suppressedRequests: 0,
    events: 0,
    peakInFlight: 0,
  };
}

/**
 * A transient at 50 ms for the first `transientBuckets` buckets, then a
 * steady state around 10 ms: batches of five alternate ±0.5 ms about it
 * (so that cutting more than the transient only loses batches) plus a
 * little noise.
 */
function transient(seed: number, transientBuckets = 30): number[] {
  const u = noise(seed);
  return Array.from({ length: 200 }, (_, i) => (i < transientBuckets ? 50 : 10) + (Math.floor(i / 5) % 2 ? 0.5 : -0.5) + 0.1 * u());
}

describe('the MSER-5 warm-up suggestion', () => {
  it('finds the end of a known transient in the series averaged over replications', () => {
    const results = [0, 1, 2, 3].map((r) => record(0, r, transient(r + 1)));
    const s = warmupSuggestion([{ index: 0, label: 'base' }], results);
    // 30 buckets of 2 s: 60 s from the start of the run.
    expect(s.perVariant).toEqual([{ label: 'base', suggestedWarmupSeconds: 60, buckets: 200 }]);
    expect(s.suggestedWarmupSeconds).toBe(60);
  });

  it('suggests no warm-up for a series without a transient', () => {
    const u = noise(7);
    const results = [record(0, 0, Array.from({ length: 200 }, () => 10 + u()))];
    expect(warmupSuggestion([{ index: 0, label: 'base' }], results).suggestedWarmupSeconds).toBe(0);
  });

  it('takes the longest warm-up over the variants, each from its own replications', () => {
    const results = [record(0, 0, transient(1, 10)), record(1, 0, transient(2, 40))];
    const s = warmupSuggestion(
      [
        { index: 0, label: 'a' },
        { index: 1, label: 'b' },
      ],
      results,
    );
    expect(s.perVariant.map((p) => p.suggestedWarmupSeconds)).toEqual([20, 80]);
    expect(s.suggestedWarmupSeconds).toBe(80);
  });

  it('averages a bucket over the replications that have a value there', () => {
    const series = meanSeries([record(0, 0, [1, NaN, NaN, 4]), record(0, 1, [3, 5, NaN])]);
    expect(series).toEqual([2, 5, NaN, 4]);
  });

  it('is a warning when the configured warm-up is shorter, and nothing when it is long enough', () => {
    const results = [0, 1].map((r) => record(0, r, transient(r + 1)));
    const facts = resultFacts([{ index: 0, label: 'base', params: [] }], results, 10);
    expect(facts.mser5?.suggestedWarmupSeconds).toBe(60);
    expect(facts.warnings[0]).toBe(
      'MSER-5 suggests a warm-up of 60 s (variant base); simulation.warmup is 10 s: consider --set simulation.warmup=60s (the warm-up stays fixed so that common random numbers stay paired)',
    );
    expect(warmupWarning(facts.mser5, 60)).toBeUndefined();
    expect(warmupWarning(undefined, 0)).toBeUndefined();
  });
});
