/**
 * Where replications run. A worker thread costs a start-up (a fresh V8
 * isolate loading the simulator, then a cold replication) that a short
 * what-if pays many times over, so:
 *
 * - a batch of one replication runs in the main thread, and so does every
 *   batch under `--workers 0` (one thread for all: `node --cpu-prof` then
 *   profiles the simulation itself);
 * - so does a batch too small to pay for the threads, unless `--workers`
 *   was asked for: fewer simulated requests in all (estimated from the
 *   arrival rates) than INLINE_REQUESTS. A worker loads the simulator,
 *   bundled without zod or yaml, for ≈ 0.1 s of CPU, then runs its first
 *   replication cold (its JIT warms up on its own), while the main thread
 *   runs every replication after the first one warm. Measured on 2 idle
 *   cores, the default scenario's 4 replications with `--workers 2` took
 *   1.37× the wall time of the main thread alone at 0.2 M requests in all,
 *   1.18× at 0.4 M, 1.03× at 0.84 M and 0.89× at 1.56 M;
 * - otherwise a pool of at most min(workers, replications in the batch)
 *   threads, started when first needed (piscina is not even loaded before).
 *
 * In the main thread replications run one after another, each after a turn
 * of the event loop, so Ctrl-C is seen between two of them (not during one).
 * The result is decoded from the same JSON bytes a worker would send
 * (src/runner/task.ts), so where a replication ran changes nothing.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { arrivalRate, changeTimes } from '../scenario/load-estimate.js';
import type { Scenario } from '../scenario/schema.js';
import type { ReplicationResult } from '../sim/result.js';
import type { ReplicationPool } from './pool.js';
import type { ReplicationTask } from './protocol.js';
import { decodeResult, runTask } from './task.js';

/** Below this many simulated requests in a batch, starting threads costs more than it saves (measured above). */
export const INLINE_REQUESTS = 800_000;

export class Executor {
  private pool: ReplicationPool | undefined;
  private poolSize = 0;
  /** The main thread's queue: each replication starts after the previous one ended. */
  private tail: Promise<unknown> = Promise.resolve();
  private inline = false;

  /** `workers` 0 means the main thread only; `asked`: the count was asked for, so even a small batch gets threads. */
  constructor(
    private readonly workers: number,
    private readonly asked = false,
  ) {}

  /**
   * Chooses where the next `jobs` replications run (call before starting
   * them); `requests`: how many requests they simulate in all, estimated.
   */
  async prepare(jobs: number, requests = Infinity): Promise<void> {
    this.inline = this.workers === 0 || jobs <= 1 || (!this.asked && requests < INLINE_REQUESTS);
    if (this.inline) return;
    const size = Math.min(this.workers, jobs);
    if (this.pool && this.poolSize >= size) return;
    await this.pool?.close();
    const { ReplicationPool } = await import('./pool.js');
    this.pool = new ReplicationPool(size);
    this.poolSize = size;
  }

  /** Threads that ran replications so far at most (0 when only the main thread did). */
  get threads(): number {
    return this.poolSize;
  }

  run(task: ReplicationTask, signal: AbortSignal): Promise<ReplicationResult> {
    if (!this.inline && this.pool) return this.pool.run(task, signal);
    const done = this.tail.then(async () => {
      await nextTurn();
      signal.throwIfAborted();
      return decodeResult(runTask(task));
    });
    this.tail = done.catch(() => undefined);
    return done;
  }

  async close(): Promise<void> {
    await this.tail;
    await this.pool?.close();
  }
}

/**
 * About how many requests one replication of a scenario simulates: the
 * highest total arrival rate it ever has, over warm-up + duration. Calls
 * between workloads are not counted (a call graph only makes the estimate
 * low, and a pool then starts a little later than it could).
 */
export function estimatedRequests(s: Scenario): number {
  const horizon = s.simulation.warmup + s.simulation.duration;
  const rate = Math.max(0, ...changeTimes(s).map((t) => s.traffic.reduce((sum, x) => sum + arrivalRate(x.arrival, t), 0)));
  return rate * horizon;
}
