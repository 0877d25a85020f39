/**
 * `svcsim run <scenario>`: simulates every variant × replication and writes
 * the results folder (docs/outputs.md).
 *
 * Exit codes: 0 success; 1 a replication crashed (the message names its
 * variant, replication and seed, and how to rerun it alone) or the run was
 * interrupted by Ctrl-C (SIGINT) — in both cases the replications that
 * finished are written, marked `"complete": false`; 2 bad input. Ctrl-C
 * exits 1 rather than the shell's 130 because the contract's codes are
 * 0, 1 and 2 and an interrupted run is a run that did not complete; a second
 * Ctrl-C kills the process at once (the results folder is then left as it
 * was: it is only ever replaced whole).
 *
 * `--explain-scaling` prints, on stdout, each HorizontalPodAutoscaler sync
 * (time on the scenario clock, metric values, proposal, stabilised and
 * rate-limited result, replicas before and after) and each cluster-autoscaler
 * scan that did or saw something, for replication 0 of each variant (or the
 * one replication `--variant/--replication` reruns). The replications run on
 * workers that return only their result records, so that replication is
 * simulated once more in this thread to record them: same scenario and seed,
 * so the same decisions.
 */
import { availableParallelism } from 'node:os';
import type { Variant } from '../scenario/sweep.js';
import { buildManifest } from '../results/manifest.js';
import { parseShard, type Job, type Shard } from '../runner/plan.js';
import { execute, type ExecuteResult } from '../runner/run.js';
import { sortResults } from '../runner/order.js';
import { judgeSlo } from '../runner/slos.js';
import { slosOf, type Slo } from '../scenario/slos.js';
import { METRIC_NAMES } from '../sim/result.js';
import { formatNumber } from '../stats/format.js';
import { summarize } from '../stats/summarize.js';
import { RUN_LIMITS } from '../scenario/units.js';
import { resolved } from '../scenario/resolved.js';
import { Simulation } from '../sim/simulation.js';
import { checkOutput, prepare, saveResults, startCharts, warn, workersProblem } from './common.js';

export interface RunOptions {
  out?: string;
  replications?: number;
  seed?: number;
  workers?: number;
  set?: string[];
  shard?: string;
  variant?: string;
  replication?: number;
  charts?: boolean;
  quiet?: boolean;
  explainScaling?: boolean;
}

function bad(message: string): number {
  process.stderr.write(`svcsim run: ${message}\n`);
  return 2;
}

/** A shell word: quoted unless plainly safe. */
const shellWord = (s: string): string => (/^[\w./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  const replicationsOption = opts.replications;
  if (replicationsOption !== undefined && replicationsOption < 1) return bad('--replications must be at least 1');
  if (replicationsOption !== undefined && replicationsOption > RUN_LIMITS.replications) return bad(`--replications ${replicationsOption}: at most ${RUN_LIMITS.replications}`);
  if (opts.workers !== undefined && opts.workers < 0) return bad('--workers must be 0 (everything in this thread) or more');
  const tooManyWorkers = workersProblem(opts.workers);
  if (tooManyWorkers) return bad(tooManyWorkers);
  let shard: Shard | undefined;
  if (opts.shard !== undefined) {
    shard = parseShard(opts.shard);
    if (!shard) return bad(`--shard ${opts.shard}: expected I/N with 0 ≤ I < N, e.g. --shard 0/4`);
  }
  if ((opts.variant === undefined) !== (opts.replication === undefined)) return bad('--variant and --replication go together (they rerun exactly one replication)');
  if (shard && opts.variant !== undefined) return bad('--shard and --variant/--replication do not go together');

  const prepared = prepare(file, opts.set);
  if (typeof prepared === 'number') return prepared;
  const { loaded, variants } = prepared;
  const base = loaded.scenario;
  const seed = opts.seed ?? base.simulation.seed;
  const replications = replicationsOption ?? base.simulation.replications;
  if (variants.length * replications > RUN_LIMITS.totalReplications)
    return bad(`${variants.length} variants × ${replications} replications: at most ${RUN_LIMITS.totalReplications} replications in one run (split it with --shard)`);
  const workers = opts.workers ?? availableParallelism();
  let only: Job | undefined;
  if (opts.variant !== undefined && opts.replication !== undefined) {
    const v = variants.find((x) => x.label === opts.variant);
    if (!v) return bad(`--variant ${opts.variant}: no such variant (have: ${variants.map((x) => x.label).join(', ')})`);
    if (opts.replication >= replications) return bad(`--replication ${opts.replication}: the run has replications 0 to ${replications - 1}`);
    only = { variant: v.index, replication: opts.replication };
  }
  const out = opts.out ?? `results/${base.metadata.name}`;
  const quiet = opts.quiet ?? false;
  const unwritable = checkOutput(out);
  if (unwritable) return bad(unwritable);

  const interrupt = new AbortController();
  const onSigint = () => {
    process.stderr.write('\nsvcsim: interrupted: writing the replications that finished (Ctrl-C again to quit at once)…\n');
    interrupt.abort();
  };
  process.once('SIGINT', onSigint);
  // vega loads while the replications run.
  if (opts.charts !== false) startCharts();
  const started = Date.now();
  let outcome: ExecuteResult;
  try {
    outcome = await execute({ variants, rootSeed: seed, replications, workers, workersAsked: opts.workers !== undefined, shard, only, quiet, signal: interrupt.signal });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  const wallTimeSeconds = (Date.now() - started) / 1000;
  const manifest = buildManifest(prepared, outcome, { seed, replications, workers, shard: opts.shard ?? null, wallTimeSeconds });
  if (only) {
    // One replication of the run's plan is not the run: merge it with the run's other folders.
    manifest.complete = false;
    manifest.warnings.push(`a rerun of replication ${only.replication} of variant "${variants[only.variant].label}" alone, out of ${replications} per variant: merge it with the run's other folders (svcsim merge)`);
  }
  const saved = await saveResults('run', out, manifest, variants, outcome.results, opts.charts !== false);
  if (typeof saved === 'number') return saved;
  for (const w of manifest.warnings.slice(manifest.scenarioWarnings?.length ?? 0)) warn(w);

  if (outcome.failure) {
    const f = outcome.failure;
    const rerun = [
      'svcsim run',
      shellWord(file),
      `--variant ${shellWord(f.variant.label)}`,
      `--replication ${f.replication}`,
      ...(opts.seed !== undefined ? [`--seed ${seed}`] : []),
      ...(opts.set ?? []).map((x) => `--set ${shellWord(x)}`),
      `--out ${shellWord(`${out}-rerun`)}`,
    ].join(' ');
    process.stderr.write(
      `svcsim run: replication ${f.replication} of variant "${f.variant.label}" (seed ${f.seed}) failed: ${f.message}; rerun it alone with: ${rerun}\n` +
        (saved === undefined ? '' : `svcsim run: the ${outcome.results.length} replications that finished are in ${saved}/ (complete: false)\n`),
    );
    return 1;
  }
  if (outcome.interrupted) {
    process.stderr.write(`svcsim run: interrupted${saved === undefined ? '' : `; the ${outcome.results.length} replications that finished are in ${saved}/ (complete: false)`}\n`);
    return 1;
  }
  if (opts.explainScaling) explainScaling(only ? [variants[only.variant]] : variants, only?.replication ?? 0, seed);
  if (!quiet) {
    printSummary(variants, outcome, wallTimeSeconds, slosOf(base));
    process.stderr.write(`svcsim: results in ${out}/\n`);
  }
  return 0;
}

/** Prints the scaling decisions of one replication of each variant (see the file comment). */
function explainScaling(variants: readonly Variant[], replication: number, seed: number): void {
  for (const v of variants) {
    const scenario = resolved(v.scenario);
    const head = `svcsim run --explain-scaling: variant ${v.label}, replication ${replication} (root seed ${seed}); times in seconds from the start of the warm-up (${scenario.simulation.warmup} s)`;
    const scales = scenario.workloads.some((w) => w.autoscaling !== undefined) || scenario.cluster.nodes.some((n) => n.autoscaling !== undefined);
    if (!scales) {
      process.stdout.write(`${head}\n  no autoscaling in this variant (no workload or node pool has autoscaling)\n`);
      continue;
    }
    const sim = new Simulation(scenario, { replication, rootSeed: seed, explainScaling: true });
    sim.run();
    const lines = sim.scalingLog ?? [];
    process.stdout.write(`${head}\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  }
}

function printSummary(variants: Variant[], outcome: ExecuteResult, wall: number, slos: readonly Slo[]): void {
  const show = ['requests', 'success_ratio', 'latency_mean_ms', 'latency_p99_ms', 'failed', 'unfinished'] as const;
  const lines = [`svcsim: ${outcome.results.length} replications, ${outcome.simulatedRequests} simulated requests in ${wall.toFixed(1)} s (mean ± 95% half-width over replications)`];
  for (const v of variants) {
    const rs = outcome.results.filter((r) => r.variant === v.index);
    const cells = show.map((m) => {
      const s = summarize(rs.map((r) => r.scopes[0].metrics[METRIC_NAMES.indexOf(m)]));
      return `${m} ${formatNumber(s.mean) || '—'}${s.ciHalfWidth !== undefined ? ` ±${formatNumber(s.ciHalfWidth)}` : ''}`;
    });
    lines.push(`  ${v.label}: ${cells.join(', ')}`);
  }
  if (slos.length > 0) {
    lines.push('svcsim: SLOs (one-sided 95%: met, not met, or undecided when more replications would decide):');
    for (const v of variants) {
      const rs = sortResults(outcome.results.filter((r) => r.variant === v.index));
      const verdicts = slos.map((slo) => {
        const j = judgeSlo(slo, rs);
        return `${j.scope === 'all' ? '' : `${j.scope} `}${j.slo}: ${j.verdict} (mean ${formatNumber(j.mean) || '—'})`;
      });
      lines.push(`  ${v.label}: ${verdicts.join('; ')}`);
    }
  }
  const p = outcome.precision;
  if (p) {
    lines.push(`svcsim: precision: ${p.metric} half-width ≤ ${p.relative * 100}% of the mean at ${p.confidence * 100}% ${p.met ? 'met' : 'NOT met'} (${p.replications} replications, at most ${p.maxReplications}):`);
    for (const x of p.perVariant)
      lines.push(`  ${x.label}: ${x.met ? 'met' : 'not met'} with ${x.replications} replications (half-width ${x.relativeHalfWidth === null ? 'undefined' : `${formatNumber(x.relativeHalfWidth * 100)}%`})`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}
