/**
 * The one order of replication records: (variant, replication). Everything
 * computed from many records (tables, sums, sequential stopping) walks them
 * in this order, so results depend neither on which worker finished first
 * nor on how the replications were split into shards.
 */
import type { ReplicationResult } from '../sim/result.js';

export function sortResults(results: readonly ReplicationResult[]): ReplicationResult[] {
  return [...results].sort((a, b) => a.variant - b.variant || a.replication - b.replication);
}
