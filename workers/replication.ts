/**
 * The worker entry: runs one replication and sends its result record back
 * as a transferred buffer (JSON bytes, moved, not copied).
 */
import { move } from 'piscina';
import type { Scenario } from '../src/scenario/schema.js';
import { runReplication } from '../src/sim/replication.js';
import { initHistograms } from '../src/stats/histogram.js';

export interface ReplicationTask {
  scenario: Scenario;
  variant: number;
  variantLabel: string;
  replication: number;
  rootSeed: number;
}

let ready: Promise<void> | undefined;

export default async function replication(task: ReplicationTask): Promise<Uint8Array> {
  ready ??= initHistograms();
  await ready;
  // Test hook: SVCSIM_TEST_CRASH="<variant label>:<replication>" makes that replication throw.
  const crash = process.env.SVCSIM_TEST_CRASH;
  if (crash !== undefined && crash === `${task.variantLabel}:${task.replication}`) throw new Error('injected crash (SVCSIM_TEST_CRASH)');
  const result = runReplication(task.scenario, { variant: task.variant, replication: task.replication, rootSeed: task.rootSeed });
  return move(new TextEncoder().encode(JSON.stringify(result))) as Uint8Array;
}
