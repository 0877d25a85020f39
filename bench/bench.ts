/**
 * `npm run bench`: how fast svcsim is and how much memory it needs. Not a
 * test: it prints figures for the notes (README "Speed", docs/speed.md). Whole processes
 * are timed in pairs (bench/processes.ts): the machine may be shared.
 *
 * 1. Reference scenario (LoadBalancer, 10 nodes in 2 zones, 30 pods, Poisson
 *    arrivals, exponential service, no failures): simulated requests/s and
 *    engine events/s of a replication of 100 simulated seconds in this
 *    thread, the median of 5.
 * 2. The M/M/4 model (λ 3.6/s, μ 1/s, 10⁶ requests, bench/mm4.yaml) through
 *    the whole CLI with --no-charts, paired with the same model in simjs
 *    2.0.3 (bench/simjs-mm4.ts).
 * 3. Memory: 10⁷ requests in one replication, in a fresh process, peak RSS:
 *    the reference scenario (500 s) and the M/M/4 model at 36/s (a horizon
 *    of 277 778 s).
 * 4. Cost per request at 30 and 3000 pods, every proxy mode and LB
 *    algorithm (bench/cluster.ts); 1000 nodes with ClientIP affinity; one
 *    10 s replication at 10³ nodes / 10⁴ pods up to the schema's maximum
 *    10⁴ / 10⁵ (issue 10: set-up and memory linear in nodes + pods).
 * 5. A 1-second what-if of the default scenario with charts, whole process,
 *    paired with a bare `node -e 0`.
 * 5b. Call graphs: a 3-tier chain against one tier, per edge request, the
 *    median ratio of 5 pairs (bench/calls.ts).
 * 6. Worker scaling with its CPU control: bench/scaling.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReplication } from '../src/sim/replication.js';
import { benchCalls } from './calls.js';
import { marginalMicros, microsPerRequest, podsTable, timeCase } from './cluster.js';
import { fmtProcess, paired } from './processes.js';
import { mm4, referenceScenario, resolvedScenario } from './reference.js';

const CLI = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const SIMJS = fileURLToPath(new URL('./simjs-mm4.js', import.meta.url));
const MM4 = fileURLToPath(new URL('../../bench/mm4.yaml', import.meta.url));

function timeRun(obj: object): { seconds: number; requests: number; events: number } {
  const s = resolvedScenario(obj);
  const t0 = process.hrtime.bigint();
  const r = runReplication(s, { variant: 0, replication: 0, rootSeed: 1 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, requests: r.simulatedRequests, events: r.events };
}

/** One replication in a fresh process (this file with a mode): its figures and peak RSS. */
function child(mode: string, ...args: string[]): { requests: number; seconds: number; peakRssMB: number; micros?: number; setupSeconds?: number } {
  const out = execFileSync(process.execPath, [SELF, mode, ...args], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { requests: number; seconds: number; peakRssMB: number; micros?: number; setupSeconds?: number };
}

function childMain(mode: string): void {
  const peak = () => process.resourceUsage().maxRSS / 1024;
  if (mode === '--memory') {
    const r = timeRun(referenceScenario(500, 20000));
    console.log(JSON.stringify({ requests: r.requests, seconds: r.seconds, peakRssMB: peak() }));
  } else if (mode === '--memory-long') {
    const r = timeRun(mm4(10_000_000, 36));
    console.log(JSON.stringify({ requests: r.requests, seconds: r.seconds, peakRssMB: peak() }));
  } else if (mode === '--affinity') {
    const c = { nodes: 1000, pods: 3000, affinity: true };
    microsPerRequest({ ...c, seconds: 1 });
    const { micros, setupSeconds } = marginalMicros(c, 10);
    console.log(JSON.stringify({ requests: 0, seconds: setupSeconds, peakRssMB: peak(), micros }));
  } else if (mode === '--cluster-size') {
    // Set-up: a replication of 10 ms simulated; then the 10 s one issue 10 timed.
    const c = { nodes: Number(process.argv[3]), pods: Number(process.argv[4]) };
    const setup = timeCase({ ...c, seconds: 0.01 });
    const r = timeCase({ ...c, seconds: 10 });
    console.log(JSON.stringify({ requests: r.requests, seconds: r.seconds, setupSeconds: setup.seconds, peakRssMB: peak() }));
  }
}

function main(): void {
  const mode = process.argv[2];
  if (mode?.startsWith('--')) return childMain(mode);
  console.log(`svcsim bench (node ${process.version})`);
  timeRun(referenceScenario(5)); // warm the JIT
  // The median of 5 runs of 100 simulated seconds (one run moved by ±7% from the next on these machines).
  const runs = Array.from({ length: 5 }, () => timeRun(referenceScenario(100))).sort((x, y) => x.seconds - y.seconds);
  const ref = runs[2];
  const rate = (r: { requests: number; seconds: number }) => (r.requests / r.seconds / 1e6).toFixed(2);
  console.log(
    `reference (LB, 10 nodes, 30 pods): ${ref.requests} requests in ${ref.seconds.toFixed(2)} s = ` +
      `${rate(ref)} M simulated requests/s per worker (median of ${runs.length} runs, ${rate(runs[runs.length - 1])}–${rate(runs[0])}), ${(ref.events / ref.seconds / 1e6).toFixed(2)} M events/s`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'svcsim-bench-'));
  try {
    // Each run writes a results folder of its own, as a first run does (replacing an old one costs a removal).
    // 11 pairs: on a shared virtual machine the median of 5 moved by ±10% from one bench to the next.
    const pairs = 11;
    const p = paired((i) => [CLI, 'run', MM4, '--no-charts', '--quiet', '--out', join(dir, `mm4-${i}`)], [SIMJS, '1000000'], pairs);
    console.log(`M/M/4 (λ 3.6/s, μ 1/s, c 4, 10^6 requests), whole process, median of ${pairs} pairs:`);
    console.log(`  svcsim run --no-charts: ${fmtProcess(p.a)}`);
    console.log(`  simjs 2.0.3:            ${fmtProcess(p.b)}`);
    console.log(`  svcsim / simjs: ${p.wallRatio.toFixed(2)}× wall, ${p.cpuRatio.toFixed(2)}× CPU (target < 1, and < 150 MB)`);

    const mem = child('--memory');
    console.log(`memory: ${mem.requests} requests in one replication of the reference scenario (${mem.seconds.toFixed(1)} s): peak RSS ${mem.peakRssMB.toFixed(0)} MB`);
    const long = child('--memory-long');
    console.log(`memory: ${long.requests} requests over 277 778 s (M/M/40 at 36/s, ${long.seconds.toFixed(1)} s): peak RSS ${long.peakRssMB.toFixed(0)} MB (target < 200 MB)`);

    benchCalls();
    podsTable();
    const aff = child('--affinity');
    console.log(
      `1000 nodes, 3000 pods, ClientIP affinity, 10 000 clients, 20 000 requests/s: ${aff.micros!.toFixed(2)} µs per request once set up (set-up ${aff.seconds.toFixed(1)} s), peak RSS ${aff.peakRssMB.toFixed(0)} MB (target < 2 µs, < 300 MB)`,
    );

    console.log('cluster size, one 10 s replication at 20 000 requests/s (iptables, LB over nodes); set-up and memory must follow nodes + pods:');
    for (const [nodes, pods, label] of [
      [1000, 10_000, '10^3 nodes, 10^4 pods'],
      [3000, 30_000, '3·10^3 nodes, 3·10^4 pods'],
      [10_000, 100_000, '10^4 nodes, 10^5 pods (the schema maximum)'],
    ] as const) {
      const r = child('--cluster-size', String(nodes), String(pods));
      console.log(`  ${label.padEnd(44)} ${r.seconds.toFixed(2)} s (set-up ${r.setupSeconds!.toFixed(2)} s), peak RSS ${r.peakRssMB.toFixed(0)} MB`);
    }

    const whatIfRuns = 7;
    const whatIf = paired((i) => [CLI, 'run', 'scenarios/default.yaml', '--set', 'simulation.duration=1s', '--replications', '1', '--quiet', '--out', join(dir, `what-if-${i}`)], ['-e', '0'], whatIfRuns);
    console.log(`1-second what-if of the default scenario with charts, whole process, median of ${whatIfRuns}: ${fmtProcess(whatIf.a)} (target ≤ 1.0 s); a bare node start: ${fmtProcess(whatIf.b)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Worker scaling runs in its own process: bench/scaling.ts.
  execFileSync(process.execPath, [fileURLToPath(new URL('./scaling.js', import.meta.url))], { stdio: 'inherit' });
}

main();
