/**
 * The data path, hop by hop: who gets the traffic (Local vs Cluster), what
 * every hop costs, keep-alive pinning, affinity, topology, and what the
 * client sees when the path has no endpoint.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseScenarioText } from '../src/scenario/load.js';
import { resolved } from '../src/scenario/resolved.js';
import { Simulation } from '../src/sim/simulation.js';
import { interval, metric, replicate, scenarioFrom, webService } from './helpers/scenario.js';


/** Three nodes in one zone: node-0 has 1 pod, node-1 has 3, node-2 none; an LB in front. */
function unevenLb(policy: 'Cluster' | 'Local', extra: Record<string, unknown> = {}) {
  return scenarioFrom({
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: 'uneven' },
    simulation: { duration: 20, warmup: 1, replications: 8 },
    cluster: { nodes: [{ name: 'node', count: 3 }] },
    workloads: [{ name: 'web', replicas: 4, placement: { 'node-0': 1, 'node-1': 3 }, ports: [8080], concurrency: 100, serviceTime: '1ms' }],
    services: [webService({ type: 'LoadBalancer', externalTrafficPolicy: policy })],
    traffic: [{ name: 'users', to: { service: 'web', port: 80, via: 'loadBalancer' }, arrival: { process: 'poisson', rate: 2000 }, clients: 5000, ...extra }],
  });
}

function podShares(results: Awaited<ReturnType<typeof replicate>>, pod: string): number[] {
  return results.map((r) => r.pods.find((p) => p.pod === pod)!.share);
}

describe('who gets the traffic', () => {
  it('externalTrafficPolicy Cluster: every pod gets 1/E and 1 − E_T/(N·E) of attempts leave their node', async () => {
    const results = await replicate(unevenLb('Cluster'));
    for (const pod of ['web-0', 'web-1', 'web-2', 'web-3']) {
      const { mean, halfWidth } = interval(podShares(results, pod));
      expect(Math.abs(mean - 1 / 4)).toBeLessThanOrEqual(halfWidth);
    }
    const cross = interval(metric(results, 'cross_node_ratio'));
    expect(Math.abs(cross.mean - (1 - 4 / (3 * 4)))).toBeLessThanOrEqual(cross.halfWidth);
  });

  it('externalTrafficPolicy Local: a pod on node k gets (1/M)(1/e_k) and nothing crosses nodes', async () => {
    const results = await replicate(unevenLb('Local'));
    const lone = interval(podShares(results, 'web-0'));
    expect(Math.abs(lone.mean - 1 / 2)).toBeLessThanOrEqual(lone.halfWidth);
    for (const pod of ['web-1', 'web-2', 'web-3']) {
      const { mean, halfWidth } = interval(podShares(results, pod));
      expect(Math.abs(mean - 1 / 6)).toBeLessThanOrEqual(halfWidth);
    }
    expect(metric(results, 'cross_node_ratio').every((x) => x === 0)).toBe(true);
    // The LB never sends to node-2, which has no local endpoint.
    expect(results.every((r) => r.nodes.find((n) => n.node === 'node-2')!.received === 0)).toBe(true);
    expect(metric(results, 'failed').every((x) => x === 0)).toBe(true);
  });

  it('trafficDistribution PreferClose keeps connections in the zone when it has endpoints', async () => {
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'zones' },
      simulation: { duration: 5, replications: 2 },
      cluster: { nodes: [{ name: 'a', zone: 'za', count: 2 }, { name: 'b', zone: 'zb', count: 2 }] },
      workloads: [{ name: 'web', replicas: 4, ports: [8080], concurrency: 100, serviceTime: '1ms' }],
      services: [webService({ trafficDistribution: 'PreferClose' })],
      traffic: [{ name: 'inside', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { zone: 'za' }, arrival: { process: 'poisson', rate: 1000 } }],
    });
    const results = await replicate(s);
    expect(metric(results, 'cross_zone_ratio').every((x) => x === 0)).toBe(true);
    expect(metric(results, 'requests').every((x) => x > 4000)).toBe(true);
  });
});

describe('what every hop costs', () => {
  const hops = (handshake: boolean) =>
    scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'hops' },
      simulation: { duration: 5, replications: 1 },
      cluster: {
        nodes: [{ name: 'n', zone: 'z1', count: 2 }],
        latency: { sameNode: '0.05ms', sameZone: '0.15ms', crossZone: '0.8ms', proxy: '0.02ms' },
      },
      workloads: [{ name: 'web', replicas: 2, placement: { 'n-0': 2 }, ports: [8080], concurrency: 100000, serviceTime: '10ms' }],
      services: [webService({ type: 'LoadBalancer' })],
      loadBalancers: [{ service: 'web', latency: '0.5ms' }],
      traffic: [{ name: 'users', to: { service: 'web', port: 80, via: 'loadBalancer' }, latency: '5ms', arrival: { process: 'poisson', rate: 500 }, handshake }],
    });

  it('M/M/∞ with constant hops: latency is exactly the hops both ways, kube-proxy once, plus service', async () => {
    const [r] = await replicate(hops(false));
    // Via node n-0 (pods local): 2·(5 + 0.5 + 0.05) + 0.02 + 10; via n-1: 2·(5 + 0.5 + 0.15) + 0.02 + 10.
    const viaLocal = 2 * (5 + 0.5 + 0.05) + 0.02 + 10;
    const viaOther = 2 * (5 + 0.5 + 0.15) + 0.02 + 10;
    const m = (name: Parameters<typeof metric>[1]) => metric([r], name)[0];
    expect(m('latency_max_ms')).toBeCloseTo(viaOther, 9);
    expect(Math.abs(m('latency_p50_ms') / viaLocal - 1) < 0.001 || Math.abs(m('latency_p50_ms') / viaOther - 1) < 0.001).toBe(true);
    const cross = m('cross_node_ratio');
    expect(m('latency_mean_ms')).toBeCloseTo(viaLocal + cross * (viaOther - viaLocal), 9);
  });

  it('a handshake adds one round trip along the path to the pod', async () => {
    const [r] = await replicate(hops(true));
    const viaOther = 2 * (5 + 0.5 + 0.15) + 0.02 + 10 + 2 * (5 + 0.5 + 0.15);
    expect(metric([r], 'latency_max_ms')[0]).toBeCloseTo(viaOther, 9);
  });
});

describe('keep-alive, affinity and failures of the path', () => {
  it('keep-alive pins every request of a connection to one pod: one client with 1000 requests per connection lands on few pods', async () => {
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'keepalive' },
      simulation: { duration: 10, replications: 1 },
      cluster: { nodes: [{ name: 'n', count: 2 }] },
      workloads: [{ name: 'web', replicas: 6, ports: [8080], concurrency: 100, serviceTime: '1ms' }],
      services: [webService({})],
      traffic: [{ name: 'one', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n-0' }, arrival: { process: 'constant', rate: 100 }, clients: 1, requestsPerConnection: 1000 }],
    });
    const [r] = await replicate(s);
    const used = r.pods.filter((p) => p.requests > 0);
    expect(used.length).toBe(1);
    expect(used[0].requests).toBe(1000);
  });

  it('sessionAffinity ClientIP sends each client through one node to one pod', async () => {
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'affinity' },
      simulation: { duration: 10, replications: 1 },
      cluster: { nodes: [{ name: 'n', count: 2 }] },
      workloads: [{ name: 'web', replicas: 6, ports: [8080], concurrency: 100, serviceTime: '1ms' }],
      services: [webService({ sessionAffinity: 'ClientIP' })],
      traffic: [{ name: 'one', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n-0' }, arrival: { process: 'poisson', rate: 100 }, clients: 1 }],
    });
    const [r] = await replicate(s);
    expect(r.pods.filter((p) => p.requests > 0).length).toBe(1);
  });

  it('Local policy via a node without a local endpoint drops: the client times out after connectTimeout', async () => {
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'drop' },
      simulation: { duration: 5, replications: 1, drainLimit: 10 },
      cluster: { nodes: [{ name: 'n', count: 2 }] },
      workloads: [{ name: 'web', replicas: 1, placement: { 'n-0': 1 }, ports: [8080], concurrency: 100, serviceTime: '1ms' }],
      services: [webService({ type: 'NodePort', externalTrafficPolicy: 'Local' })],
      traffic: [{ name: 'direct', to: { service: 'web', port: 80, via: 'nodePort' }, entryNode: 'n-1', arrival: { process: 'poisson', rate: 100 }, connectTimeout: '3s' }],
    });
    const [r] = await replicate(s);
    const m = (name: Parameters<typeof metric>[1]) => metric([r], name)[0];
    expect(m('ok')).toBe(0);
    expect(m('failed_timeout')).toBe(m('requests'));
    expect(r.nodes.find((n) => n.node === 'n-1')!.dropped).toBe(m('requests'));
  });

  it('a Service with no endpoints refuses at once, and retries are counted', async () => {
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'refuse' },
      simulation: { duration: 5, replications: 1 },
      cluster: { nodes: [{ name: 'n', count: 1 }] },
      workloads: [{ name: 'web', replicas: 0, ports: [8080], serviceTime: '1ms' }],
      services: [webService({})],
      traffic: [{ name: 'inside', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n-0' }, arrival: { process: 'poisson', rate: 100 }, retries: 2 }],
    });
    const [r] = await replicate(s);
    const m = (name: Parameters<typeof metric>[1]) => metric([r], name)[0];
    expect(m('failed_refused')).toBe(m('requests'));
    expect(m('retries')).toBe(2 * m('requests'));
    expect(m('latency_max_ms')).toBeNaN();
  });

  it('a client timeout fails exactly the attempts slower than it', async () => {
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'timeouts' },
      simulation: { duration: 20, replications: 1 },
      cluster: { nodes: [{ name: 'n', count: 1 }] },
      workloads: [{ name: 'web', replicas: 1, ports: [8080], concurrency: 1000, serviceTime: { dist: 'empirical', values: ['1ms', '500ms'], weights: [0.9, 0.1] } }],
      services: [webService({})],
      traffic: [{ name: 'inside', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n-0' }, arrival: { process: 'poisson', rate: 100 }, timeout: '100ms' }],
    });
    const [r] = await replicate(s);
    const m = (name: Parameters<typeof metric>[1]) => metric([r], name)[0];
    const share = m('failed_timeout') / m('requests');
    expect(Math.abs(share - 0.1)).toBeLessThan(4 * Math.sqrt(0.09 / m('requests')));
    expect(m('latency_max_ms')).toBeLessThan(100);
  });
});

describe('arrival processes and load balancer algorithms', () => {
  const base = (extra: Record<string, unknown>, lb: Record<string, unknown> = {}) =>
    scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'arrivals' },
      simulation: { duration: 20, replications: 1, timeBucket: '5s' },
      cluster: { nodes: [{ name: 'n', count: 4 }] },
      workloads: [{ name: 'web', replicas: 4, ports: [8080], concurrency: 100, serviceTime: '1ms' }],
      services: [webService({ type: 'LoadBalancer' })],
      loadBalancers: [{ service: 'web', ...lb }],
      traffic: [{ name: 'users', to: { service: 'web', port: 80, via: 'loadBalancer' }, arrival: { process: 'poisson', rate: 400 }, ...extra }],
    });

  it('a schedule changes the rate at each step (Poisson counts within 4 standard deviations)', async () => {
    const s = base({ arrival: { process: 'schedule', steps: [{ at: '5s', rate: 100 }, { at: '10s', rate: 400, process: 'constant' }, { at: '15s', rate: 0 }] } });
    const [r] = await replicate(s);
    const [b0, b1, b2, b3] = r.timeseries.requests;
    expect(b0).toBe(0); // before the first step there is no traffic
    expect(Math.abs(b1 - 500)).toBeLessThan(4 * Math.sqrt(500));
    expect(b2).toBe(2000); // constant: exactly rate × 5 s
    expect(b3).toBe(0);
  });

  it('a trace file gives exactly its arrivals', async () => {
    const text = stringify({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'trace' },
      simulation: { duration: 10, replications: 1 },
      cluster: { nodes: [{ name: 'n' }] },
      workloads: [{ name: 'web', replicas: 1, ports: [8080], serviceTime: '1ms' }],
      services: [webService({})],
      traffic: [{ name: 'replay', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n' }, arrival: { process: 'trace', file: 'arrivals.csv' } }],
    });
    const s = parseScenarioText(text, 'test/fixtures/scenarios/trace.yaml').scenario;
    const [r] = await replicate(s);
    expect(metric([r], 'requests')[0]).toBe(6);
    expect(r.timeseries.requests.slice(0, 5)).toEqual([1, 2, 1, 1, 1]);
  });

  it('roundRobin spreads connections over the nodes in turn', async () => {
    const [r] = await replicate(base({}, { algorithm: 'roundRobin' }));
    const received = r.nodes.map((n) => n.received);
    expect(Math.max(...received) - Math.min(...received)).toBeLessThanOrEqual(1);
  });

  it('leastConnections sends long connections to the node with the fewest', async () => {
    await replicate(base({}), 0); // histograms ready
    const sim = new Simulation(resolved(base({ clients: 8, requestsPerConnection: 1_000_000 }, { algorithm: 'leastConnections' })), { replication: 0, rootSeed: 1 });
    sim.run();
    // 8 clients keep 8 connections open: two on each of the 4 nodes (a flow hash would rarely be this even).
    expect(sim.topo.nodes.map((n) => sim.lbs[0].open[n.index])).toEqual([2, 2, 2, 2]);
  });

  it('targets: pods sends straight to pod IPs: no node DNATs, no nodePort hop', async () => {
    const [r] = await replicate(base({}, { targets: 'pods' }));
    expect(r.nodes.every((n) => n.received === 0)).toBe(true);
    expect(metric([r], 'cross_node_ratio')[0]).toBeNaN();
    expect(metric([r], 'ok')[0]).toBeGreaterThan(7000);
  });

  it('IPVS sh sends every connection of one client to the same pod', async () => {
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'sh' },
      simulation: { duration: 5, replications: 1 },
      cluster: { nodes: [{ name: 'n' }], proxyMode: 'ipvs', ipvsScheduler: 'sh' },
      workloads: [{ name: 'web', replicas: 5, ports: [8080], concurrency: 100, serviceTime: '1ms' }],
      services: [webService({})],
      traffic: [{ name: 'one', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n' }, arrival: { process: 'poisson', rate: 200 }, clients: 1 }],
    });
    const [r] = await replicate(s);
    expect(r.pods.filter((p) => p.requests > 0)).toHaveLength(1);
  });
});
