/**
 * A Monte Carlo run: every variant × replication on the worker pool, then
 * (with `simulation.precision`) more replications until the confidence
 * interval is as tight as asked, then the results folder.
 *
 * Replication r of every variant uses the root seed and r only, so variants
 * are compared on common random numbers. Results are merged in (variant,
 * replication) order whatever order they arrive in, so the CSV bytes depend
 * on neither the worker count nor the shard split.
 */
import { setMaxListeners } from 'node:events';
import { cpus } from 'node:os';
import type { Variant } from '../scenario/sweep.js';
import type { ReplicationResult } from '../sim/result.js';
import { METRIC_NAMES } from '../sim/result.js';
import { mser5 } from '../stats/mser5.js';
import { summarize } from '../stats/summarize.js';
import { planJobs, type Job, type Shard } from './plan.js';
import { ReplicationPool } from './pool.js';
import { Progress } from './progress.js';

export interface ExecuteOptions {
  variants: Variant[];
  rootSeed: number;
  replications: number;
  workers: number;
  shard?: Shard;
  /** Run exactly this job (a rerun of one replication). */
  only?: Job;
  quiet: boolean;
  /** Aborts the run (Ctrl-C): finished replications are kept. */
  signal?: AbortSignal;
}

export interface ReplicationFailure {
  variant: Variant;
  replication: number;
  seed: number;
  message: string;
}

export interface PrecisionOutcome {
  metric: string;
  relative: number;
  confidence: number;
  maxReplications: number;
  replications: number;
  perVariant: { label: string; met: boolean; relativeHalfWidth: number | null }[];
}

export interface ExecuteResult {
  results: ReplicationResult[];
  complete: boolean;
  failure?: ReplicationFailure;
  interrupted: boolean;
  precision?: PrecisionOutcome;
  simulatedRequests: number;
  suppressedRequests: number;
}

export function defaultWorkers(): number {
  return Math.max(1, cpus().length);
}

/** Relative half-width of a metric (scope all) in one variant; Infinity when not defined. */
function relativeHalfWidth(results: ReplicationResult[], metric: string, confidence: number): number {
  const mi = METRIC_NAMES.indexOf(metric as never);
  const s = summarize(
    results.map((r) => r.scopes[0].metrics[mi]),
    confidence,
  );
  if (s.mean === undefined || s.ciHalfWidth === undefined) return Infinity;
  if (s.mean === 0) return s.ciHalfWidth === 0 ? 0 : Infinity;
  return s.ciHalfWidth / Math.abs(s.mean);
}

export async function execute(opts: ExecuteOptions, replicationSeed: (r: number) => number): Promise<ExecuteResult> {
  const { variants } = opts;
  const results: ReplicationResult[] = [];
  const pool = new ReplicationPool(Math.max(1, opts.workers));
  let failure: ReplicationFailure | undefined;
  const abort = new AbortController();
  // Every queued replication listens to the same signal.
  setMaxListeners(0, abort.signal);
  const onOuterAbort = () => abort.abort();
  opts.signal?.addEventListener('abort', onOuterAbort);

  const runJobs = async (jobs: Job[], progress: Progress): Promise<void> => {
    await Promise.all(
      jobs.map(async (job) => {
        const variant = variants[job.variant];
        try {
          if (abort.signal.aborted) return;
          const result = await pool.run(
            { scenario: variant.scenario, variant: job.variant, variantLabel: variant.label, replication: job.replication, rootSeed: opts.rootSeed },
            abort.signal,
          );
          results.push(result);
          progress.tick(result.simulatedRequests);
        } catch (err) {
          if (abort.signal.aborted && !failure) return; // cancelled, not failed
          if (!failure) {
            const message = err instanceof Error ? err.message : String(err);
            failure = { variant, replication: job.replication, seed: replicationSeed(job.replication), message };
          }
          abort.abort();
        }
      }),
    );
  };

  let jobs: Job[];
  if (opts.only) jobs = [opts.only];
  else jobs = planJobs(variants.length, 0, opts.replications, opts.shard);
  const progress = new Progress(jobs.length, variants.length, opts.quiet);
  let precision: PrecisionOutcome | undefined;
  try {
    await runJobs(jobs, progress);
    const p = variants[0].scenario.simulation.precision;
    if (p && !opts.only && !opts.shard && !failure && !abort.signal.aborted) {
      let count = opts.replications;
      const check = () =>
        variants.map((v) => {
          const rel = relativeHalfWidth(
            results.filter((r) => r.variant === v.index),
            p.metric,
            p.confidence,
          );
          return { label: v.label, met: rel <= p.relative, relativeHalfWidth: Number.isFinite(rel) ? rel : null };
        });
      let status = check();
      while (status.some((x) => !x.met) && count < p.maxReplications && !failure && !abort.signal.aborted) {
        // Batches depend only on how many replications there are, never on the worker count.
        const next = Math.min(p.maxReplications, count + Math.max(2, Math.ceil(count / 2)));
        const more = planJobs(variants.length, count, next);
        progress.grow(more.length);
        await runJobs(more, progress);
        count = next;
        status = check();
      }
      precision = { metric: p.metric, relative: p.relative, confidence: p.confidence, maxReplications: p.maxReplications, replications: count, perVariant: status };
    }
  } finally {
    progress.stop();
    opts.signal?.removeEventListener('abort', onOuterAbort);
    await pool.close();
  }
  const interrupted = opts.signal?.aborted ?? false;
  return {
    results,
    complete: !failure && !interrupted,
    failure,
    interrupted,
    precision,
    simulatedRequests: results.reduce((s, r) => s + r.simulatedRequests, 0),
    suppressedRequests: results.reduce((s, r) => s + r.suppressedRequests, 0),
  };
}

/** MSER-5 over the mean per-bucket latency series of each variant (replications averaged). */
export function warmupSuggestion(variants: Variant[], results: ReplicationResult[]): { suggestedWarmupSeconds: number; perVariant: { label: string; suggestedWarmupSeconds: number }[] } {
  const perVariant = variants.map((v) => {
    const rs = results.filter((r) => r.variant === v.index);
    const len = Math.max(0, ...rs.map((r) => r.warmupSeries.length));
    const series = Array.from({ length: len }, (_, i) => {
      const s = summarize(rs.map((r) => r.warmupSeries[i] ?? NaN));
      return s.mean ?? NaN;
    });
    const cut = mser5(series);
    return { label: v.label, suggestedWarmupSeconds: cut.truncationIndex * v.scenario.simulation.timeBucket };
  });
  return { suggestedWarmupSeconds: Math.max(0, ...perVariant.map((p) => p.suggestedWarmupSeconds)), perVariant };
}
