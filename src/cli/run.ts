/**
 * `svcsim run <scenario>`: simulates every variant × replication and writes
 * the results folder (spec/cli-and-outputs.md). Exit codes: 0 success, 1 a
 * replication crashed or the run was interrupted (the finished replications
 * are written, `complete: false`), 2 bad input.
 */
import { availableParallelism } from 'node:os';
import { formatProblem, ScenarioError } from '../scenario/errors.js';
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
import { expandVariants, type Variant } from '../scenario/sweep.js';
import { replicationSeed } from '../engine/random.js';
import { manifestVariants, writeResultsFolder, type Manifest } from '../results/folder.js';
import { parseShard, type Shard } from '../runner/plan.js';
import { execute, warmupSuggestion, type ExecuteResult } from '../runner/run.js';
import { METRIC_NAMES } from '../sim/result.js';
import { formatNumber } from '../stats/format.js';
import { summarize } from '../stats/summarize.js';
import { SVCSIM_VERSION } from '../version.js';

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
}

function fail(message: string): number {
  process.stderr.write(`svcsim run: ${message}\n`);
  return 2;
}

/** Draws charts and report.html into a results folder, if the report module is there; never loses results. */
export async function drawReport(dir: string, plan?: unknown): Promise<void> {
  try {
    const mod = (await import(new URL('../report/index.js', import.meta.url).href)) as { writeReport?: (d: string, o?: unknown) => Promise<unknown> };
    if (mod.writeReport) await mod.writeReport(dir, plan ? { plan } : undefined);
  } catch (err) {
    process.stderr.write(`svcsim: warning: charts and report.html were not drawn: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

export interface Prepared {
  loaded: LoadedScenario;
  variants: Variant[];
}

export function prepare(file: string, set: string[] | undefined): Prepared | number {
  try {
    const loaded = loadScenario(file, { set });
    const variants = expandVariants(loaded);
    for (const w of loaded.warnings) process.stderr.write(`${formatProblem(w)} (warning)\n`);
    return { loaded, variants };
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/**
 * Percentiles that rest on fewer than 10 samples beyond them are said to be
 * so (validation-and-statistics.md, heavy tails).
 */
export function tailWarnings(variants: Variant[], results: ExecuteResult['results']): string[] {
  const ok = METRIC_NAMES.indexOf('ok');
  const out: string[] = [];
  for (const v of variants) {
    const counts = results.filter((r) => r.variant === v.index).map((r) => r.scopes[0].metrics[ok]);
    if (counts.length === 0) continue;
    const fewest = Math.min(...counts);
    for (const [metric, p] of [['latency_p99_ms', 0.99], ['latency_p999_ms', 0.999]] as const) {
      const beyond = Math.floor(fewest * (1 - p));
      if (beyond < 10) out.push(`variant ${v.label}: ${metric} rests on ${beyond} ok requests beyond it in some replication (fewer than 10): treat it with care, or simulate longer`);
    }
  }
  return out;
}

export function buildManifest(
  p: Prepared,
  outcome: ExecuteResult,
  extra: { seed: number; replications: number; workers: number; shard: string | null; wallTimeSeconds: number },
): Manifest {
  const mser = outcome.results.length ? warmupSuggestion(p.variants, outcome.results) : undefined;
  return {
    svcsim: SVCSIM_VERSION,
    scenarioFile: p.loaded.file,
    scenarioSha256: p.loaded.sha256,
    resolvedScenario: p.loaded.scenario,
    variants: manifestVariants(p.variants, outcome.results),
    seed: extra.seed,
    replicationsPerVariant: outcome.precision?.replications ?? extra.replications,
    workers: extra.workers,
    shard: extra.shard,
    nodeVersion: process.version,
    wallTimeSeconds: extra.wallTimeSeconds,
    simulatedRequests: outcome.simulatedRequests,
    suppressedRequests: outcome.suppressedRequests,
    complete: outcome.complete,
    mser5: mser,
    precision: outcome.precision,
    warnings: [...p.loaded.warnings.map(formatProblem), ...tailWarnings(p.variants, outcome.results)],
    ...(outcome.failure ? { failure: `replication ${outcome.failure.replication} of variant "${outcome.failure.variant.label}" (seed ${outcome.failure.seed}): ${outcome.failure.message}` } : {}),
  };
}

export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  const prepared = prepare(file, opts.set);
  if (typeof prepared === 'number') return prepared;
  const { loaded, variants } = prepared;
  const base = loaded.scenario;
  const seed = opts.seed ?? base.simulation.seed;
  const replications = opts.replications ?? base.simulation.replications;
  if (replications < 1) return fail('--replications must be at least 1');
  const workers = Math.max(1, opts.workers ?? availableParallelism());
  let shard: Shard | undefined;
  if (opts.shard !== undefined) {
    shard = parseShard(opts.shard);
    if (!shard) return fail(`--shard ${opts.shard}: expected I/N with 0 ≤ I < N, e.g. --shard 0/4`);
  }
  let only: { variant: number; replication: number } | undefined;
  if (opts.variant !== undefined || opts.replication !== undefined) {
    if (opts.variant === undefined || opts.replication === undefined) return fail('--variant and --replication go together (rerun exactly one replication)');
    const v = variants.find((x) => x.label === opts.variant);
    if (!v) return fail(`--variant ${opts.variant}: no such variant (have: ${variants.map((x) => x.label).join(', ')})`);
    only = { variant: v.index, replication: opts.replication };
  }
  const out = opts.out ?? `results/${base.metadata.name}`;
  const quiet = opts.quiet ?? false;

  const interrupt = new AbortController();
  const onSigint = () => {
    if (!quiet) process.stderr.write('\nsvcsim: interrupted: writing the replications that finished…\n');
    interrupt.abort();
  };
  process.once('SIGINT', onSigint);
  const started = Date.now();
  let outcome: ExecuteResult;
  try {
    outcome = await execute({ variants, rootSeed: seed, replications, workers, shard, only, quiet, signal: interrupt.signal }, (r) => replicationSeed(seed, r));
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  const wallTimeSeconds = (Date.now() - started) / 1000;
  const manifest = buildManifest(prepared, outcome, { seed, replications, workers, shard: opts.shard ?? null, wallTimeSeconds });
  await writeResultsFolder(out, manifest, variants, outcome.results, opts.charts === false ? undefined : (tmp) => drawReport(tmp));

  if (outcome.failure) {
    const f = outcome.failure;
    process.stderr.write(
      `svcsim run: replication ${f.replication} of variant "${f.variant.label}" (seed ${f.seed}) failed: ${f.message}\n` +
        `  the ${outcome.results.length} finished replications are in ${out} (complete: false)\n` +
        `  rerun it alone with: svcsim run ${file} --variant '${f.variant.label}' --replication ${f.replication}${opts.seed !== undefined ? ` --seed ${seed}` : ''}${(opts.set ?? []).map((x) => ` --set '${x}'`).join('')}\n`,
    );
    return 1;
  }
  if (outcome.interrupted) {
    process.stderr.write(`svcsim run: interrupted; ${outcome.results.length} finished replications written to ${out} (complete: false)\n`);
    return 1;
  }
  if (!quiet) printSummary(variants, outcome, out, manifest, wallTimeSeconds, base.simulation.warmup);
  return 0;
}

function printSummary(variants: Variant[], outcome: ExecuteResult, out: string, manifest: Manifest, wall: number, warmup: number): void {
  const idx = (m: string) => METRIC_NAMES.indexOf(m as never);
  const show = ['requests', 'success_ratio', 'latency_mean_ms', 'latency_p99_ms', 'failed'];
  const lines = [`svcsim: ${outcome.results.length} replications, ${outcome.simulatedRequests} simulated requests in ${wall.toFixed(1)} s`];
  for (const v of variants) {
    const rs = outcome.results.filter((r) => r.variant === v.index);
    const cells = show.map((m) => {
      const s = summarize(rs.map((r) => r.scopes[0].metrics[idx(m)]));
      return `${m} ${formatNumber(s.mean) || '—'}${s.ciHalfWidth !== undefined ? ` ±${formatNumber(s.ciHalfWidth)}` : ''}`;
    });
    lines.push(`  ${v.label}: ${cells.join(', ')}`);
  }
  const mser = manifest.mser5 as { suggestedWarmupSeconds: number } | undefined;
  if (mser && mser.suggestedWarmupSeconds > warmup)
    lines.push(`svcsim: warning: MSER-5 suggests a warm-up of ${mser.suggestedWarmupSeconds} s; simulation.warmup is ${warmup} s (a fixed warm-up keeps common random numbers paired)`);
  if (outcome.precision) {
    const p = outcome.precision;
    const met = p.perVariant.filter((x) => x.met).map((x) => x.label);
    lines.push(
      `svcsim: precision ${p.metric} ±${p.relative * 100}% at ${p.confidence * 100}%: ${met.length === p.perVariant.length ? 'met' : 'NOT met'} in ${met.length}/${p.perVariant.length} variants with ${p.replications} replications`,
    );
  }
  for (const w of tailWarnings(variants, outcome.results)) lines.push(`svcsim: warning: ${w}`);
  lines.push(`svcsim: results in ${out}/`);
  process.stderr.write(`${lines.join('\n')}\n`);
}
