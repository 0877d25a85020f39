/**
 * Where replications run. A worker thread costs a start-up (a fresh V8
 * isolate loading the simulator, then a cold replication) that a short
 * what-if pays many times over, so:
 *
 * - a batch of one replication runs in the main thread, and so does every
 *   batch under `--workers 0` (one thread for all: `node --cpu-prof` then
 *   profiles the simulation itself);
 * - otherwise a pool of at most min(workers, replications in the batch)
 *   threads, started when first needed (piscina is not even loaded before).
 *
 * In the main thread replications run one after another, each after a turn
 * of the event loop, so Ctrl-C is seen between two of them (not during one).
 * The result is decoded from the same JSON bytes a worker would send
 * (src/runner/task.ts), so where a replication ran changes nothing.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ReplicationResult } from '../sim/result.js';
import type { ReplicationPool } from './pool.js';
import type { ReplicationTask } from './protocol.js';
import { decodeResult, runTask } from './task.js';

export class Executor {
  private pool: ReplicationPool | undefined;
  private poolSize = 0;
  /** The main thread's queue: each replication starts after the previous one ended. */
  private tail: Promise<unknown> = Promise.resolve();
  private inline = false;

  /** `workers` 0 means the main thread only. */
  constructor(private readonly workers: number) {}

  /** Chooses where the next `jobs` replications run (call before starting them). */
  async prepare(jobs: number): Promise<void> {
    this.inline = this.workers === 0 || jobs <= 1;
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
