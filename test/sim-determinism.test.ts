/**
 * A replication is a pure function of (scenario, root seed, replication):
 * the same inputs give the same record, following requests with `trace`
 * does not change what is drawn, and replications differ from each other.
 */
import { describe, expect, it } from 'vitest';
import { resolved } from '../src/scenario/resolved.js';
import { Simulation } from '../src/sim/simulation.js';
import { Tracer } from '../src/sim/tracer.js';
import { collect } from '../src/sim/replication.js';
import { replicate, scenarioFrom } from './helpers/scenario.js';

const scenario = () =>
  scenarioFrom({
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: 'det' },
    simulation: { duration: 20, warmup: 2, replications: 2 },
    cluster: { nodes: [{ name: 'a', zone: 'za', count: 2 }, { name: 'b', zone: 'zb', count: 2 }], latency: { sameZone: { dist: 'lognormal', median: '0.2ms', p99: '1ms' } } },
    workloads: [{ name: 'web', replicas: 5, ports: [8080], concurrency: 2, queueCapacity: 20, serviceTime: { dist: 'gamma', mean: '4ms', cv: 1.5 } }],
    services: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } }],
    traffic: [{ name: 'users', to: { service: 'web', port: 80, via: 'loadBalancer' }, arrival: { process: 'poisson', rate: 1500 }, requestsPerConnection: 5, timeout: '50ms', retries: 1 }],
    failures: [{ at: 8, node: 'a-1', recoverAfter: 5 }],
  });

describe('determinism', () => {
  it('gives the same record for the same scenario, seed and replication', async () => {
    const [a] = await replicate(scenario(), 1, 42);
    const [b] = await replicate(scenario(), 1, 42);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('draws different numbers in different replications and seeds', async () => {
    const [a, b] = await replicate(scenario(), 2, 42);
    const [c] = await replicate(scenario(), 1, 43);
    expect(a.latencyHistogram).not.toBe(b.latencyHistogram);
    expect(a.latencyHistogram).not.toBe(c.latencyHistogram);
  });

  it('is not changed by tracing requests', async () => {
    const [plain] = await replicate(scenario(), 1, 42);
    const s = scenario();
    const tracer = new Tracer(1e9, 0);
    const sim = new Simulation(resolved(s), { replication: 0, rootSeed: 42, tracer });
    sim.run();
    const traced = collect(sim, { variant: 0, replication: 0, rootSeed: 42 });
    expect({ ...traced, events: 0 }).toEqual({ ...plain, events: 0 });
    expect(tracer.text()).toContain('kube-proxy on');
  });
});
