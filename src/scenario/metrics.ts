/**
 * The metric names of docs/outputs.md.
 *
 * `METRICS` are the ones the result tables write today, in the column order
 * of `replications.csv`; a scenario names one in `simulation.precision.metric`
 * and `plan --slo` takes them (`failed_dependency` and `calls` are 0 without
 * call graphs). `CONTRACT_METRICS` are every name of the contract's Metrics
 * table: these, then the autoscaling ones, which summary.csv has only for a
 * scenario whose workloads autoscale; an SLO in the scenario (`slos:`) may
 * name any of them.
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
  'failed_dependency',
  'calls',
  'retries',
  'cross_node_ratio',
  'cross_zone_ratio',
  'pod_utilization_mean',
  'pod_utilization_max',
] as const;

export type Metric = (typeof METRICS)[number];

/** Every metric name of the contract: those of METRICS, then those of call graphs and autoscaling. */
export const CONTRACT_METRICS = [...METRICS, 'pod_seconds', 'node_seconds', 'replicas_mean', 'replicas_max', 'scale_events'] as const;

export type ContractMetric = (typeof CONTRACT_METRICS)[number];

export function isContractMetric(name: string): name is ContractMetric {
  return (CONTRACT_METRICS as readonly string[]).includes(name);
}

/** Metrics that are exact integer counts (written without toPrecision). */
export const COUNT_METRICS: ReadonlySet<Metric> = new Set<Metric>([
  'requests',
  'ok',
  'failed',
  'unfinished',
  'failed_timeout',
  'failed_refused',
  'failed_rejected',
  'failed_dependency',
  'retries',
  'calls',
]);

/**
 * The segments of an ok request's latency (latency_breakdown.csv), in
 * order; they add up to its end-to-end latency. `calls` (index 6) is the
 * time a pod waited for its calls to other Services after its own work.
 */
export const SEGMENTS = ['client_network', 'load_balancer', 'forwarding', 'handshake', 'queue_wait', 'service', 'calls', 'retries_backoff'] as const;
