/**
 * A Monte Carlo run: every variant × replication on the worker pool (or in
 * the main thread: executor.ts), then
 * (with `simulation.precision`) more replications until the confidence
 * interval is as tight as asked.
 *
 * Replication r of every variant uses the root seed and r only, so variants
 * are compared on common random numbers. The results come back in (variant,
 * replication) order whatever order they finished in, so nothing computed
 * from them depends on the worker count.
 *
 * A crash in one replication stops the run: nothing new is started, the
 * replications under way after it (in replication order) are cancelled,
 * those before it finish, and the finished ones are returned with the
 * first failure in replication order (the caller writes them,
 * `complete: false`). An abort (Ctrl-C) cancels everything under way,
 * without a failure.
 */
import { replicationSeed as defaultReplicationSeed } from '../engine/random.js';
import type { Variant } from '../scenario/sweep.js';
import { OverloadError, type ReplicationResult } from '../sim/result.js';
import { sortResults } from './order.js';
import { planJobs, type Job, type Shard } from './plan.js';
import { estimatedRequests, Executor } from './executor.js';
import { nextBatchEnd, variantPrecision, type PrecisionOutcome } from './precision.js';
import { Progress } from './progress.js';

export interface ExecuteOptions {
  variants: Variant[];
  rootSeed: number;
  replications: number;
  workers: number;
  /** The worker count was asked for (--workers): threads even for a batch too small to pay for them (executor.ts). */
  workersAsked?: boolean;
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
  /** The replication exceeded simulation.maxInFlight (the pods could not keep up). */
  overload: boolean;
}

export interface ExecuteResult {
  /** Finished replications in (variant, replication) order. */
  results: ReplicationResult[];
  complete: boolean;
  failure?: ReplicationFailure;
  interrupted: boolean;
  precision?: PrecisionOutcome;
  /** Why `simulation.precision` was not applied, when the scenario asks for it. */
  precisionSkipped?: string;
  simulatedRequests: number;
  suppressedRequests: number;
}

export async function execute(opts: ExecuteOptions, replicationSeed: (r: number) => number = (r) => defaultReplicationSeed(opts.rootSeed, r)): Promise<ExecuteResult> {
  const { variants } = opts;
  const results: ReplicationResult[] = [];
  const jobs = opts.only ? [opts.only] : planJobs(variants.length, 0, opts.replications, opts.shard);
  // Never more workers than replications to run (sequential stopping adds batches of at least as many).
  // Where they run: one replication, or --workers 0, in this thread; else a pool (executor.ts).
  const workers = Math.max(1, Math.min(opts.workers, jobs.length));
  const pool = new Executor(Math.max(0, opts.workers), opts.workersAsked ?? false);
  const requestsPerReplication = variants.map((v) => estimatedRequests(v.scenario));
  const window = 2 * workers;
  let failure: ReplicationFailure | undefined;
  // Aborted by Ctrl-C only: a failure cancels the jobs after it, not the run's signal.
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  opts.signal?.addEventListener('abort', onOuterAbort);
  if (opts.signal?.aborted) abort.abort();

  // Jobs start in order, at most two per worker at a time (memory stays
  // bounded whatever the replication count). A failure cancels only the jobs
  // after it in replication order; those before it run to their end, so the
  // failure named is always the first in replication order, whatever the
  // timing, and every replication that could finish is kept.
  const runJobs = async (jobs: Job[], progress: Progress): Promise<void> => {
    await pool.prepare(jobs.length, jobs.reduce((n, j) => n + requestsPerReplication[j.variant], 0));
    return new Promise<void>((done) => {
      const running = new Map<number, AbortController>();
      let next = 0;
      let failedAt = Infinity;
      const onAbort = () => {
        for (const c of running.values()) c.abort();
      };
      abort.signal.addEventListener('abort', onAbort);
      const fill = () => {
        while (running.size < window && next < jobs.length && next < failedAt && !abort.signal.aborted) start(next++);
        if (running.size === 0) {
          abort.signal.removeEventListener('abort', onAbort);
          done();
        }
      };
      const start = (i: number) => {
        const job = jobs[i];
        const variant = variants[job.variant];
        const cancel = new AbortController();
        running.set(i, cancel);
        pool
          .run({ scenario: variant.scenario, variant: job.variant, variantLabel: variant.label, replication: job.replication, rootSeed: opts.rootSeed }, cancel.signal)
          .then(
            (result) => {
              results.push(result);
              progress.tick(job, result.simulatedRequests);
            },
            (err: unknown) => {
              if (cancel.signal.aborted || i > failedAt) return; // cancelled, not failed
              failedAt = i;
              const message = err instanceof Error ? err.message : String(err);
              failure = { variant, replication: job.replication, seed: replicationSeed(job.replication), message, overload: err instanceof OverloadError };
              for (const [j, c] of running) if (j > i) c.abort();
            },
          )
          .finally(() => {
            running.delete(i);
            fill();
          });
      };
      fill();
    });
  };

  const progress = new Progress(jobs, { quiet: opts.quiet });
  const target = variants[0]?.scenario.simulation.precision;
  let precision: PrecisionOutcome | undefined;
  let precisionSkipped: string | undefined;
  try {
    await runJobs(jobs, progress);
    if (target && opts.only) precisionSkipped = 'a single replication was rerun';
    else if (target && opts.shard) precisionSkipped = 'a shard cannot decide alone when every variant is precise enough; the shards run the configured replications only';
    else if (target && !failure && !abort.signal.aborted) {
      let count = opts.replications;
      const status = () => {
        const sorted = sortResults(results);
        return variants.map((v) =>
          variantPrecision(
            v.label,
            sorted.filter((r) => r.variant === v.index),
            target,
          ),
        );
      };
      let perVariant = status();
      while (perVariant.some((x) => !x.met) && count < target.maxReplications && !failure && !abort.signal.aborted) {
        const next = nextBatchEnd(count, target.maxReplications);
        const more = planJobs(variants.length, count, next);
        progress.grow(more);
        await runJobs(more, progress);
        count = next;
        perVariant = status();
      }
      precision = {
        metric: target.metric,
        relative: target.relative,
        confidence: target.confidence,
        maxReplications: target.maxReplications,
        replications: count,
        met: perVariant.every((x) => x.met),
        perVariant,
      };
    }
  } finally {
    progress.stop();
    opts.signal?.removeEventListener('abort', onOuterAbort);
    await pool.close();
  }
  const interrupted = !failure && abort.signal.aborted;
  const sorted = sortResults(results);
  return {
    results: sorted,
    complete: !failure && !interrupted,
    failure,
    interrupted,
    precision,
    precisionSkipped,
    simulatedRequests: sorted.reduce((s, r) => s + r.simulatedRequests, 0),
    suppressedRequests: sorted.reduce((s, r) => s + r.suppressedRequests, 0),
  };
}
