/**
 * The metric names of docs/outputs.md, in the column order of
 * `replications.csv`. A scenario names one in `simulation.precision.metric`;
 * `plan --slo` and the result tables use the same names.
 */
export const METRICS = [
  'requests',
  'ok',
  'failed',
  'unfinished',
  'success_ratio',
  'throughput_rps',
  'latency_mean_ms',
  'latency_p50_ms',
  'latency_p90_ms',
  'latency_p99_ms',
  'latency_p999_ms',
  'latency_max_ms',
  'failed_timeout',
  'failed_refused',
  'failed_rejected',
  'retries',
  'cross_node_ratio',
  'cross_zone_ratio',
  'pod_utilization_mean',
  'pod_utilization_max',
] as const;

export type Metric = (typeof METRICS)[number];
