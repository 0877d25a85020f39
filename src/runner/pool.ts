/**
 * Replications on a pool of worker threads (piscina). Each task is one
 * replication; its result comes back as a moved buffer of JSON bytes (about
 * 18 KB for 400 000 simulated requests: counters, series and one encoded
 * histogram, never per-request data). Which worker runs which replication,
 * and in what order they finish, changes nothing in the results: a
 * replication draws only from its own streams.
 *
 * A worker that dies — it threw, exited, or ran out of memory — fails the
 * replication it was running, with a message that says which death it was;
 * it never takes the process down. Each worker's heap is bounded (its share
 * of three quarters of the machine's memory), so that a replication that
 * outgrows its share ends its own worker (Node terminates it cleanly)
 * before the operating system kills the whole process.
 */
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Piscina } from 'piscina';
import { OverloadError, type ReplicationResult } from '../sim/result.js';
import { OVERLOAD_PREFIX, type ReplicationTask } from './protocol.js';
import { decodeResult } from './task.js';

/**
 * The worker file, two folders up from this module: compiled JS in dist/ (from
 * dist/src/runner/ or, bundled, from dist/src/chunks/: scripts/bundle.mjs keeps
 * both at that depth), or TypeScript under tsx/vitest.
 */
function workerFile(): { filename: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('../../workers/replication.js', import.meta.url));
  // The main thread's flags (--cpu-prof, --max-old-space-size, …) apply to the workers too.
  if (existsSync(js)) return { filename: js, execArgv: [...process.execArgv] };
  // Vitest's transform does not reach worker threads: load tsx in them.
  const ts = fileURLToPath(new URL('../../workers/replication.ts', import.meta.url));
  return { filename: ts, execArgv: [...process.execArgv, '--import', 'tsx'] };
}

/**
 * The main thread's flags without those a worker thread refuses. Node takes
 * its own per-thread flags in a worker (--cpu-prof, --enable-source-maps,
 * --import …) but refuses V8's (--max-old-space-size, --single-threaded-gc,
 * --stack-size …) with ERR_WORKER_INVALID_EXEC_ARGV, whose message lists
 * them. Nothing is lost: V8's flags are the process's and hold in every
 * thread already, and a worker's heap limit is set by resourceLimits. A
 * refused flag's value given as the next word (`--stack-size 2000`) goes too.
 */
export function withoutRefused(execArgv: readonly string[], message: string): string[] {
  const refused = new Set(message.replace(/^[^:]*:\s*/, '').split(/,\s*/));
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    if (!refused.has(execArgv[i])) kept.push(execArgv[i]);
    else if (!execArgv[i].includes('=') && execArgv[i + 1] !== undefined && !execArgv[i + 1].startsWith('-')) i++;
  }
  return kept;
}

/** The memory a worker's heap may use (MB): its share of three quarters of what the machine (or its cgroup) has. */
export function workerHeapMb(workers: number): number {
  const test = Number(process.env.SVCSIM_TEST_WORKER_HEAP_MB); // test-only hook, like SVCSIM_TEST_CRASH
  if (test > 0) return test;
  const constrained = process.constrainedMemory?.() ?? 0;
  const bytes = constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
  return Math.max(256, Math.floor((bytes / 2 ** 20) * 0.75 / Math.max(1, workers)));
}

/** What a worker's death says, in words: the error of the replication it was running. */
function deathMessage(err: unknown, heapMb: number): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY')
    return new Error(`the worker ran out of memory (its heap may use ${heapMb} MB): give it more with fewer --workers, or shorten simulation.duration or widen simulation.timeBucket (${err.message})`);
  const exited = /^worker exited with code: (-?\d+)/.exec(err.message);
  if (exited) return new Error(`the worker thread died (exit code ${exited[1]}) while running it`);
  return err;
}

/**
 * The V8 flags of `svcsim`: scripts/launcher.cjs's #! line, which says why
 * each (also `npm start` and the image's entrypoint; a test checks that all
 * agree). In short: compile hot functions on the spot, not on a thread that
 * waits for a core; keep the young generation at 1 MB a semi-space (fresh
 * pages are slow on a virtual machine).
 */
export const SVCSIM_V8_FLAGS = ['--no-concurrent-recompilation', '--max-semi-space-size=1'];

export class ReplicationPool {
  private readonly pool: Piscina<ReplicationTask, Uint8Array>;
  private readonly heapMb: number;

  constructor(workers: number) {
    // The V8 flags svcsim runs with (scripts/launcher.cjs says why each): a
    // process started without them, such as a test's, gives them to its
    // workers here. V8's flags are the process's; a worker takes them when
    // it starts.
    for (const flag of SVCSIM_V8_FLAGS) setFlagsFromString(flag);
    const { filename, execArgv } = workerFile();
    this.heapMb = workerHeapMb(workers);
    const start = (argv: string[]) =>
      new Piscina<ReplicationTask, Uint8Array>({
        filename,
        execArgv: argv,
        minThreads: workers,
        maxThreads: workers,
        idleTimeout: 60_000,
        resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
      });
    try {
      this.pool = start(execArgv);
    } catch (err) {
      // The first thread refused some of the main thread's flags: start again without them.
      if ((err as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
      this.pool = start(withoutRefused(execArgv, (err as Error).message));
    }
    // Piscina emits 'error' for what belongs to no task: a worker that dies
    // idle, or the late answer of a worker whose task was cancelled. The
    // tasks themselves reject with their own errors; without this listener
    // such an event would be thrown and kill the process.
    this.pool.on('error', () => {});
  }

  /** One replication; rejects with the worker's error (an OverloadError is restored as one), or with what its worker's death says. */
  async run(task: ReplicationTask, signal?: AbortSignal): Promise<ReplicationResult> {
    let bytes: Uint8Array;
    try {
      bytes = await this.pool.run(task, { signal });
    } catch (err) {
      // Error classes do not survive the thread boundary; the worker marks an overload in the message.
      if (err instanceof Error && err.message.startsWith(OVERLOAD_PREFIX)) throw new OverloadError(err.message.slice(OVERLOAD_PREFIX.length), []);
      throw deathMessage(err, this.heapMb);
    }
    return decodeResult(bytes);
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
