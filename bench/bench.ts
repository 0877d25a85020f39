/**
 * `npm run bench`: how fast one worker simulates, and how much memory a long
 * replication needs. Not a test: it prints figures for the notes.
 *
 * 1. Reference scenario (LoadBalancer, 10 nodes in 2 zones, 30 pods, Poisson
 *    arrivals, exponential service, no failures): simulated requests/s and
 *    engine events/s of one replication in this thread.
 * 2. The anchors' M/M/4 model (λ = 3.6/s, μ = 1/s, 10⁶ requests): wall time.
 * 3. Memory: a 10⁷-request replication in a fresh process, peak RSS.
 * 3b. Call graphs: a 3-tier chain against one tier, per edge request (bench/calls.ts).
 * 4. Scaling: bench/scaling.ts (8 replications on 1 and on 2 worker threads).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseScenarioText } from '../src/scenario/load.js';
import { resolved } from '../src/scenario/resolved.js';
import { runReplication } from '../src/sim/replication.js';
import { benchCalls } from './calls.js';
import { referenceScenario } from './reference.js';

function mm4(requests: number) {
  return {
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: 'bench-mm4' },
    simulation: { duration: requests / 3.6, warmup: 0, replications: 1, seed: 1, drainLimit: 1e6 },
    cluster: { nodes: [{ name: 'n' }], latency: { sameNode: 0, sameZone: 0, crossZone: 0, proxy: 0 } },
    workloads: [{ name: 'q', replicas: 1, ports: [8080], concurrency: 4, serviceTime: { dist: 'exponential', mean: 1 } }],
    services: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'q' }, spec: { selector: { app: 'q' }, ports: [{ port: 80, targetPort: 8080 }] } }],
    traffic: [{ name: 'load', to: { service: 'q', port: 80, via: 'clusterIP' }, from: { node: 'n' }, arrival: { process: 'poisson', rate: 3.6 }, handshake: false }],
  };
}

function load(obj: object) {
  return resolved(parseScenarioText(stringify(obj), 'bench.yaml').scenario);
}

function timeRun(obj: object): { seconds: number; requests: number; events: number } {
  const s = load(obj);
  const t0 = process.hrtime.bigint();
  const r = runReplication(s, { variant: 0, replication: 0, rootSeed: 1 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, requests: r.simulatedRequests, events: r.events };
}

function main(): void {
  const mode = process.argv[2];
  if (mode === '--memory') {
    // Child process: one replication of 10^7 requests, then report peak RSS.
    const r = timeRun(referenceScenario(500, 20000));
    const rss = process.resourceUsage().maxRSS / 1024;
    console.log(JSON.stringify({ requests: r.requests, seconds: r.seconds, peakRssMB: rss }));
    return;
  }
  console.log(`svcsim bench (node ${process.version})`);
  timeRun(referenceScenario(5)); // warm the JIT
  const ref = timeRun(referenceScenario(100));
  console.log(
    `reference (LB, 10 nodes, 30 pods): ${ref.requests} requests in ${ref.seconds.toFixed(2)} s = ` +
      `${(ref.requests / ref.seconds / 1e6).toFixed(2)} M simulated requests/s per worker, ${(ref.events / ref.seconds / 1e6).toFixed(2)} M events/s`,
  );
  const m = timeRun(mm4(1_000_000));
  console.log(`M/M/4 (λ 3.6/s, μ 1/s, 10^6 requests): ${m.seconds.toFixed(2)} s wall, ${(m.events / m.seconds / 1e6).toFixed(2)} M events/s`);
  benchCalls();
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, [self, '--memory'], { encoding: 'utf8' });
  const mem = JSON.parse(out.trim().split('\n').pop()!) as { requests: number; seconds: number; peakRssMB: number };
  console.log(`memory: ${mem.requests} requests in one replication (${mem.seconds.toFixed(1)} s): peak RSS ${mem.peakRssMB.toFixed(0)} MB`);
  // Worker scaling runs in its own process: bench/scaling.ts.
  execFileSync(process.execPath, [fileURLToPath(new URL('./scaling.js', import.meta.url))], { stdio: 'inherit' });
}

main();
