/**
 * One replication task, the same wherever it runs: in a worker thread of the
 * pool, or in the main thread (one replication, or `--workers 0`, so that
 * `node --cpu-prof` sees the simulation). The result always travels as JSON
 * bytes, so a result read back in the main thread is the very record a
 * worker would have sent: the CSV files cannot depend on where it ran.
 *
 * Test hook (test-only, not a feature): `SVCSIM_TEST_CRASH="<variant label>:<replication>"`
 * (several comma-separated) makes those replications throw, so tests can check what
 * a crash does to a run; workers/replication.ts adds the hooks that end a worker thread.
 */
import { resolved } from '../scenario/resolved.js';
import { runReplication } from '../sim/replication.js';
import type { ReplicationResult } from '../sim/result.js';
import type { ReplicationTask } from './protocol.js';

/** Runs the task; throws what the replication throws (an OverloadError stays one). */
export function runTask(task: ReplicationTask): Uint8Array {
  if (process.env.SVCSIM_TEST_CRASH?.split(',').includes(`${task.variantLabel}:${task.replication}`)) throw new Error('injected crash (SVCSIM_TEST_CRASH)');
  const result = runReplication(resolved(task.scenario), { variant: task.variant, replication: task.replication, rootSeed: task.rootSeed });
  return new TextEncoder().encode(JSON.stringify(result));
}

export function decodeResult(bytes: Uint8Array): ReplicationResult {
  return JSON.parse(new TextDecoder().decode(bytes)) as ReplicationResult;
}
