/**
 * The benchmarks' reference scenario (issue: the data path's speed): a
 * LoadBalancer Service, 10 nodes in 2 zones, 30 pods of 4 slots, Poisson
 * arrivals, 1 ms exponential service, no failures.
 */
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
