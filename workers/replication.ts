/**
 * The worker entry: runs one replication (src/runner/task.ts) and sends its
 * result record back as a transferred buffer (JSON bytes, moved, not copied).
 */
import { move } from 'piscina';
import { OVERLOAD_PREFIX, type ReplicationTask } from '../src/runner/protocol.js';
import { runTask } from '../src/runner/task.js';
import { OverloadError } from '../src/sim/result.js';

export default function replication(task: ReplicationTask): Uint8Array {
  try {
    return move(runTask(task)) as Uint8Array;
  } catch (err) {
    if (err instanceof OverloadError) throw new Error(OVERLOAD_PREFIX + err.message, { cause: err });
    throw err;
  }
}
