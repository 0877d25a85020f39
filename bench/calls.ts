/**
 * Call graphs in `npm run bench`: a chain of 1 and of 3 tiers (each pod
 * calls the next tier's Service once, M/M/∞ pods, zero latencies), the same
 * edge requests. A 3-tier chain makes 3 requests per edge request, so it
 * should cost at most 3× a single tier per edge request; the figure says how
 * close, and peak in-flight shows memory stays with what is in flight.
 */
import { runReplication } from '../src/sim/replication.js';
import { median } from './processes.js';
import { resolvedScenario } from './reference.js';

/** A chain of `tiers` Services (each pod calls the next tier once), `requests` edge requests at 1000/s. */
export function chainScenario(tiers: number, requests: number): object {
  const rate = 1000;
  const names = Array.from({ length: tiers }, (_, i) => `tier${i}`);
  const obj = {
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: `bench-chain-${tiers}` },
    simulation: { duration: requests / rate, warmup: 0, replications: 1, seed: 1, drainLimit: 1e6 },
    cluster: { nodes: [{ name: 'n0' }, { name: 'n1' }, { name: 'n2' }], latency: { sameNode: 0, sameZone: 0, crossZone: 0, proxy: 0 } },
    workloads: names.map((name, i) => ({ name, replicas: 3, ports: [8080], concurrency: 100_000, serviceTime: { dist: 'exponential', mean: '1ms' }, calls: i + 1 < tiers ? [{ service: names[i + 1], port: 80 }] : [] })),
    services: names.map((name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } })),
    traffic: [{ name: 'load', to: { service: 'tier0', port: 80, via: 'clusterIP' }, from: { node: 'n0' }, arrival: { process: 'poisson', rate }, handshake: false }],
  };
  return obj;
}

function perEdgeRequest(tiers: number, requests: number): { microseconds: number; peakInFlight: number } {
  const s = resolvedScenario(chainScenario(tiers, requests));
  const t0 = process.hrtime.bigint();
  const r = runReplication(s, { variant: 0, replication: 0, rootSeed: 1 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { microseconds: (seconds / r.simulatedRequests) * 1e6, peakInFlight: r.peakInFlight };
}

export function benchCalls(): void {
  perEdgeRequest(3, 20_000); // warm the JIT
  perEdgeRequest(1, 20_000);
  // Pairs, one tier then three, and the median ratio: one pair moved by ±10% from run to run on these machines.
  const pairs = 5;
  const ratios: number[] = [];
  // A first pair at the measured size, not counted: more warm-up, in case V8 still compiles.
  let one = perEdgeRequest(1, 200_000);
  let three = perEdgeRequest(3, 200_000);
  for (let i = 0; i < pairs; i++) {
    one = perEdgeRequest(1, 200_000);
    three = perEdgeRequest(3, 200_000);
    ratios.push(three.microseconds / one.microseconds);
  }
  console.log(
    `calls: a 3-tier chain costs ${median(ratios).toFixed(2)}× one tier per edge request (median of ${pairs} pairs, ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}; at most 3× expected); ` +
      `last pair ${three.microseconds.toFixed(2)} vs ${one.microseconds.toFixed(2)} µs; peak in flight ${three.peakInFlight} vs ${one.peakInFlight}`,
  );
}
