/**
 * Replications on a pool of worker threads (piscina). Each task is one
 * replication; its result comes back as a moved buffer of JSON bytes. Which
 * worker runs which replication, and in what order they finish, changes
 * nothing in the results: a replication draws only from its own streams.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ReplicationResult } from '../sim/result.js';
import type { ReplicationTask } from '../../workers/replication.js';

/** The worker file next to this module: compiled JS in dist/, or TypeScript under tsx/vitest. */
function workerFile(): { filename: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('../../workers/replication.js', import.meta.url));
  if (existsSync(js)) return { filename: js, execArgv: [] };
  const ts = fileURLToPath(new URL('../../workers/replication.ts', import.meta.url));
  return { filename: ts, execArgv: [...process.execArgv, '--import', 'tsx'] };
}

export class ReplicationPool {
  private readonly pool: Piscina<ReplicationTask, Uint8Array>;

  constructor(workers: number) {
    const { filename, execArgv } = workerFile();
    this.pool = new Piscina({ filename, execArgv, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
  }

  async run(task: ReplicationTask, signal?: AbortSignal): Promise<ReplicationResult> {
    const bytes = await this.pool.run(task, { signal });
    return JSON.parse(new TextDecoder().decode(bytes)) as ReplicationResult;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
