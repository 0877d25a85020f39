/**
 * Replications on a pool of worker threads (piscina). Each task is one
 * replication; its result comes back as a moved buffer of JSON bytes (about
 * 18 KB for 400 000 simulated requests: counters, series and one encoded
 * histogram, never per-request data). Which worker runs which replication,
 * and in what order they finish, changes nothing in the results: a
 * replication draws only from its own streams.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { OverloadError, type ReplicationResult } from '../sim/result.js';
import { OVERLOAD_PREFIX, type ReplicationTask } from './protocol.js';
import { decodeResult } from './task.js';

/** The worker file next to this module: compiled JS in dist/, or TypeScript under tsx/vitest. */
function workerFile(): { filename: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('../../workers/replication.js', import.meta.url));
  // The main thread's flags (--cpu-prof, --max-old-space-size, …) apply to the workers too.
  if (existsSync(js)) return { filename: js, execArgv: [...process.execArgv] };
  // Vitest's transform does not reach worker threads: load tsx in them.
  const ts = fileURLToPath(new URL('../../workers/replication.ts', import.meta.url));
  return { filename: ts, execArgv: [...process.execArgv, '--import', 'tsx'] };
}

export class ReplicationPool {
  private readonly pool: Piscina<ReplicationTask, Uint8Array>;

  constructor(workers: number) {
    const { filename, execArgv } = workerFile();
    this.pool = new Piscina({ filename, execArgv, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
  }

  /** One replication; rejects with the worker's error (an OverloadError is restored as one). */
  async run(task: ReplicationTask, signal?: AbortSignal): Promise<ReplicationResult> {
    let bytes: Uint8Array;
    try {
      bytes = await this.pool.run(task, { signal });
    } catch (err) {
      // Error classes do not survive the thread boundary; the worker marks an overload in the message.
      if (err instanceof Error && err.message.startsWith(OVERLOAD_PREFIX)) throw new OverloadError(err.message.slice(OVERLOAD_PREFIX.length), []);
      throw err;
    }
    return decodeResult(bytes);
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
