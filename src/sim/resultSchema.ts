/**
 * The zod schema of a replication's result record (result.ts): the one
 * source of its types, and the check `svcsim merge` applies to what it
 * reads back from replications.jsonl (results/merge.ts). Apart from
 * result.ts so that the simulation, in every worker thread, does not load
 * zod and build it.
 */
import { z } from 'zod';
import { AutoscalingResultSchema } from '../controlplane/autoscalingResult.js';
import { COUNT_METRICS, METRICS, SEGMENTS } from '../scenario/metrics.js';

// In JSON, NaN is written as null. No value a simulation produces comes near ±1e15, and no list near a
// million items: the bounds keep a corrupted or hand-made file from
// overflowing sums or exhausting memory.
const LIMIT = 1e15;
/** A number; null (NaN in JSON) reads back as NaN. */
const value = z.union([z.number().min(-LIMIT).max(LIMIT), z.null().transform(() => Number.NaN)]);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const series = z.array(value).max(1_000_000);
const name = z.string().max(1000);

const COUNT_INDICES = METRICS.flatMap((m, i) => (COUNT_METRICS.has(m) ? [i] : []));

export const ScopeResultSchema = z.object({
  /** `all`, then `traffic:<name>` for each traffic entry, in scenario order. */
  scope: name,
  /** One value per METRIC_NAMES entry; NaN where undefined; the counts (COUNT_METRICS) are whole numbers. */
  metrics: z
    .array(value)
    .length(METRICS.length)
    .superRefine((metrics, ctx) => {
      for (const i of COUNT_INDICES)
        if (!(Number.isInteger(metrics[i]) && metrics[i] >= 0)) ctx.addIssue({ code: 'custom', path: [i], message: `${METRICS[i]} is a count: a whole number ≥ 0, got ${metrics[i]}` });
    }),
});
export type ScopeResult = z.infer<typeof ScopeResultSchema>;

export const PodRowSchema = z.object({
  pod: name,
  workload: name,
  node: name,
  zone: name,
  /** Attempts of counted requests that reached the pod (served or rejected). */
  requests: count,
  /** requests / attempts that reached pods of the same workload; NaN if none. */
  share: value,
  /** Busy slot-time inside the window / (concurrency × window). */
  utilization: value,
});

export const NodeRowSchema = z.object({
  node: name,
  zone: name,
  received: count,
  forwardedCrossNode: count,
  dropped: count,
});

/** Per time bucket of the measured window (bucket start = index × timeBucket from the window start). */
export const TimeSeriesSchema = z.object({
  bucketSeconds: z.number().positive().max(LIMIT),
  requests: series,
  ok: series,
  failed: series,
  /** ok / bucket width (the last bucket may be shorter than timeBucket). */
  throughputRps: series,
  /** NaN for a bucket with no ok request. */
  latencyP50Ms: series,
  latencyP99Ms: series,
  /** Failed requests by the cause of their last attempt (they add up to `failed`); `failedDependency` stays 0 until workloads call others. */
  failedTimeout: series,
  failedRefused: series,
  failedRejected: series,
  failedDependency: series,
  /** Requests of the bucket not ended by the drain limit. */
  unfinished: series,
  /** Time-averages over the bucket: requests in flight, attempts waiting in pod queues (summed over pods). */
  inFlight: series,
  queueLength: series,
});

/** Mean milliseconds per counted ok request in each latency segment (SEGMENTS), per scope; NaN without ok requests. */
export const LatencyBreakdownSchema = z.object({
  scope: name,
  meanMs: z.array(value).length(SEGMENTS.length),
});

export const ReplicationResultSchema = z.object({
  variant: z.number().int().min(0).max(999_999),
  replication: z.number().int().min(0).max(999_999),
  /** The replication's seed as shown to users (see engine/random.ts replicationSeed). */
  seed: count,
  scopes: z.array(ScopeResultSchema).min(1).max(100_000),
  /** Latency of ok counted requests (all scopes), HDR histogram encoded (stats/histogram.ts). */
  latencyHistogram: z.string().max(10_000_000),
  pods: z.array(PodRowSchema).max(1_000_000),
  nodes: z.array(NodeRowSchema).max(1_000_000),
  timeseries: TimeSeriesSchema,
  /** Where ok requests' time went, per scope (latency_breakdown.csv). */
  latencyBreakdown: z.array(LatencyBreakdownSchema).max(100_000),
  /**
   * Mean latency (ms) of ok requests per timeBucket from t = 0 (warm-up
   * included), by the bucket in which their first attempt started: the
   * series the MSER-5 warm-up suggestion is computed from. NaN for empty buckets.
   */
  warmupSeries: series,
  /** Requests generated over the whole run (warm-up and drain included). */
  simulatedRequests: count,
  /** Requests not generated because their in-cluster origin had no live node or pod. */
  suppressedRequests: count,
  /** Events the engine processed. */
  events: count,
  /** Largest number of requests in flight at once. */
  peakInFlight: count,
  /** Only when a workload has `autoscaling`. */
  autoscaling: AutoscalingResultSchema.optional(),
});
export type ReplicationResult = z.infer<typeof ReplicationResultSchema>;
