/**
 * Which called Service costs the edge requests the most time (issue 15's
 * "critical path"), from the tables alone. For each `service:<name>` scope:
 *
 *   calls per edge request = requests of service:<name> / requests of all   (summary.csv)
 *   own time per call      = latency_mean_ms of service:<name>               (summary.csv)
 *                            − its `calls` segment                          (latency_breakdown.csv)
 *   time per edge request  = calls per edge request × own time per call
 *
 * Own time leaves out the time a Service waits on the Services it calls
 * itself, so nested calls are not counted twice (recommendation's wait on
 * productcatalog is productcatalog's). The sum runs over every call, so
 * where calls run in parallel they overlap: a Service's time per edge
 * request is an upper bound of what the edge would save if it took no time
 * at all, and its share of the edge's mean latency is an upper bound too.
 * The edge's mean latency and time in calls are the `all` scope's breakdown
 * (its total and its `calls` segment), so the numbers agree with the
 * breakdown table.
 */
import { segmentMeans } from './charts/breakdown.js';
import { num, type Row } from './readCsv.js';

export interface ServiceCost {
  variant: string;
  service: string;
  callsPerRequest: number;
  /** Mean latency of its calls as the callers see them (ms), and the part spent in its own calls. */
  latencyMs: number;
  ownCallsMs: number;
  /** (latencyMs − ownCallsMs) × callsPerRequest. */
  perRequestMs: number;
}

export interface CriticalPath {
  variant: string;
  top: ServiceCost;
  services: ServiceCost[];
  /** The `all` scope's breakdown: the sum of its segments (the mean edge latency) and its `calls` segment (ms). */
  edgeMs: number;
  edgeCallsMs: number;
}

const mean = (summary: readonly Row[], variant: string, scope: string, metric: string) => {
  const r = summary.find((x) => x.variant === variant && x.scope === scope && x.metric === metric);
  return r ? num(r, 'mean') : undefined;
};

/** Per variant (in the order given) with called Services and a breakdown: every Service's cost and the largest. */
export function criticalPaths(summary: readonly Row[], breakdown: readonly Row[], variants: readonly string[]): CriticalPath[] {
  const services = [...new Set(summary.map((r) => r.scope))].filter((s) => s.startsWith('service:'));
  if (services.length === 0) return [];
  const segs = segmentMeans(breakdown);
  const out: CriticalPath[] = [];
  for (const variant of variants) {
    const edge = segs.filter((s) => s.variant === variant && s.scope === 'all');
    const edgeRequests = mean(summary, variant, 'all', 'requests');
    if (edge.length === 0 || !edgeRequests) continue;
    const costs = services.flatMap((scope) => {
      const calls = mean(summary, variant, scope, 'requests');
      const latency = mean(summary, variant, scope, 'latency_mean_ms');
      if (calls === undefined || latency === undefined) return [];
      const ownCalls = segs.find((s) => s.variant === variant && s.scope === scope && s.segment === 'calls')?.mean_ms ?? 0;
      const callsPerRequest = calls / edgeRequests;
      return [{ variant, service: scope.slice('service:'.length), callsPerRequest, latencyMs: latency, ownCallsMs: ownCalls, perRequestMs: callsPerRequest * Math.max(0, latency - ownCalls) }];
    });
    if (costs.length === 0) continue;
    const top = costs.reduce((a, b) => (b.perRequestMs > a.perRequestMs ? b : a));
    out.push({ variant, top, services: costs, edgeMs: edge.reduce((t, s) => t + s.mean_ms, 0), edgeCallsMs: edge.find((s) => s.segment === 'calls')?.mean_ms ?? 0 });
  }
  return out;
}
