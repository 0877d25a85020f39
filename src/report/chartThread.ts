/**
 * The chart thread's own code (see thread.ts): importing the report loads
 * vega, vega-lite and resvg now, while the replications run elsewhere; each
 * message is a results folder whose report it draws, answered with the
 * charts drawn or the error's message.
 */
import { parentPort } from 'node:worker_threads';
import { writeReport } from './index.js';
import type { DrawAnswer, DrawRequest } from './thread.js';

parentPort?.on('message', async ({ dir, plan }: DrawRequest) => {
  let answer: DrawAnswer;
  try {
    answer = await writeReport(dir, plan ? { plan } : undefined);
  } catch (err) {
    answer = { error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(answer);
});
