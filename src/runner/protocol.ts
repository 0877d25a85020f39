/**
 * What the main thread and a worker thread exchange for one replication:
 * the task (plain JSON, structured-cloned) and, back, the result record as
 * moved JSON bytes, or an error. Error classes and their fields do not
 * survive the thread boundary, so an overload is marked in the message.
 */
import type { Scenario } from '../scenario/schema.js';

export interface ReplicationTask {
  /** The variant's resolved scenario (plain JSON). */
  scenario: Scenario;
  variant: number;
  /** For the test-only crash hook of src/runner/task.ts. */
  variantLabel: string;
  replication: number;
  rootSeed: number;
}

/** Starts the message of an error that was an OverloadError in the worker. */
export const OVERLOAD_PREFIX = 'OverloadError: ';
