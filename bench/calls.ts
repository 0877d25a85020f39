/**
 * Call graphs in `npm run bench`: a chain of 1 and of 3 tiers (each pod
 * calls the next tier's Service once, M/M/∞ pods, zero latencies), the same
 * edge requests. A 3-tier chain makes 3 requests per edge request, so it
 * should cost at most 3× a single tier per edge request; the figure says how
 * close, and peak in-flight shows memory stays with what is in flight.
 */
import { runReplication } from '../src/sim/replication.js';
import { resolvedScenario } from './reference.js';

function chain(tiers: number, requests: number) {
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
  return resolvedScenario(obj);
}

function perEdgeRequest(tiers: number, requests: number): { microseconds: number; peakInFlight: number } {
  const s = chain(tiers, requests);
  const t0 = process.hrtime.bigint();
  const r = runReplication(s, { variant: 0, replication: 0, rootSeed: 1 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { microseconds: (seconds / r.simulatedRequests) * 1e6, peakInFlight: r.peakInFlight };
}

export function benchCalls(): void {
  perEdgeRequest(3, 20_000); // warm the JIT
  const one = perEdgeRequest(1, 500_000);
  const three = perEdgeRequest(3, 500_000);
  console.log(
    `calls: a 3-tier chain costs ${three.microseconds.toFixed(2)} µs per edge request vs ${one.microseconds.toFixed(2)} µs for one tier ` +
      `(${(three.microseconds / one.microseconds).toFixed(2)}×, at most 3× expected); peak in flight ${three.peakInFlight} vs ${one.peakInFlight}`,
  );
}
