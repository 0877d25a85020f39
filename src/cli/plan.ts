/**
 * `svcsim plan <scenario> --vary PATH=LO..HI --slo EXPR...`: the smallest
 * integer value of PATH in [LO, HI] for which every SLO holds with the given
 * confidence, e.g. the fewest replicas that keep p99 under 200 ms.
 *
 * An SLO `metric < x` (or `<=`) holds with confidence c when the one-sided
 * c-level upper bound of the metric's mean over replications (scope `all`),
 * mean + t(c, n−1)·s/√n, is below x; `>` and `>=` use the lower bound
 * mean − t(c, n−1)·s/√n. With fewer than two replications with a value there
 * is no bound and the SLO does not hold.
 *
 * The search assumes monotonicity: once the SLOs hold for a value they hold
 * for every larger one (more replicas, more concurrency). It tries HI first
 * (if the SLOs fail there, no value in range works), then bisects between a
 * failing and a holding value; so when it answers v > LO, both v (holds) and
 * v − 1 (fails) were simulated and are in the evidence. A candidate whose
 * replication overloads (simulation.maxInFlight) fails its SLOs. Every
 * candidate runs the scenario's replications (and sequential stopping, if
 * the scenario asks for it) on the same seeds: common random numbers, so
 * neighbouring values are compared on the same traffic.
 *
 * The SLOs are the `--slo` options (scope `all`), else the scenario's own
 * `slos:` (each in its scope); both are judged by runner/slos.ts, like
 * `run` judges them.
 *
 * When no value in range meets them, plan also tries LO and the middle, and
 * says for each failing SLO how its mean moves across the values tried and
 * whether the parameter moves it at all (paired difference HI − LO), with
 * the causes of failed requests: more replicas do not cure timeouts from
 * the detection delay after a crash. The results folder is written either
 * way: the answer's results, or HI's when there is none.
 *
 * `--node-down steady|transient` asks the question with one node down
 * (runner/planNodeDown.ts): `steady`, the busiest node (or `--node`) down
 * from t = 0 and the window after the control plane has converged; or
 * `transient`, a crash at `--crash-at` (default: the end of the warm-up) and
 * the SLOs judged over the window from the crash to convergence. The
 * terminal, the manifest's plan record (`question`) and each value's
 * evidence say which question and which node.
 *
 * Exit codes: 0 when the search ran, whether or not a value in range meets
 * the SLOs (the answer says which: "no value in range" is an answer, not a
 * failure of the run); 1 when a replication crashed; 2 bad input.
 */
import { availableParallelism } from 'node:os';
import { execute, type ExecuteResult } from '../runner/run.js';
import { sortResults } from '../runner/order.js';
import { judgeSlo, sloValues } from '../runner/slos.js';
import { METRIC_NAMES } from '../sim/result.js';
import type { ContractMetric } from '../scenario/metrics.js';
import { slosOf, type Slo as ScenarioSlo } from '../scenario/slos.js';
import { formatNumber } from '../stats/format.js';
import { pairedDiff } from '../stats/pairedDiff.js';
import { summarize } from '../stats/summarize.js';
import { buildManifest } from '../results/manifest.js';
import { parseDuration, RUN_LIMITS } from '../scenario/units.js';
import { describeNodeDown, NODE_DOWN_QUESTIONS, nodeDownSetup, podCount, type NodeDownQuestion, type NodeDownSetup } from '../runner/planNodeDown.js';
import { checkOutput, prepare, saveResults, startCharts, workersProblem, type Prepared } from './common.js';

export interface PlanOptions {
  vary: string;
  /** Given with --slo; none: the scenario's `slos:`. */
  slo?: string[];
  confidence?: string;
  replications?: number;
  workers?: number;
  seed?: number;
  set?: string[];
  out?: string;
  charts?: boolean;
  quiet?: boolean;
  /** `steady` or `transient`: plan with one node down (runner/planNodeDown.ts). */
  nodeDown?: string;
  /** With --node-down: the node that is down (default: the busiest). */
  node?: string;
  /** With --node-down transient: when the node crashes (a Duration from the start of the warm-up; default: the end of the warm-up). */
  crashAt?: string;
}

export interface Slo {
  text: string;
  metric: ContractMetric;
  op: '<' | '<=' | '>' | '>=';
  value: number;
  /** A scope of summary.csv; `all` when absent (`--slo` is always scope all). */
  scope?: string;
}

/** `latency_p99_ms<200` → an Slo, or the message saying what is wrong. */
export function parseSlo(text: string): Slo | string {
  const m = /^\s*([a-z0-9_]+)\s*(<=|>=|<|>)\s*(-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*$/i.exec(text);
  if (!m) return `--slo ${text}: expected METRIC<VALUE (or <=, >, >=), e.g. 'latency_p99_ms<200'`;
  const metric = METRIC_NAMES.find((x) => x === m[1]);
  if (!metric) return `--slo ${text}: unknown metric ${m[1]}; one of ${METRIC_NAMES.join(', ')}`;
  return { text: `${metric}${m[2]}${m[3]}`, metric, op: m[2] as Slo['op'], value: Number(m[3]) };
}

/** `workloads.web.replicas=2..40` → path and integer range, or the message saying what is wrong. */
export function parseVary(text: string): { path: string; lo: number; hi: number } | string {
  const m = /^([^=]+)=(-?\d+)\.\.(-?\d+)$/.exec(text.trim());
  if (!m) return `--vary ${text}: expected PATH=LO..HI with integers, e.g. workloads.web.replicas=2..40`;
  const [lo, hi] = [Number(m[2]), Number(m[3])];
  if (lo > hi) return `--vary ${text}: LO must not exceed HI`;
  return { path: m[1], lo, hi };
}

export interface SloEvidence {
  slo: string;
  /** A scope other than `all`. */
  scope?: string;
  n: number;
  mean: number | undefined;
  /** The one-sided bound at the confidence level: upper for < and <=, lower for > and >=. */
  bound: number | undefined;
  holds: boolean;
}

/** The scenario's form of an SLO (src/scenario/slos.ts), which the runner judges. */
const asScenarioSlo = (slo: Slo): ScenarioSlo => ({ text: slo.text, metric: slo.metric, op: slo.op, threshold: slo.value, scope: slo.scope ?? 'all' });

/** Whether each SLO holds with confidence c (runner/slos.ts), from the per-replication values of its metric in its scope, in replication order. */
export function judge(slos: readonly Slo[], results: ExecuteResult['results'], confidence: number): SloEvidence[] {
  const ordered = sortResults(results);
  return slos.map((slo) => {
    const j = judgeSlo(asScenarioSlo(slo), ordered, confidence);
    return { slo: slo.text, ...(j.scope === 'all' ? {} : { scope: j.scope }), n: j.n, mean: j.mean, bound: j.bound, holds: j.holds };
  });
}

interface Candidate {
  prepared: Prepared;
  outcome: ExecuteResult;
  evidence: SloEvidence[];
  holds: boolean;
  overloaded?: string;
  seconds: number;
  nodeDown?: NodeDownSetup;
}

const describe = (c: Candidate, confidence: number): string =>
  (c.nodeDown ? `node ${c.nodeDown.node} down (${podCount(c.nodeDown.pods)}): ` : '') +
  (c.overloaded !== undefined
    ? `overloaded (${c.overloaded})`
    : c.evidence.map((e) => `${e.scope ? `${e.scope} ` : ''}${e.slo}: mean ${formatNumber(e.mean) || '—'}, ${confidence * 100}% bound ${formatNumber(e.bound) || '—'} (n ${e.n})`).join('; '));

export async function planCommand(file: string, opts: PlanOptions): Promise<number> {
  const bad = (m: string) => {
    process.stderr.write(`svcsim plan: ${m}\n`);
    return 2;
  };
  const vary = parseVary(opts.vary);
  if (typeof vary === 'string') return bad(vary);
  const { path, lo, hi } = vary;
  const slos: Slo[] = [];
  for (const text of opts.slo ?? []) {
    const s = parseSlo(text);
    if (typeof s === 'string') return bad(s);
    slos.push(s);
  }
  if (slos.length === 0) {
    // Without --slo, the scenario's own `slos:` (spec/scenario.md).
    const scenario = prepare(file, opts.set, false);
    if (typeof scenario === 'number') return scenario;
    for (const x of slosOf(scenario.loaded.scenario))
      slos.push({ text: x.text, metric: x.metric, op: x.op, value: x.threshold, scope: x.scope });
  }
  if (slos.length === 0) return bad("no SLO: give at least one --slo, e.g. --slo 'latency_p99_ms<200', or add an slos: section to the scenario");
  const confidence = Number(opts.confidence ?? '0.95');
  if (!(confidence >= 0.5 && confidence < 1)) return bad(`--confidence ${opts.confidence}: a probability in [0.5, 1), e.g. 0.95`);
  if (opts.replications !== undefined && opts.replications < 2) return bad('--replications must be at least 2 (a confidence bound needs two)');
  if (opts.workers !== undefined && opts.workers < 0) return bad('--workers must be 0 (everything in this thread) or more');
  const tooManyWorkers = workersProblem(opts.workers);
  if (tooManyWorkers) return bad(tooManyWorkers);
  if (opts.replications !== undefined && opts.replications > RUN_LIMITS.replications) return bad(`--replications ${opts.replications}: at most ${RUN_LIMITS.replications}`);
  const workers = opts.workers ?? availableParallelism();
  let question: NodeDownQuestion | undefined;
  let crashAt: number | undefined;
  if (opts.nodeDown !== undefined) {
    question = NODE_DOWN_QUESTIONS.find((q) => q === opts.nodeDown);
    if (!question) return bad(`--node-down ${opts.nodeDown}: steady (a node down from the start, judged after the control plane has converged) or transient (judged over the window from a crash to convergence)`);
  } else if (opts.node !== undefined || opts.crashAt !== undefined) return bad(`${opts.node !== undefined ? '--node' : '--crash-at'} goes with --node-down steady|transient`);
  if (opts.crashAt !== undefined) {
    if (question !== 'transient') return bad('--crash-at goes with --node-down transient (in the steady state the node is down from t = 0)');
    try {
      crashAt = parseDuration(opts.crashAt);
    } catch (err) {
      return bad(`--crash-at ${opts.crashAt}: ${(err as Error).message}`);
    }
  }
  const unwritable = opts.out === undefined ? undefined : checkOutput(opts.out);
  if (unwritable) return bad(unwritable);
  // vega loads while the search runs (charts are drawn only with --out).
  if (opts.out !== undefined && opts.charts !== false) startCharts();

  const tried = new Map<number, Candidate>();
  const attempt = async (value: number): Promise<Candidate | number> => {
    const known = tried.get(value);
    if (known) return known;
    const sets = [...(opts.set ?? []), `${path}=${value}`];
    let prepared = prepare(file, sets, tried.size === 0);
    if (typeof prepared === 'number') return prepared;
    if (prepared.variants.length > 1) return bad('plan varies one parameter itself: remove the sweep from the scenario (or use svcsim run)');
    let nodeDown: NodeDownSetup | undefined;
    if (question) {
      // The node and the window follow from this value's resolved scenario (placement, control plane), then it runs with them.
      const setup = nodeDownSetup(prepared.loaded.scenario, question, { node: opts.node, crashAt });
      if (typeof setup === 'string') return bad(setup);
      nodeDown = setup;
      if (tried.size === 0 && setup.question === 'transient' && setup.crashAt === 0)
        process.stderr.write('svcsim: warning: the crash at t = 0 meets idle pods and empty queues (the scenario has no warm-up): give it a warm-up, or --crash-at a later time\n');
      prepared = prepare(file, [...sets, ...setup.sets], false);
      if (typeof prepared === 'number') return prepared;
    }
    const s = prepared.loaded.scenario.simulation;
    const seed = opts.seed ?? s.seed;
    const started = Date.now();
    const outcome = await execute({ variants: prepared.variants, rootSeed: seed, replications: opts.replications ?? s.replications, workers, workersAsked: opts.workers !== undefined, quiet: true });
    const seconds = (Date.now() - started) / 1000;
    const f = outcome.failure;
    if (f && !f.overload) {
      process.stderr.write(
        `svcsim plan: ${path}=${value}: replication ${f.replication} (seed ${f.seed}) failed: ${f.message}; rerun it alone with: svcsim run ${file} ${[...sets, ...(nodeDown?.sets ?? [])].map((x) => `--set '${x}'`).join(' ')} --variant base --replication ${f.replication}${opts.seed !== undefined ? ` --seed ${seed}` : ''}\n`,
      );
      return 1;
    }
    const evidence = judge(slos, outcome.results, confidence);
    const c: Candidate = { prepared, outcome, evidence, holds: !f && evidence.every((e) => e.holds), seconds, ...(f ? { overloaded: f.message } : {}), ...(nodeDown ? { nodeDown } : {}) };
    tried.set(value, c);
    if (!opts.quiet) process.stderr.write(`svcsim plan: ${path}=${value}: ${c.holds ? 'holds' : 'fails'} — ${describe(c, confidence)}\n`);
    return c;
  };

  let answer: number | null = null;
  const top = await attempt(hi);
  if (typeof top === 'number') return top;
  if (top.holds) {
    let failing = lo - 1; // below the range counts as failing
    let holding = hi;
    while (holding - failing > 1) {
      const mid = Math.floor((failing + holding) / 2);
      const c = await attempt(mid);
      if (typeof c === 'number') return c;
      if (c.holds) holding = mid;
      else failing = mid;
    }
    answer = holding;
  } else {
    // No answer: try the low end and the middle too, to say how each failing SLO moves with the parameter.
    for (const v of [lo, Math.floor((lo + hi) / 2)]) {
      const c = await attempt(v);
      if (typeof c === 'number') return c;
    }
  }

  const sorted = [...tried.entries()].sort((x, y) => x[0] - y[0]);
  const evidence = sorted.map(([value, c]) => ({
    value,
    holds: c.holds,
    detail: describe(c, confidence),
    slos: c.evidence.map((e) => ({ slo: e.slo, n: e.n, mean: e.mean ?? null, bound: e.bound ?? null, holds: e.holds })),
    ...(c.nodeDown ? { node: c.nodeDown.node } : {}),
  }));
  const explanation = answer === null ? explainNoAnswer(path, slos, sorted, confidence) : [];
  // The question is told with the candidate whose results the folder holds: the answer's, or HI's.
  const shownSetup = tried.get(answer ?? hi)!.nodeDown;
  const questionRecord = shownSetup && {
    kind: shownSetup.question,
    text: describeNodeDown(shownSetup),
    node: shownSetup.node,
    crashAt: shownSetup.crashAt,
    window: shownSetup.window,
    convergenceSeconds: shownSetup.convergence.seconds,
  };
  const plan = {
    path,
    range: [lo, hi] as [number, number],
    slos: slos.map((s) => s.text),
    confidence,
    value: answer,
    evidence,
    ...(answer === null ? { explanation } : {}),
    ...(questionRecord ? { question: questionRecord } : {}),
  };
  const lines = questionRecord ? [`svcsim plan: the question: ${questionRecord.text}`] : [];
  lines.push(`svcsim plan: ${slos.map((s) => s.text).join(' and ')} at ${confidence * 100}% confidence (one-sided bounds of the mean over replications); evidence:`);
  for (const e of evidence) lines.push(`  ${path}=${e.value}: ${e.holds ? 'holds' : 'fails'} — ${e.detail}`);
  lines.push(
    answer === null
      ? `no value of ${path} in [${lo}, ${hi}] meets every SLO (not even ${hi})${question ? QUESTION_SUFFIX[question] : ''}:`
      : `answer: ${path}=${answer}${answer > lo ? ` (${answer - 1} fails)` : ' (the lowest value of the range)'}` + (question ? QUESTION_SUFFIX[question] : ''),
  );
  for (const x of explanation) lines.push(`  ${x}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  if (opts.out) {
    // The answer's results, or with no answer those of HI (the best the range offers), so the report shows why.
    const shown = answer ?? hi;
    const chosen = tried.get(shown)!;
    const s = chosen.prepared.loaded.scenario.simulation;
    const manifest = {
      ...buildManifest(chosen.prepared, chosen.outcome, { seed: opts.seed ?? s.seed, replications: opts.replications ?? s.replications, workers, shard: null, wallTimeSeconds: chosen.seconds }),
      plan,
    };
    const notSaved = await saveResults('plan', opts.out, manifest, chosen.prepared.variants, chosen.outcome.results, opts.charts !== false, plan, slos.map(asScenarioSlo));
    if (typeof notSaved === 'number') return notSaved;
    process.stderr.write(
      answer === null ? `svcsim plan: no answer; the results of ${path}=${hi} (the end of the range) are in ${opts.out}/\n` : `svcsim plan: the results of ${path}=${answer} are in ${opts.out}/\n`,
    );
  }
  return 0;
}

/** What the answer line adds with --node-down, so an answer never travels without its question. */
const QUESTION_SUFFIX: Record<NodeDownQuestion, string> = {
  steady: ', for the steady state with one node down',
  transient: ', for the transient after a node crash',
};

/**
 * Why no value in range meets the SLOs: for each SLO that fails at HI, its
 * mean at every value tried, and whether the varied parameter moves it —
 * the paired difference between HI and the lowest value tried (same seeds:
 * common random numbers), at 95%. An SLO the parameter does not move cannot
 * be fixed by it; for failures, the causes of the failed requests at HI say
 * where to look instead (e.g. timeouts in the detection delay after a node
 * crash: retries and faster health checks help, more replicas do not).
 */
export function explainNoAnswer(path: string, slos: readonly Slo[], tried: readonly (readonly [number, Candidate])[], confidence: number): string[] {
  const out: string[] = [];
  const [loValue, low] = tried[0];
  const [hiValue, high] = tried[tried.length - 1];
  slos.forEach((slo, i) => {
    if (high.evidence[i].holds) return;
    const means = tried.map(([v, c]) => `${formatNumber(c.evidence[i].mean) || '—'} at ${v}`).join(', ');
    const scoped = asScenarioSlo(slo);
    let moves: string;
    if (tried.length < 2) moves = `only ${path}=${hiValue} was tried`;
    else {
      const d = pairedDiff(sloValues(scoped, sortResults(high.outcome.results)), sloValues(scoped, sortResults(low.outcome.results)), 0.95);
      const better = slo.op === '<' || slo.op === '<=' ? -1 : 1;
      if (d.ciLow === undefined || d.ciHigh === undefined) moves = `too few values to say whether ${path} moves it`;
      else if (d.ciLow <= 0 && d.ciHigh >= 0) moves = `${path} does not move it (from ${loValue} to ${hiValue}: change ${formatNumber(d.mean)}, 95% CI [${formatNumber(d.ciLow)}, ${formatNumber(d.ciHigh)}] includes 0): ${path} cannot fix it`;
      else if (Math.sign(d.mean ?? 0) === better) moves = `it improves as ${path} grows (by ${formatNumber(Math.abs(d.mean ?? 0))} from ${loValue} to ${hiValue}) but not enough within the range: a wider range may help, unless it levels off`;
      else moves = `it gets worse as ${path} grows (by ${formatNumber(Math.abs(d.mean ?? 0))} from ${loValue} to ${hiValue})`;
    }
    out.push(`${slo.text} fails (${confidence * 100}% bound ${formatNumber(high.evidence[i].bound) || '—'} at ${hiValue}); mean ${means}; ${moves}`);
  });
  // What the failed requests at HI died of (scope all), when any failed.
  const mean = (metric: (typeof METRIC_NAMES)[number]) => {
    const mi = METRIC_NAMES.indexOf(metric);
    return summarize(high.outcome.results.map((r) => r.scopes[0].metrics[mi] ?? undefined)).mean ?? 0;
  };
  const failed = mean('failed');
  if (failed > 0) {
    const causes = (['failed_timeout', 'failed_refused', 'failed_rejected'] as const).map((m) => [m, mean(m)] as const);
    const [worst, count] = [...causes].sort((a, b) => b[1] - a[1])[0];
    out.push(
      `at ${path}=${hiValue}, ${formatNumber(failed)} requests fail per replication (${causes.map(([m, x]) => `${m} ${formatNumber(x)}`).join(', ')})` +
        (worst === 'failed_timeout' && count > failed / 2
          ? ': mostly timeouts, typically the detection delay after a node or pod crash (requests sent to a dead endpoint until kube-proxy removes it): retries (traffic client.retries) and faster health checks (readinessProbe) help, more capacity does not'
          : worst === 'failed_rejected' && count > failed / 2
            ? ': mostly rejected by full pod queues (overload): more capacity or a longer queue helps'
            : ''),
    );
  }
  return out;
}
