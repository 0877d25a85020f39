/**
 * `svcsim plan <scenario> --vary PATH=LO..HI --slo EXPR...`: the smallest
 * integer value of PATH in [LO, HI] for which every SLO holds with the given
 * confidence, e.g. the fewest replicas that keep p99 under 200 ms.
 *
 * An SLO `metric < x` holds with confidence c when the one-sided c-level
 * upper bound of the metric's mean over replications, mean + t(c, n−1)·s/√n,
 * is below x (`>`: the lower bound above x). The search assumes the SLOs get
 * easier as the value grows (more replicas, more concurrency) and bisects;
 * every candidate runs on the same random streams (common random numbers).
 * It prints the evidence for every value tried. Exit code 0 whether or not a
 * value was found (the answer says which), 1 if a replication crashed, 2 for
 * bad input.
 */
import { availableParallelism } from 'node:os';
import { replicationSeed } from '../engine/random.js';
import { writeResultsFolder } from '../results/folder.js';
import { execute, type ExecuteResult } from '../runner/run.js';
import { METRIC_NAMES } from '../sim/result.js';
import { formatNumber } from '../stats/format.js';
import { summarize } from '../stats/summarize.js';
import { tQuantile } from '../stats/studentT.js';
import { buildManifest, drawReport, prepare, type Prepared } from './run.js';

export interface PlanOptions {
  vary: string;
  slo: string[];
  confidence?: string;
  replications?: number;
  workers?: number;
  seed?: number;
  set?: string[];
  out?: string;
  quiet?: boolean;
}

export interface Slo {
  text: string;
  metric: string;
  op: '<' | '<=' | '>' | '>=';
  value: number;
}

export function parseSlo(text: string): Slo | string {
  const m = /^\s*([a-z0-9_]+)\s*(<=|>=|<|>)\s*(-?[\d.]+(?:e[-+]?\d+)?)\s*$/i.exec(text);
  if (!m) return `--slo ${text}: expected METRIC<VALUE (or <=, >, >=), e.g. 'latency_p99_ms<200'`;
  if (!(METRIC_NAMES as readonly string[]).includes(m[1])) return `--slo ${text}: unknown metric ${m[1]}; one of ${METRIC_NAMES.join(', ')}`;
  return { text: text.trim(), metric: m[1], op: m[2] as Slo['op'], value: Number(m[3]) };
}

export interface SloEvidence {
  slo: string;
  mean: number | undefined;
  bound: number | undefined;
  holds: boolean;
}

/** Whether each SLO holds with confidence c, from the per-replication values of its metric (scope all). */
export function judge(slos: Slo[], results: ExecuteResult['results'], confidence: number): SloEvidence[] {
  return slos.map((slo) => {
    const mi = METRIC_NAMES.indexOf(slo.metric as never);
    const s = summarize(results.map((r) => r.scopes[0].metrics[mi]));
    if (s.mean === undefined || s.stddev === undefined) return { slo: slo.text, mean: s.mean, bound: undefined, holds: false };
    const half = (tQuantile(confidence, s.n - 1) * s.stddev) / Math.sqrt(s.n);
    const upper = slo.op === '<' || slo.op === '<=';
    const bound = upper ? s.mean + half : s.mean - half;
    const holds = slo.op === '<' ? bound < slo.value : slo.op === '<=' ? bound <= slo.value : slo.op === '>' ? bound > slo.value : bound >= slo.value;
    return { slo: slo.text, mean: s.mean, bound, holds };
  });
}

export async function planCommand(file: string, opts: PlanOptions): Promise<number> {
  const bad = (m: string) => {
    process.stderr.write(`svcsim plan: ${m}\n`);
    return 2;
  };
  const vary = /^([^=]+)=(-?\d+)\.\.(-?\d+)$/.exec(opts.vary);
  if (!vary) return bad(`--vary ${opts.vary}: expected PATH=LO..HI with integers, e.g. workloads.web.replicas=2..40`);
  const [path, lo, hi] = [vary[1], Number(vary[2]), Number(vary[3])];
  if (lo > hi) return bad(`--vary ${opts.vary}: LO must not exceed HI`);
  const slos: Slo[] = [];
  for (const text of opts.slo) {
    const s = parseSlo(text);
    if (typeof s === 'string') return bad(s);
    slos.push(s);
  }
  const confidence = Number(opts.confidence ?? '0.95');
  if (!(confidence > 0.5 && confidence < 1)) return bad(`--confidence ${opts.confidence}: a probability between 0.5 and 1, e.g. 0.95`);
  const workers = Math.max(1, opts.workers ?? availableParallelism());

  const tried = new Map<number, { prepared: Prepared; outcome: ExecuteResult; evidence: SloEvidence[]; holds: boolean }>();
  const attempt = async (value: number): Promise<{ holds: boolean } | number> => {
    const known = tried.get(value);
    if (known) return known;
    const prepared = prepare(file, [...(opts.set ?? []), `${path}=${value}`]);
    if (typeof prepared === 'number') return prepared;
    if (prepared.variants.length > 1) return bad('plan searches one parameter: remove the sweep from the scenario (or use run)');
    const s = prepared.loaded.scenario.simulation;
    const seed = opts.seed ?? s.seed;
    const outcome = await execute({ variants: prepared.variants, rootSeed: seed, replications: opts.replications ?? s.replications, workers, quiet: true }, (r) => replicationSeed(seed, r));
    if (outcome.failure) {
      process.stderr.write(`svcsim plan: ${path}=${value}: replication ${outcome.failure.replication} (seed ${outcome.failure.seed}) failed: ${outcome.failure.message}\n`);
      return 1;
    }
    const evidence = judge(slos, outcome.results, confidence);
    const entry = { prepared, outcome, evidence, holds: evidence.every((e) => e.holds) };
    tried.set(value, entry);
    if (!opts.quiet)
      process.stderr.write(
        `svcsim plan: ${path}=${value}: ${entry.holds ? 'holds' : 'fails'} (${evidence.map((e) => `${e.slo}: mean ${formatNumber(e.mean) || '—'}, ${confidence * 100}% bound ${formatNumber(e.bound) || '—'}`).join('; ')})\n`,
      );
    return entry;
  };

  let answer: number | null = null;
  const top = await attempt(hi);
  if (typeof top === 'number') return top;
  if (top.holds) {
    let a = lo - 1; // fails (or below the range)
    let b = hi; // holds
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      const r = await attempt(mid);
      if (typeof r === 'number') return r;
      if (r.holds) b = mid;
      else a = mid;
    }
    answer = b;
  }

  const evidence = [...tried.entries()].sort((x, y) => x[0] - y[0]).map(([value, e]) => ({ value, holds: e.holds, detail: e.evidence.map((x) => `${x.slo}: mean ${formatNumber(x.mean)}, bound ${formatNumber(x.bound)}`).join('; ') }));
  const plan = { path, range: [lo, hi], slos: slos.map((s) => s.text), confidence, value: answer, evidence };
  const lines = [`svcsim plan: evidence (${confidence * 100}% one-sided bounds over replications):`];
  for (const e of evidence) lines.push(`  ${path}=${e.value}: ${e.holds ? 'holds' : 'fails'} — ${e.detail}`);
  lines.push(answer === null ? `svcsim plan: no value of ${path} in [${lo}, ${hi}] meets ${slos.map((s) => s.text).join(' and ')}` : `svcsim plan: answer: ${path}=${answer}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  if (opts.out && answer !== null) {
    const chosen = tried.get(answer)!;
    const s = chosen.prepared.loaded.scenario.simulation;
    const manifest = { ...buildManifest(chosen.prepared, chosen.outcome, { seed: opts.seed ?? s.seed, replications: opts.replications ?? s.replications, workers, shard: null, wallTimeSeconds: 0 }), plan };
    await writeResultsFolder(opts.out, manifest, chosen.prepared.variants, chosen.outcome.results, (tmp) => drawReport(tmp, plan));
    process.stderr.write(`svcsim plan: results of ${path}=${answer} in ${opts.out}/\n`);
  }
  return 0;
}
