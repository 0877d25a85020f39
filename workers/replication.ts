/**
 * The worker entry: runs one replication and sends its result record back
 * as a transferred buffer (JSON bytes, moved, not copied).
 *
 * Test hook (test-only, not a feature): `SVCSIM_TEST_CRASH="<variant label>:<replication>"`
 * makes that replication throw, so tests can check what a crash does to a run.
 */
import { move } from 'piscina';
import { OVERLOAD_PREFIX, type ReplicationTask } from '../src/runner/protocol.js';
import { resolved } from '../src/scenario/resolved.js';
import { runReplication } from '../src/sim/replication.js';
import { OverloadError } from '../src/sim/result.js';

export default function replication(task: ReplicationTask): Uint8Array {
  const crash = process.env.SVCSIM_TEST_CRASH;
  if (crash !== undefined && crash === `${task.variantLabel}:${task.replication}`) throw new Error('injected crash (SVCSIM_TEST_CRASH)');
  let result;
  try {
    result = runReplication(resolved(task.scenario), { variant: task.variant, replication: task.replication, rootSeed: task.rootSeed });
  } catch (err) {
    if (err instanceof OverloadError) throw new Error(OVERLOAD_PREFIX + err.message, { cause: err });
    throw err;
  }
  return move(new TextEncoder().encode(JSON.stringify(result))) as Uint8Array;
}
