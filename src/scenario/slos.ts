/**
 * Service-level objectives (`slos:` in a scenario, spec/scenario.md "slos"):
 * `METRIC (<|<=|>|>=) NUMBER` over a metric of `summary.csv`, in one scope of
 * it (`all`, `traffic:<name>`, `service:<name>`, `workload:<name>`). Every
 * run judges each SLO per variant at 95% one-sided confidence.
 *
 * The scenario keeps each SLO as written (`{expr, scope}`, so `validate
 * --resolved` prints it back); `slosOf` gives the parsed form the runner
 * judges. The schema has already checked the syntax and the metric name,
 * and the rules that each scope names something of the scenario, so parsing
 * a loaded scenario's SLOs cannot fail.
 */
import { CONTRACT_METRICS, isContractMetric, type ContractMetric } from './metrics.js';
import { closest } from './paths.js';

export const SLO_OPS = ['<', '<=', '>', '>='] as const;
export type SloOp = (typeof SLO_OPS)[number];

/** The kinds of scope of `summary.csv`: `all`, then one per traffic entry, called Service and workload. */
export const SLO_SCOPE_KINDS = ['traffic', 'service', 'workload'] as const;
export type SloScopeKind = (typeof SLO_SCOPE_KINDS)[number];

/** One objective, parsed. */
export interface Slo {
  /** `latency_p99_ms < 200`: metric, operator and the number as written, one space apart (the `slo` column of slos.csv). */
  text: string;
  metric: ContractMetric;
  op: SloOp;
  threshold: number;
  /** `all`, `traffic:<name>`, `service:<name>` or `workload:<name>`. */
  scope: string;
}

const EXPR = /^\s*([A-Za-z0-9_]+)\s*(<=|>=|<|>)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;
const SCOPE = /^(?:all|(traffic|service|workload):(.+))$/;

export const SLO_HELP = 'METRIC (<|<=|>|>=) NUMBER, e.g. latency_p99_ms < 200 or success_ratio >= 0.999';

/** `latency_p99_ms < 200` parsed, or the message saying what is wrong. */
export function parseSloExpr(expr: string): Omit<Slo, 'scope'> | string {
  const m = EXPR.exec(expr);
  if (!m) return `must be ${SLO_HELP}`;
  const [, metric, op, number] = m;
  if (!isContractMetric(metric)) {
    const hint = closest(metric, CONTRACT_METRICS);
    return `unknown metric ${metric}${hint ? ` (did you mean ${hint}?)` : ''}; an SLO names a metric of summary.csv: ${CONTRACT_METRICS.join(', ')}`;
  }
  return { text: `${metric} ${op} ${number}`, metric, op: op as SloOp, threshold: Number(number) };
}

/** `service:cart` → `{kind: 'service', name: 'cart'}`; `all` → `{kind: 'all'}`; `undefined` when it is neither. */
export function parseSloScope(scope: string): { kind: 'all' } | { kind: SloScopeKind; name: string } | undefined {
  const m = SCOPE.exec(scope);
  if (!m) return undefined;
  return m[1] === undefined ? { kind: 'all' } : { kind: m[1] as SloScopeKind, name: m[2] };
}

export const SLO_SCOPE_HELP = 'all, traffic:<name>, service:<name> or workload:<name> (a scope of summary.csv)';

/** The parsed SLOs of a loaded scenario, in order. */
export function slosOf(s: { slos: readonly { expr: string; scope: string }[] }): Slo[] {
  return s.slos.map(({ expr, scope }) => {
    const parsed = parseSloExpr(expr);
    // The schema rejected every expression this could not parse.
    if (typeof parsed === 'string') throw new Error(`SLO ${JSON.stringify(expr)} passed validation but does not parse: ${parsed}`);
    return { ...parsed, scope };
  });
}

/** Does the one-sided bound satisfy the objective? (`bound` is the upper bound for < and <=, the lower for > and >=.) */
export function sloHolds(op: SloOp, bound: number, threshold: number): boolean {
  switch (op) {
    case '<':
      return bound < threshold;
    case '<=':
      return bound <= threshold;
    case '>':
      return bound > threshold;
    default:
      return bound >= threshold;
  }
}
