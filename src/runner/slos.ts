/**
 * Judging service-level objectives (spec/scenario.md "slos") from the
 * replications of one variant: the one place `run` (slos.csv, the terminal
 * summary) and `plan` (its search) decide whether an SLO holds.
 *
 * The metric's per-replication values in the SLO's scope (a scope of
 * summary.csv) give a mean and a one-sided Student-t bound at confidence c,
 * mean ± t(c, n−1)·s/√n:
 * - `met` when the bound on the safe side satisfies the SLO (the upper bound
 *   for `<`/`<=`, the lower bound for `>`/`>=`): with confidence c the true
 *   mean meets it;
 * - `not met` when the bound on the other side violates it: with
 *   confidence c the true mean does not;
 * - `undecided` otherwise — the interval between the two one-sided bounds
 *   straddles the threshold (more replications would decide) — and when
 *   fewer than two replications have a value (no bound: a metric the engine
 *   does not write yet, a scope the results do not have, a percentile with
 *   no successful request).
 * `holds` (what `plan` searches for) is `verdict === 'met'`.
 */
import { METRIC_NAMES, type ReplicationResult } from '../sim/result.js';
import { sloHolds, type Slo } from '../scenario/slos.js';
import { summarize } from '../stats/summarize.js';
import { tQuantile } from '../stats/studentT.js';

export type SloVerdict = 'met' | 'not met' | 'undecided';

export interface SloJudgement {
  /** The SLO as slos.csv writes it (`latency_p99_ms < 200`). */
  slo: string;
  scope: string;
  n: number;
  mean: number | undefined;
  /** Two-sided 95% interval, as in summary.csv. */
  ciLow: number | undefined;
  ciHigh: number | undefined;
  /** The one-sided bound at the confidence level: upper for < and <=, lower for > and >=. */
  bound: number | undefined;
  verdict: SloVerdict;
  holds: boolean;
}

/** The metric's values in the SLO's scope, one per replication (undefined where missing), in the order given. */
export function sloValues(slo: Pick<Slo, 'metric' | 'scope'>, results: readonly ReplicationResult[]): (number | undefined)[] {
  const mi = (METRIC_NAMES as readonly string[]).indexOf(slo.metric);
  if (mi < 0) return results.map(() => undefined);
  return results.map((r) => r.scopes.find((s) => s.scope === slo.scope)?.metrics[mi] ?? undefined);
}

/** Judges one SLO over one variant's replications (pass them in replication order: the sums then do not depend on worker order). */
export function judgeSlo(slo: Slo, results: readonly ReplicationResult[], confidence = 0.95): SloJudgement {
  const values = sloValues(slo, results);
  const two = summarize(values, 0.95);
  const base = { slo: slo.text, scope: slo.scope, n: two.n, mean: two.mean, ciLow: two.ciLow, ciHigh: two.ciHigh };
  if (two.mean === undefined || two.stddev === undefined) return { ...base, bound: undefined, verdict: 'undecided', holds: false };
  const half = (tQuantile(confidence, two.n - 1) * two.stddev) / Math.sqrt(two.n);
  const upper = slo.op === '<' || slo.op === '<=';
  const bound = upper ? two.mean + half : two.mean - half;
  const other = upper ? two.mean - half : two.mean + half;
  const verdict: SloVerdict = sloHolds(slo.op, bound, slo.threshold) ? 'met' : sloHolds(slo.op, other, slo.threshold) ? 'undecided' : 'not met';
  return { ...base, bound, verdict, holds: verdict === 'met' };
}
