/**
 * What one replication hands back: small, mergeable records (counters,
 * per-bucket series, one encoded latency histogram), never per-request data,
 * so that memory and transfer size do not grow with the requests simulated.
 *
 * Metric values are in the order of `METRIC_NAMES`; a value that is not
 * defined for this replication (n < 1, 0/0) is NaN and becomes an empty CSV
 * field.
 */
/**
 * The metric names of docs/outputs.md, in column order of replications.csv
 * (one list: scenario/metrics.ts); those that are exact integer counts
 * (written without toPrecision); the segments of an ok request's latency
 * (latency_breakdown.csv), in order.
 */
export { METRICS as METRIC_NAMES, COUNT_METRICS, SEGMENTS, type Metric as MetricName } from '../scenario/metrics.js';

// The record's types come from one zod schema (resultSchema.ts), so that
// what `svcsim merge` reads back is checked against exactly the shape the
// writer produced. The schema is apart so that a replication, in a worker
// thread, does not load zod and build it: only types come from there.
export type { ReplicationResult, ScopeResult } from './resultSchema.js';

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
