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
 *   node dist/bench/scaling.js [--duration SECONDS] [--replications N]
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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '50' }, replications: { type: 'string', default: '8' } } });
  const duration = Number(values.duration);
  const replications = Number(values.replications);
  const scenario = parseScenarioText(stringify(referenceScenario(duration)), 'bench-reference.yaml').scenario;
  const variants = [{ index: 0, label: 'base', params: [], scenario }];
  console.log(`svcsim scaling bench (node ${process.version}, ${availableParallelism()} cores): ${replications} replications of ${duration} s simulated`);
  const rates: number[] = [];
  for (const workers of [1, 2]) {
    const t0 = process.hrtime.bigint();
    const out = await execute({ variants, rootSeed: 1, replications, workers, quiet: true });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (out.failure) throw new Error(out.failure.message);
    const rate = out.simulatedRequests / seconds;
    rates.push(rate);
    const bytes = out.results.reduce((s, r) => s + Buffer.byteLength(JSON.stringify(r)), 0) / out.results.length;
    console.log(
      `  ${workers} worker${workers > 1 ? 's' : ' '}: ${(rate / 1e6).toFixed(2)} M simulated requests/s ` +
        `(${out.simulatedRequests} requests in ${seconds.toFixed(2)} s; ${(bytes / 1024).toFixed(1)} KB moved back per replication)`,
    );
  }
  const ratio = rates[1] / rates[0];
  const control = await cpuControl();
  console.log(`  2 workers / 1 worker = ${ratio.toFixed(2)}× (target ≥ 1.8×); control, 2 CPU-bound loops / 1 in the same run: ${control.toFixed(2)}× (the cores the machine gave)`);
}

await main();
