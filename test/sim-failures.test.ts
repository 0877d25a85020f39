/**
 * Failures and who learns what, when: the LB through its health checks,
 * kube-proxies through nodeMonitorGracePeriod + endpointPropagation + sync,
 * replacements after podEvictionTimeout + startupTime.
 */
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../src/sim/result.js';
import { resolved } from '../src/scenario/resolved.js';
import { Simulation } from '../src/sim/simulation.js';
import { replicate, scenarioFrom, webService } from './helpers/scenario.js';


/** Sums of a time series over buckets [from, to). */
function sum(series: number[], from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += series[i];
  return s;
}

describe('a crashed node and the load balancer', () => {
  // 4 nodes; pods only on n-1..n-3, so kube-proxies never route to n-0: only the LB does.
  const I = 10;
  const k = 3;
  const timeout = 2;
  const crashAt = 20;
  const scenario = () =>
    scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'lb-eject' },
      simulation: { duration: 70, replications: 4 },
      cluster: { nodes: [{ name: 'n', count: 4 }] },
      workloads: [{ name: 'web', replicas: 3, placement: { 'n-1': 1, 'n-2': 1, 'n-3': 1 }, ports: [8080], concurrency: 100, serviceTime: '1ms' }],
      services: [webService({ type: 'LoadBalancer' })],
      loadBalancers: [{ service: 'web', healthCheck: { interval: I, timeout, unhealthyThreshold: k, healthyThreshold: 2 } }],
      traffic: [{ name: 'users', to: { service: 'web', port: 80, via: 'loadBalancer' }, arrival: { process: 'poisson', rate: 1000 }, connectTimeout: '1s' }],
      failures: [{ at: crashAt, node: 'n-0' }],
    });

  it('sends 1/N of new connections to the dead node until it is ejected, between (k−1)·I and k·I plus the probe timeout', async () => {
    const results = await replicate(scenario());
    for (const r of results) {
      const ts = r.timeseries;
      expect(sum(ts.failed, 0, crashAt)).toBe(0);
      // Before the earliest possible ejection every connection has a 1/4 chance of the dead node.
      const lo = crashAt;
      const hi = crashAt + (k - 1) * I + timeout;
      const n = sum(ts.requests, lo, hi);
      const share = sum(ts.failed, lo, hi) / n;
      expect(Math.abs(share - 1 / 4)).toBeLessThan(4 * Math.sqrt((0.25 * 0.75) / n));
      // After the latest possible ejection, none.
      expect(sum(ts.failed, crashAt + k * I + timeout + 1, ts.failed.length)).toBe(0);
      expect(r.nodes.find((x) => x.node === 'n-0')!.dropped).toBe(sum(ts.failed, 0, ts.failed.length));
    }
  });

  it('ejects the dead node at the k-th failed probe after the crash, plus the probe timeout', () => {
    const sim = new Simulation(resolved(scenario()), { replication: 0, rootSeed: 1, recordControlPlane: true });
    sim.run();
    const ejected = sim.controlLog!.find((e) => e.message.includes('n-0 marked unhealthy'));
    expect(ejected).toBeDefined();
    expect(ejected!.t).toBeGreaterThan(crashAt + (k - 1) * I + timeout);
    expect(ejected!.t).toBeLessThanOrEqual(crashAt + k * I + timeout);
  });
});

describe('a crashed node and the kube-proxies', () => {
  const grace = 20;
  const lease = 10;
  const monitor = 5;
  const crashAt = 10;
  const scenario = () =>
    scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'grace' },
      simulation: { duration: 100, replications: 3 },
      cluster: {
        nodes: [{ name: 'n', count: 3 }],
        controlPlane: { nodeMonitorGracePeriod: grace, nodeMonitorPeriod: monitor, nodeLeaseInterval: lease, endpointPropagation: '1s', proxyMinSyncPeriod: '1s', podEvictionTimeout: '30s' },
      },
      workloads: [{ name: 'web', replicas: 3, ports: [8080], concurrency: 100, serviceTime: '1ms', startupTime: '5s' }],
      services: [webService({})],
      traffic: [{ name: 'inside', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n-0' }, arrival: { process: 'poisson', rate: 500 }, connectTimeout: '500ms' }],
      failures: [{ at: crashAt, node: 'n-2' }],
    });

  it('keep choosing the dead pods until nodeMonitorGracePeriod after the last heartbeat, plus propagation and sync', async () => {
    const results = await replicate(scenario());
    for (const r of results) {
      const ts = r.timeseries;
      const before = crashAt + grace - lease + 1; // earliest possible sync
      const n = sum(ts.requests, crashAt, before);
      const share = sum(ts.failed, crashAt, before) / n;
      expect(Math.abs(share - 1 / 3)).toBeLessThan(4 * Math.sqrt((2 / 9) / n));
      expect(sum(ts.failed, crashAt + grace + monitor + 1 + 1 + 1, ts.failed.length)).toBe(0);
    }
  });

  it('mark the node NotReady at a node-monitor check, within one lease interval before the grace period ends plus one monitor period, and replace its pods podEvictionTimeout + startupTime later', () => {
    const sim = new Simulation(resolved(scenario()), { replication: 0, rootSeed: 1, recordControlPlane: true });
    sim.run();
    const log = sim.controlLog!;
    const notReady = log.find((e) => e.message.includes('n-2 marked NotReady'))!;
    expect(notReady.t).toBeGreaterThan(crashAt + grace - lease);
    expect(notReady.t).toBeLessThanOrEqual(crashAt + grace + monitor);
    const created = log.find((e) => e.message.includes('replacement web-3'))!;
    expect(created.t).toBeCloseTo(notReady.t + 30, 9);
    const ready = log.find((e) => e.message.startsWith('pod web-3 ready'))!;
    expect(ready.t).toBeCloseTo(created.t + 5, 9);
    expect(created.message).not.toContain('n-2');
  });

  it('serve traffic from the replacement pod once it is ready', async () => {
    const [r] = await replicate(scenario(), 1);
    const replacement = r.pods.find((p) => p.pod === 'web-3')!;
    expect(replacement.node).not.toBe('n-2');
    expect(replacement.requests).toBeGreaterThan(0);
  });
});

describe('the node lifecycle controller checks leases every nodeMonitorPeriod', () => {
  // Heartbeats every instant (lease 0), so the grace period ends exactly 20 s after each crash.
  const crashes = [10, 13.7];
  const grace = 20;
  const period = 5;
  const scenario = () =>
    scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'monitor' },
      simulation: { duration: 60, replications: 1 },
      cluster: { nodes: [{ name: 'n', count: 3 }], controlPlane: { nodeMonitorGracePeriod: grace, nodeMonitorPeriod: period, nodeLeaseInterval: 0 } },
      workloads: [{ name: 'web', replicas: 3, ports: [8080], serviceTime: '1ms' }],
      services: [webService({})],
      traffic: [{ name: 'inside', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n-0' }, arrival: { process: 'poisson', rate: 1 } }],
      failures: crashes.map((at, i) => ({ at, node: `n-${i + 1}` })),
    });

  it('marks a node NotReady at its first check at or after the grace period: within one period, and on the same grid for every node', () => {
    const lags: number[] = [];
    for (let replication = 0; replication < 40; replication++) {
      const sim = new Simulation(resolved(scenario()), { replication, rootSeed: 7, recordControlPlane: true });
      sim.run();
      const marks = crashes.map((at, i) => sim.controlLog!.find((e) => e.message.includes(`n-${i + 1} marked NotReady`))!.t - (at + grace));
      for (const lag of marks) {
        expect(lag).toBeGreaterThanOrEqual(0);
        expect(lag).toBeLessThan(period);
      }
      // One controller, one grid of checks: the two marks are a whole number of periods apart.
      const apart = (crashes[1] + marks[1] - (crashes[0] + marks[0])) / period;
      expect(Math.abs(apart - Math.round(apart))).toBeLessThan(1e-9);
      lags.push(marks[0]);
    }
    // The phase is uniform per replication: the lag averages period/2 (99% interval of a uniform's mean over 40).
    const mean = lags.reduce((a, b) => a + b, 0) / lags.length;
    expect(Math.abs(mean - period / 2)).toBeLessThan((2.708 * period) / Math.sqrt(12 * lags.length));
  });
});

describe('a crashed pod on a live node', () => {
  it('is refused (not timed out) until the kube-proxies learn, and serves again after restartAfter', async () => {
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'pod-crash' },
      simulation: { duration: 40, replications: 2 },
      cluster: { nodes: [{ name: 'n', count: 2 }], controlPlane: { endpointPropagation: '1s', proxyMinSyncPeriod: '1s' } },
      workloads: [{ name: 'web', replicas: 2, ports: [8080], concurrency: 100, serviceTime: '1ms' }],
      services: [webService({})],
      traffic: [{ name: 'inside', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n-0' }, arrival: { process: 'poisson', rate: 500 } }],
      failures: [{ at: 10, pod: 'web-1', restartAfter: '15s' }],
    });
    const results = await replicate(s);
    for (const r of results) {
      const ts = r.timeseries;
      expect(sum(ts.failed, 0, 10)).toBe(0);
      expect(sum(ts.failed, 10, 12)).toBeGreaterThan(0);
      expect(sum(ts.failed, 12, ts.failed.length)).toBe(0);
      expect(r.scopes[0].metrics[METRIC_NAMES.indexOf('failed_timeout')]).toBe(0);
      // web-1 takes half the traffic before the crash and again from ~27 s: about
      // 0.5·(10 + 13)/40 ≈ 0.29 of it; had it not come back, 0.125.
      const share = r.pods.find((p) => p.pod === 'web-1')!.share;
      expect(share).toBeGreaterThan(0.22);
      expect(share).toBeLessThan(0.36);
    }
  });
});

describe('zone outages and random failures', () => {
  it('a zone outage takes down every node of the zone; its pods are replaced in the other zone', () => {
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'zone' },
      simulation: { duration: 60, replications: 1 },
      cluster: { nodes: [{ name: 'a', zone: 'za', count: 2 }, { name: 'b', zone: 'zb', count: 2 }], controlPlane: { nodeMonitorGracePeriod: '10s', podEvictionTimeout: '5s' } },
      workloads: [{ name: 'web', replicas: 4, ports: [8080], concurrency: 10, serviceTime: '1ms', startupTime: '2s' }],
      services: [webService({})],
      traffic: [{ name: 'inside', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { zone: 'zb' }, arrival: { process: 'poisson', rate: 200 }, connectTimeout: '1s' }],
      failures: [{ at: 10, zone: 'za' }],
    });
    const sim = new Simulation(resolved(s), { replication: 0, rootSeed: 1, recordControlPlane: true });
    sim.run();
    const log = sim.controlLog!.map((e) => e.message);
    expect(log).toContain('node a-0 crashed');
    expect(log).toContain('node a-1 crashed');
    const replacements = log.filter((m) => m.includes('replacement'));
    expect(replacements).toHaveLength(2);
    for (const m of replacements) expect(m).toMatch(/created on b-\d$/);
  });

  it('random node failures (MTBF, MTTR) keep each node down about MTTR/(MTBF + MTTR) of the time', () => {
    const mtbf = 40;
    const mttr = 10;
    const horizon = 4000;
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'random' },
      simulation: { duration: horizon, replications: 1 },
      cluster: { nodes: [{ name: 'n', count: 4 }] },
      workloads: [{ name: 'web', replicas: 4, ports: [8080], serviceTime: '1ms' }],
      services: [webService({})],
      traffic: [{ name: 'inside', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n-0' }, arrival: { process: 'poisson', rate: 1 } }],
      failures: [{ random: { mtbf: `${mtbf}s`, mttr: `${mttr}s` }, scope: 'nodes' }],
    });
    const sim = new Simulation(resolved(s), { replication: 0, rootSeed: 3, recordControlPlane: true });
    sim.run();
    let down = 0;
    let cycles = 0;
    const since = new Map<string, number>();
    for (const e of sim.controlLog!) {
      const m = /^node (\S+) (crashed|recovered)$/.exec(e.message);
      if (!m) continue;
      if (m[2] === 'crashed') {
        since.set(m[1], e.t);
        cycles++;
      } else {
        down += e.t - since.get(m[1])!;
        since.delete(m[1]);
      }
    }
    for (const t of since.values()) down += horizon - t;
    const share = down / (4 * horizon);
    // About 4·4000/50 = 320 cycles: the down share 0.2 has a standard error near 0.01.
    expect(cycles).toBeGreaterThan(250);
    expect(Math.abs(share - mttr / (mtbf + mttr))).toBeLessThan(0.04);
  });

  it('kept-alive connections pinned to a dead pod fail at the client timeout (conntrack keeps them)', async () => {
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'pinned' },
      simulation: { duration: 20, replications: 1 },
      cluster: { nodes: [{ name: 'n', count: 2 }] },
      workloads: [{ name: 'web', replicas: 2, ports: [8080], concurrency: 10, serviceTime: '1ms' }],
      services: [webService({})],
      traffic: [{ name: 'inside', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'n-0' }, arrival: { process: 'poisson', rate: 100 }, clients: 5, requestsPerConnection: 100000, timeout: '300ms' }],
      failures: [{ at: 10, node: 'n-1' }],
    });
    const [r] = await replicate(s);
    const m = (name: (typeof METRIC_NAMES)[number]) => r.scopes[0].metrics[METRIC_NAMES.indexOf(name)];
    expect(m('failed_timeout')).toBeGreaterThan(0);
    expect(m('failed_refused')).toBe(0);
    // Each failure closes its connection; the client reconnects, sometimes to the dead pod again
    // (kube-proxy does not know yet): a handful of failures, not every request after the crash.
    expect(m('failed_timeout')).toBeLessThan(60);
  });
});
