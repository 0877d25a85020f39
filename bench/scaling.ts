/**
 * Worker scaling: 8 replications of a reference scenario on 1 worker thread,
 * then on 2, through the real runner (piscina pool, results moved back as
 * JSON bytes). Prints simulated requests per second for each and the ratio
 * (target ≥ 1.8× on 2 cores), and how many bytes one replication's result
 * takes on its way back. Not a test: figures for the notes.
 *
 * The control, measured in the same run: two copies of a CPU-bound loop at
 * once against one, in worker threads: its ratio says how many cores the
 * machine really gave (2.0 on two idle cores), so the replications' ratio
 * is read against it.
 *
 * It runs in rounds (1 worker, 2 workers, then the control) and prints the
 * median ratio and the median control: on a shared machine a single round
 * says little.
 *
 *   node dist/bench/scaling.js [--duration SECONDS] [--replications N] [--rounds N]
 *   npx tsx bench/scaling.ts
 *
 * The reference scenario is bench/reference.ts.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { stringify } from 'yaml';
import { execute } from '../src/runner/run.js';
import { parseScenarioText } from '../src/scenario/load.js';
import type { Variant } from '../src/scenario/sweep.js';
import { median } from './processes.js';
import { referenceScenario } from './reference.js';

/** A CPU-bound loop in a worker thread (no memory traffic): its seconds. */
const LOOP = `let x = 0; for (let i = 0; i < 3e8; i++) x = (x + i * 2654435761) % 4294967291; require('node:worker_threads').parentPort.postMessage(x);`;
const loop = () =>
  new Promise<void>((done, fail) => {
    const w = new Worker(LOOP, { eval: true });
    w.once('message', () => void w.terminate().then(() => done()));
    w.once('error', fail);
  });

/** Throughput of two loops at once over one (2.0 when two cores are really there). */
async function cpuControl(): Promise<number> {
  await loop(); // warm
  let t0 = process.hrtime.bigint();
  await loop();
  const one = Number(process.hrtime.bigint() - t0);
  t0 = process.hrtime.bigint();
  await Promise.all([loop(), loop()]);
  const two = Number(process.hrtime.bigint() - t0);
  return (2 * one) / two;
}

/** One batch of the replications on `workers` threads: simulated requests per second, and the bytes one result takes back. */
async function rate(variants: Variant[], replications: number, workers: number): Promise<{ rate: number; seconds: number; requests: number; bytes: number }> {
  const t0 = process.hrtime.bigint();
  const out = await execute({ variants, rootSeed: 1, replications, workers, quiet: true });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (out.failure) throw new Error(out.failure.message);
  const bytes = out.results.reduce((s, r) => s + Buffer.byteLength(JSON.stringify(r)), 0) / out.results.length;
  return { rate: out.simulatedRequests / seconds, seconds, requests: out.simulatedRequests, bytes };
}


async function main(): Promise<void> {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '50' }, replications: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' } } });
  const duration = Number(values.duration);
  const replications = Number(values.replications);
  const rounds = Number(values.rounds);
  const scenario = parseScenarioText(stringify(referenceScenario(duration)), 'bench-reference.yaml').scenario;
  const variants = [{ index: 0, label: 'base', params: [], scenario }];
  console.log(`svcsim scaling bench (node ${process.version}, ${availableParallelism()} cores): ${replications} replications of ${duration} s simulated, ${rounds} rounds of 1 worker, 2 workers, control`);
  // Each round measures its own control right after its two runs, so that a
  // machine whose load changes during the bench shows it round by round.
  const ratios: number[] = [];
  const controls: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const one = await rate(variants, replications, 1);
    const two = await rate(variants, replications, 2);
    const control = await cpuControl();
    ratios.push(two.rate / one.rate);
    controls.push(control);
    console.log(
      `  round ${round}: 1 worker ${(one.rate / 1e6).toFixed(2)} M simulated requests/s (${one.seconds.toFixed(2)} s), 2 workers ${(two.rate / 1e6).toFixed(2)} M/s (${two.seconds.toFixed(2)} s): ` +
        `${(two.rate / one.rate).toFixed(2)}×; control ${control.toFixed(2)}× (${one.requests} requests a batch; ${(one.bytes / 1024).toFixed(1)} KB moved back per replication)`,
    );
  }
  console.log(
    `  2 workers / 1 worker = ${median(ratios).toFixed(2)}× (median of ${rounds}; target ≥ 1.8×); control, 2 CPU-bound loops / 1 in the same rounds: ${median(controls).toFixed(2)}× (the cores the machine gave)`,
  );
}

await main();
