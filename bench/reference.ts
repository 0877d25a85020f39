/**
 * The benchmarks' scenarios. The reference scenario (issue: the data path's
 * speed): a LoadBalancer Service, 10 nodes in 2 zones, 30 pods of 4 slots,
 * Poisson arrivals, 1 ms exponential service, no failures.
 */
import { stringify } from 'yaml';
import { parseScenarioText } from '../src/scenario/load.js';
import { resolved, type ResolvedScenario } from '../src/scenario/resolved.js';

/** A benchmark's scenario object, checked and resolved as a scenario file would be (`file` names it in messages only). */
export function resolvedScenario(obj: object, file = 'bench.yaml'): ResolvedScenario {
  return resolved(parseScenarioText(stringify(obj), file).scenario);
}

export function referenceScenario(duration: number, rate = 20000) {
  return {
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: 'bench-reference' },
    simulation: { duration, warmup: 0, replications: 8, seed: 1 },
    cluster: { nodes: [{ name: 'a', zone: 'a', count: 5 }, { name: 'b', zone: 'b', count: 5 }] },
    workloads: [{ name: 'web', replicas: 30, ports: [8080], concurrency: 4, serviceTime: { dist: 'exponential', mean: '1ms' } }],
    services: [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    ],
    traffic: [{ name: 'users', to: { service: 'web', port: 80, via: 'loadBalancer' }, arrival: { process: 'poisson', rate }, clients: 10000 }],
  };
}

/**
 * The M/M/4 model (λ 3.6/s, μ 1/s, 4 servers, every latency zero; bench/mm4.yaml
 * for the CLI), `requests` of them on average; at a higher rate, more slots at
 * the same load.
 */
export function mm4(requests: number, rate = 3.6) {
  return {
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: 'bench-mm4' },
    simulation: { duration: requests / rate, warmup: 0, replications: 1, seed: 1, drainLimit: 1e6 },
    cluster: { nodes: [{ name: 'n' }], latency: { sameNode: 0, sameZone: 0, crossZone: 0, proxy: 0 } },
    workloads: [{ name: 'q', replicas: 1, ports: [8080], concurrency: Math.round((4 * rate) / 3.6), serviceTime: { dist: 'exponential', mean: 1 } }],
    services: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'q' }, spec: { selector: { app: 'q' }, ports: [{ port: 80, targetPort: 8080 }] } }],
    traffic: [{ name: 'load', to: { service: 'q', port: 80, via: 'clusterIP' }, from: { node: 'n' }, arrival: { process: 'poisson', rate }, handshake: false }],
  };
}
