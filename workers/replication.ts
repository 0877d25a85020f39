/**
 * The worker entry: runs one replication (src/runner/task.ts) and sends its
 * result record back as a transferred buffer (JSON bytes, moved, not copied).
 *
 * Test hook (test-only, not a feature): `SVCSIM_TEST_CRASH="<variant label>:<replication>"`
 * makes that replication throw, so tests can check what a crash does to a run;
 * several, comma-separated, fail together; a suffix `:exit` ends the worker
 * thread instead, and `:oom` makes it run out of memory.
 */
import { move } from 'piscina';
import { OVERLOAD_PREFIX, type ReplicationTask } from '../src/runner/protocol.js';
import { runTask } from '../src/runner/task.js';
import { OverloadError } from '../src/sim/result.js';

export default function replication(task: ReplicationTask): Uint8Array {
  const crash = process.env.SVCSIM_TEST_CRASH?.split(',');
  const me = `${task.variantLabel}:${task.replication}`;
  if (crash?.includes(`${me}:exit`)) process.exit(7);
  if (crash?.includes(`${me}:oom`)) {
    const hoard: number[][] = [];
    for (;;) hoard.push(Array.from({ length: 1e5 }, (_, i) => i + 0.5));
  }
  try {
    // The plain crash (a throw) is src/runner/task.ts's, so it works in the main thread too.
    return move(runTask(task)) as Uint8Array;
  } catch (err) {
    if (err instanceof OverloadError) throw new Error(OVERLOAD_PREFIX + err.message, { cause: err });
    throw err;
  }
}
