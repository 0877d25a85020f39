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
 * Exit codes: 0 when the search ran, whether or not a value in range meets
 * the SLOs (the answer says which: "no value in range" is an answer, not a
 * failure of the run); 1 when a replication crashed; 2 bad input.
 */
import { availableParallelism } from 'node:os';
import { execute, type ExecuteResult } from '../runner/run.js';
import { METRIC_NAMES, type MetricName } from '../sim/result.js';
import { formatNumber } from '../stats/format.js';
import { summarize } from '../stats/summarize.js';
import { tQuantile } from '../stats/studentT.js';
import { buildManifest } from '../results/manifest.js';
import { RUN_LIMITS } from '../scenario/units.js';
import { checkOutput, prepare, saveResults, workersProblem, type Prepared } from './common.js';

export interface PlanOptions {
  vary: string;
  slo: string[];
  confidence?: string;
  replications?: number;
  workers?: number;
  seed?: number;
  set?: string[];
  out?: string;
  charts?: boolean;
  quiet?: boolean;
}

export interface Slo {
  text: string;
  metric: MetricName;
  op: '<' | '<=' | '>' | '>=';
  value: number;
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
  n: number;
  mean: number | undefined;
  /** The one-sided bound at the confidence level: upper for < and <=, lower for > and >=. */
  bound: number | undefined;
  holds: boolean;
}

/** Whether each SLO holds with confidence c, from the per-replication values of its metric (scope all), in replication order. */
export function judge(slos: readonly Slo[], results: ExecuteResult['results'], confidence: number): SloEvidence[] {
  return slos.map((slo) => {
    const mi = METRIC_NAMES.indexOf(slo.metric);
    const s = summarize(results.map((r) => r.scopes[0].metrics[mi]));
    if (s.mean === undefined || s.stddev === undefined) return { slo: slo.text, n: s.n, mean: s.mean, bound: undefined, holds: false };
    const half = (tQuantile(confidence, s.n - 1) * s.stddev) / Math.sqrt(s.n);
    const upper = slo.op === '<' || slo.op === '<=';
    const bound = upper ? s.mean + half : s.mean - half;
    const holds = slo.op === '<' ? bound < slo.value : slo.op === '<=' ? bound <= slo.value : slo.op === '>' ? bound > slo.value : bound >= slo.value;
    return { slo: slo.text, n: s.n, mean: s.mean, bound, holds };
  });
}

interface Candidate {
  prepared: Prepared;
  outcome: ExecuteResult;
  evidence: SloEvidence[];
  holds: boolean;
  overloaded?: string;
  seconds: number;
}

const describe = (c: Candidate, confidence: number): string =>
  c.overloaded !== undefined
    ? `overloaded (${c.overloaded})`
    : c.evidence.map((e) => `${e.slo}: mean ${formatNumber(e.mean) || '—'}, ${confidence * 100}% bound ${formatNumber(e.bound) || '—'} (n ${e.n})`).join('; ');

export async function planCommand(file: string, opts: PlanOptions): Promise<number> {
  const bad = (m: string) => {
    process.stderr.write(`svcsim plan: ${m}\n`);
    return 2;
  };
  const vary = parseVary(opts.vary);
  if (typeof vary === 'string') return bad(vary);
  const { path, lo, hi } = vary;
  const slos: Slo[] = [];
  for (const text of opts.slo) {
    const s = parseSlo(text);
    if (typeof s === 'string') return bad(s);
    slos.push(s);
  }
  if (slos.length === 0) return bad("at least one --slo, e.g. --slo 'latency_p99_ms<200'");
  const confidence = Number(opts.confidence ?? '0.95');
  if (!(confidence >= 0.5 && confidence < 1)) return bad(`--confidence ${opts.confidence}: a probability in [0.5, 1), e.g. 0.95`);
  if (opts.replications !== undefined && opts.replications < 2) return bad('--replications must be at least 2 (a confidence bound needs two)');
  if (opts.workers !== undefined && opts.workers < 1) return bad('--workers must be at least 1');
  const tooManyWorkers = workersProblem(opts.workers);
  if (tooManyWorkers) return bad(tooManyWorkers);
  if (opts.replications !== undefined && opts.replications > RUN_LIMITS.replications) return bad(`--replications ${opts.replications}: at most ${RUN_LIMITS.replications}`);
  const workers = opts.workers ?? availableParallelism();
  const unwritable = opts.out === undefined ? undefined : checkOutput(opts.out);
  if (unwritable) return bad(unwritable);

  const tried = new Map<number, Candidate>();
  const attempt = async (value: number): Promise<Candidate | number> => {
    const known = tried.get(value);
    if (known) return known;
    const prepared = prepare(file, [...(opts.set ?? []), `${path}=${value}`], tried.size === 0);
    if (typeof prepared === 'number') return prepared;
    if (prepared.variants.length > 1) return bad('plan varies one parameter itself: remove the sweep from the scenario (or use svcsim run)');
    const s = prepared.loaded.scenario.simulation;
    const seed = opts.seed ?? s.seed;
    const started = Date.now();
    const outcome = await execute({ variants: prepared.variants, rootSeed: seed, replications: opts.replications ?? s.replications, workers, quiet: true });
    const seconds = (Date.now() - started) / 1000;
    const f = outcome.failure;
    if (f && !f.overload) {
      process.stderr.write(
        `svcsim plan: ${path}=${value}: replication ${f.replication} (seed ${f.seed}) failed: ${f.message}; rerun it alone with: svcsim run ${file} --set ${path}=${value} --variant base --replication ${f.replication}${opts.seed !== undefined ? ` --seed ${seed}` : ''}\n`,
      );
      return 1;
    }
    const evidence = judge(slos, outcome.results, confidence);
    const c: Candidate = { prepared, outcome, evidence, holds: !f && evidence.every((e) => e.holds), seconds, ...(f ? { overloaded: f.message } : {}) };
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
  }

  const evidence = [...tried.entries()].sort((x, y) => x[0] - y[0]).map(([value, c]) => ({ value, holds: c.holds, detail: describe(c, confidence) }));
  const plan = { path, range: [lo, hi] as [number, number], slos: slos.map((s) => s.text), confidence, value: answer, evidence };
  const lines = [`svcsim plan: ${slos.map((s) => s.text).join(' and ')} at ${confidence * 100}% confidence (one-sided bounds of the mean over replications); evidence:`];
  for (const e of evidence) lines.push(`  ${path}=${e.value}: ${e.holds ? 'holds' : 'fails'} — ${e.detail}`);
  lines.push(
    answer === null
      ? `no value of ${path} in [${lo}, ${hi}] meets every SLO (not even ${hi})`
      : `answer: ${path}=${answer}${answer > lo ? ` (${answer - 1} fails)` : ' (the lowest value of the range)'}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);

  if (opts.out) {
    if (answer === null) process.stderr.write(`svcsim plan: no answer, so no results folder written to ${opts.out}\n`);
    else {
      const chosen = tried.get(answer)!;
      const s = chosen.prepared.loaded.scenario.simulation;
      const manifest = {
        ...buildManifest(chosen.prepared, chosen.outcome, { seed: opts.seed ?? s.seed, replications: opts.replications ?? s.replications, workers, shard: null, wallTimeSeconds: chosen.seconds }),
        plan,
      };
      const notSaved = await saveResults('plan', opts.out, manifest, chosen.prepared.variants, chosen.outcome.results, opts.charts !== false, plan);
      if (typeof notSaved === 'number') return notSaved;
      process.stderr.write(`svcsim plan: the results of ${path}=${answer} are in ${opts.out}/\n`);
    }
  }
  return 0;
}
