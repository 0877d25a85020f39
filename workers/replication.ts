/**
 * The worker entry: runs one replication and sends its result record back
 * as a transferred buffer (JSON bytes, moved, not copied).
 *
 * Test hook (test-only, not a feature): `SVCSIM_TEST_CRASH="<variant label>:<replication>"`
 * makes that replication throw, so tests can check what a crash does to a run;
 * several, comma-separated, fail together; a suffix `:exit` ends the worker
 * thread instead, and `:oom` makes it run out of memory.
 */
import { move } from 'piscina';
import { OVERLOAD_PREFIX, type ReplicationTask } from '../src/runner/protocol.js';
import { resolved } from '../src/scenario/resolved.js';
import { runReplication } from '../src/sim/replication.js';
import { OverloadError } from '../src/sim/result.js';

export default function replication(task: ReplicationTask): Uint8Array {
  const crash = process.env.SVCSIM_TEST_CRASH?.split(',');
  const me = `${task.variantLabel}:${task.replication}`;
  if (crash?.includes(`${me}:exit`)) process.exit(7);
  if (crash?.includes(`${me}:oom`)) {
    const hoard: number[][] = [];
    for (;;) hoard.push(Array.from({ length: 1e5 }, (_, i) => i + 0.5));
  }
  if (crash?.includes(me)) throw new Error('injected crash (SVCSIM_TEST_CRASH)');
  let result;
  try {
    result = runReplication(resolved(task.scenario), { variant: task.variant, replication: task.replication, rootSeed: task.rootSeed });
  } catch (err) {
    if (err instanceof OverloadError) throw new Error(OVERLOAD_PREFIX + err.message, { cause: err });
    throw err;
  }
  return move(new TextEncoder().encode(JSON.stringify(result))) as Uint8Array;
}
