/**
 * A minimal results folder's parts for tests of the writer: `record(r)`, a
 * replication whose every metric is r, with empty series; `manifest(complete)`,
 * a manifest of one variant of two replications; `variants`, that variant.
 */
import type { Manifest } from '../../src/results/manifest.js';
import { METRIC_NAMES, type ReplicationResult } from '../../src/sim/result.js';
import { LatencyHistogram } from '../../src/stats/histogram.js';

export function record(replication: number): ReplicationResult {
  return {
    variant: 0,
    replication,
    seed: replication,
    scopes: [{ scope: 'all', metrics: METRIC_NAMES.map(() => replication) }],
    latencyHistogram: new LatencyHistogram().encode(),
    pods: [],
    nodes: [],
    timeseries: { bucketSeconds: 1, requests: [], ok: [], failed: [], throughputRps: [], latencyP50Ms: [], latencyP99Ms: [], failedTimeout: [], failedRefused: [], failedRejected: [], failedDependency: [], unfinished: [], inFlight: [], queueLength: [] },
    latencyBreakdown: [],
    warmupSeries: [],
    simulatedRequests: 10,
    suppressedRequests: 0,
    events: 0,
    peakInFlight: 0,
  };
}

export const manifest = (complete: boolean): Manifest => ({
  svcsim: '0.1.0',
  scenarioFile: 'test.yaml',
  scenarioSha256: '0'.repeat(64),
  resolvedScenario: {} as Manifest['resolvedScenario'],
  variants: [{ index: 0, label: 'base', params: [], replications: 2 }],
  seed: 1,
  replicationsPerVariant: 2,
  workers: 1,
  shard: null,
  nodeVersion: process.version,
  wallTimeSeconds: 0,
  simulatedRequests: 20,
  suppressedRequests: 0,
  complete,
  warnings: [],
});

export const variants = [{ index: 0, label: 'base', params: [] }];
