/**
 * What autoscaling adds to a replication's result record (sim/result.ts):
 * per scope (`all`, then `workload:<name>`) the cost and replica metrics of
 * the contract, and per workload its replicas and Pending pods at each time
 * bucket's end. One zod schema gives the type autoscaling.ts fills and the
 * check `svcsim merge` applies when it reads the record back (in JSON, NaN
 * is written as null).
 */
import { z } from 'zod';

const LIMIT = 1e15;
const value = z.union([z.number().min(-LIMIT).max(LIMIT), z.null().transform(() => Number.NaN)]);
const series = z.array(value).max(1_000_000);

export const AutoscalingScopeSchema = z.object({
  scope: z.string().max(1000),
  /** ∫ pods on a node (starting, running or terminating) over the window, s. */
  podSeconds: value,
  /** ∫ nodes over the window, s (scope `all` only; NaN elsewhere). */
  nodeSeconds: value,
  /** Time-average over the window of the replicas (pods on a node, not terminating). */
  replicasMean: value,
  replicasMax: value,
  /** HPA rescales inside the window. */
  scaleEvents: value,
});
export type AutoscalingScope = z.infer<typeof AutoscalingScopeSchema>;

export const AutoscalingResultSchema = z.object({
  scopes: z.array(AutoscalingScopeSchema).max(100_000),
  /** Per workload (scenario order): its replicas and Pending pods at each time bucket's end. */
  series: z.array(z.object({ workload: z.string().max(1000), replicas: series, pending: series })).max(100_000),
});
export type AutoscalingResult = z.infer<typeof AutoscalingResultSchema>;
