/**
 * What one replication hands back: small, mergeable records (counters,
 * per-bucket series, one encoded latency histogram), never per-request data,
 * so that memory and transfer size do not grow with the requests simulated.
 *
 * Metric values are in the order of `METRIC_NAMES`; a value that is not
 * defined for this replication (n < 1, 0/0) is NaN and becomes an empty CSV
 * field.
 */
import type { Metric as MetricName } from '../scenario/metrics.js';

/** The metric names of spec/cli-and-outputs.md, in column order of replications.csv (one list: scenario/metrics.ts). */
export { METRICS as METRIC_NAMES, type Metric as MetricName } from '../scenario/metrics.js';

/** Metrics that are exact integer counts (written without toPrecision). */
export const COUNT_METRICS: ReadonlySet<MetricName> = new Set<MetricName>([
  'requests',
  'ok',
  'failed',
  'unfinished',
  'failed_timeout',
  'failed_refused',
  'failed_rejected',
  'retries',
]);

export interface ScopeResult {
  /** `all`, then `traffic:<name>` for each traffic entry, in scenario order. */
  scope: string;
  /** One value per METRIC_NAMES entry; NaN where undefined. */
  metrics: number[];
}

export interface PodRow {
  pod: string;
  workload: string;
  node: string;
  zone: string;
  /** Attempts of counted requests that reached the pod (served or rejected). */
  requests: number;
  /** requests / attempts that reached pods of the same workload; NaN if none. */
  share: number;
  /** Busy slot-time inside the window / (concurrency × window). */
  utilization: number;
}

export interface NodeRow {
  node: string;
  zone: string;
  received: number;
  forwardedCrossNode: number;
  dropped: number;
}

/** Per time bucket of the measured window (bucket start = index × timeBucket from the window start). */
export interface TimeSeries {
  bucketSeconds: number;
  requests: number[];
  ok: number[];
  failed: number[];
  /** ok / bucket width (the last bucket may be shorter than timeBucket). */
  throughputRps: number[];
  /** NaN for a bucket with no ok request. */
  latencyP50Ms: number[];
  latencyP99Ms: number[];
  /** Failed requests by the cause of their last attempt (they add up to `failed`); `failedDependency` stays 0 until workloads call others. */
  failedTimeout: number[];
  failedRefused: number[];
  failedRejected: number[];
  failedDependency: number[];
  /** Requests of the bucket not ended by the drain limit. */
  unfinished: number[];
  /** Time-averages over the bucket: requests in flight, attempts waiting in pod queues (summed over pods). */
  inFlight: number[];
  queueLength: number[];
}

/**
 * The segments of an ok request's latency (latency_breakdown.csv), in
 * order; they add up to its end-to-end latency. `calls` (index 6) stays 0
 * until workloads call others: its slot is kept for call graphs.
 */
export const SEGMENTS = ['client_network', 'load_balancer', 'forwarding', 'handshake', 'queue_wait', 'service', 'calls', 'retries_backoff'] as const;

/** Mean milliseconds per counted ok request in each latency segment (sim/recorder.ts SEGMENTS), per scope; NaN without ok requests. */
export interface LatencyBreakdown {
  scope: string;
  meanMs: number[];
}

export interface ReplicationResult {
  variant: number;
  replication: number;
  /** The replication's seed as shown to users (see engine/random.ts replicationSeed). */
  seed: number;
  scopes: ScopeResult[];
  /** Latency of ok counted requests (all scopes), HDR histogram encoded (stats/histogram.ts). */
  latencyHistogram: string;
  pods: PodRow[];
  nodes: NodeRow[];
  timeseries: TimeSeries;
  /** Where ok requests' time went, per scope (latency_breakdown.csv). */
  latencyBreakdown: LatencyBreakdown[];
  /**
   * Mean latency (ms) of ok requests per timeBucket from t = 0 (warm-up
   * included), by the bucket in which their first attempt started: the
   * series the MSER-5 warm-up suggestion is computed from. NaN for empty buckets.
   */
  warmupSeries: number[];
  /** Requests generated over the whole run (warm-up and drain included). */
  simulatedRequests: number;
  /** Requests not generated because their in-cluster origin had no live node or pod. */
  suppressedRequests: number;
  /** Events the engine processed. */
  events: number;
  /** Largest number of requests in flight at once. */
  peakInFlight: number;
}

/** Thrown by a replication that exceeded simulation.maxInFlight (exit code 1, names the overloaded pods). */
export function overloadError(limit: number, now: number, requests: number, abandoned: number, queues: { name: string; waiting: number }[]): OverloadError {
  const worst = [...queues].sort((a, b) => b.waiting - a.waiting).filter((p) => p.waiting > 0).slice(0, 5);
  const held = abandoned > 0 ? ` (${requests} requests and ${abandoned} attempts their clients gave up on that pods still hold)` : '';
  return new OverloadError(
    `more than ${limit} requests in flight at t=${now.toFixed(3)} s${held} (simulation.maxInFlight): the pods cannot keep up; ` +
      `longest queues: ${worst.map((p) => `${p.name} (${p.waiting} waiting)`).join(', ') || 'none (requests are stuck in the network)'}`,
    worst.map((p) => p.name),
  );
}


export class OverloadError extends Error {
  constructor(
    message: string,
    readonly pods: string[],
  ) {
    super(message);
    this.name = 'OverloadError';
  }
}
