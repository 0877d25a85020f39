/**
 * The simulator never crashes on a valid scenario: random combinations of
 * Service types, policies, proxy modes, LB options, keep-alive, timeouts,
 * retries and failures run to the end, and their counts add up.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../src/sim/result.js';
import { replicate, scenarioFrom } from './helpers/scenario.js';

const m = (name: (typeof METRIC_NAMES)[number]) => METRIC_NAMES.indexOf(name);

const config = fc.record({
  type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'),
  etp: fc.constantFrom('Cluster', 'Local'),
  itp: fc.constantFrom('Cluster', 'Local'),
  affinity: fc.constantFrom('None', 'ClientIP'),
  distribution: fc.constantFrom(undefined, 'PreferClose', 'PreferSameNode'),
  proxyMode: fc.constantFrom('iptables', 'nftables', 'ipvs'),
  scheduler: fc.constantFrom('rr', 'lc', 'sh', 'wlc'),
  algorithm: fc.constantFrom('flowHash', 'roundRobin', 'leastConnections'),
  targets: fc.constantFrom('nodes', 'pods'),
  crossZone: fc.boolean(),
  failOpen: fc.boolean(),
  replicas: fc.integer({ min: 0, max: 6 }),
  perConnection: fc.integer({ min: 1, max: 20 }),
  timeout: fc.constantFrom(undefined, '20ms', '200ms'),
  retries: fc.integer({ min: 0, max: 2 }),
  queueCapacity: fc.constantFrom(undefined, 0, 5),
  inside: fc.constantFrom('zone', 'workload', 'node'),
  failure: fc.constantFrom('none', 'node', 'pod', 'zone', 'random'),
});

describe('robustness', () => {
  it('runs random valid scenarios to the end with counts that add up', async () => {
    await fc.assert(
      fc.asyncProperty(config, fc.integer({ min: 0, max: 1000 }), async (c, seed) => {
        const via = c.type === 'LoadBalancer' ? 'loadBalancer' : c.type === 'NodePort' ? 'nodePort' : 'clusterIP';
        const from = c.inside === 'zone' ? { zone: 'zb' } : c.inside === 'workload' ? { workload: 'client' } : { node: 'b-0' };
        const failures = {
          none: [],
          node: [{ at: '3s', node: 'a-1', recoverAfter: '2s' }],
          pod: [{ at: '3s', pod: 'client-0' }],
          zone: [{ at: '2s', zone: 'za', recoverAfter: '3s' }],
          random: [{ random: { mtbf: '3s', mttr: '1s' }, scope: 'nodes' }],
        }[c.failure];
        const s = scenarioFrom({
          apiVersion: 'svcsim/v1',
          kind: 'Scenario',
          metadata: { name: 'robust' },
          simulation: { duration: 6, warmup: 1, replications: 1, seed, drainLimit: 2 },
          cluster: {
            nodes: [{ name: 'a', zone: 'za', count: 2 }, { name: 'b', zone: 'zb', count: 2 }],
            proxyMode: c.proxyMode,
            ...(c.proxyMode === 'ipvs' ? { ipvsScheduler: c.scheduler } : {}),
            controlPlane: { nodeMonitorGracePeriod: '2s', nodeLeaseInterval: '1s', podEvictionTimeout: '1s' },
          },
          workloads: [
            { name: 'web', replicas: c.replicas, ports: [8080], concurrency: 2, ...(c.queueCapacity !== undefined ? { queueCapacity: c.queueCapacity } : {}), serviceTime: { dist: 'exponential', mean: '5ms' }, startupTime: '1s' },
            { name: 'client', replicas: 2, ports: [9000], serviceTime: '1ms' },
          ],
          services: [
            {
              apiVersion: 'v1',
              kind: 'Service',
              metadata: { name: 'web' },
              spec: {
                type: c.type,
                selector: { app: 'web' },
                ports: [{ port: 80, targetPort: 8080 }],
                ...(c.type !== 'ClusterIP' ? { externalTrafficPolicy: c.etp } : {}),
                internalTrafficPolicy: c.itp,
                sessionAffinity: c.affinity,
                ...(c.distribution ? { trafficDistribution: c.distribution } : {}),
              },
            },
          ],
          ...(c.type === 'LoadBalancer' ? { loadBalancers: [{ service: 'web', algorithm: c.algorithm, targets: c.targets, crossZone: c.crossZone, failOpen: c.failOpen, healthCheck: { interval: '1s', timeout: '500ms' } }] } : {}),
          traffic: [
            ...(via !== 'clusterIP' ? [{ name: 'outside', to: { service: 'web', port: 80, via }, arrival: { process: 'poisson', rate: 300 }, clients: 50, requestsPerConnection: c.perConnection, retries: c.retries, connectTimeout: '1s', ...(c.timeout ? { timeout: c.timeout } : {}) }] : []),
            { name: 'inside', to: { service: 'web', port: 80, via }, from, arrival: { process: 'poisson', rate: 200 }, clients: 20, requestsPerConnection: c.perConnection, retries: c.retries, connectTimeout: '1s', ...(c.timeout ? { timeout: c.timeout } : {}) },
          ],
          failures,
        });
        const [r] = await replicate(s, 1, seed);
        for (const scope of r.scopes) {
          const x = scope.metrics;
          expect(x[m('failed')]).toBe(x[m('failed_timeout')] + x[m('failed_refused')] + x[m('failed_rejected')]);
          expect(x[m('ok')] + x[m('failed')] + x[m('unfinished')]).toBe(x[m('requests')]);
          expect(x[m('unfinished')]).toBeGreaterThanOrEqual(0);
        }
        const all = r.scopes[0].metrics;
        expect(r.scopes.slice(1).reduce((sum, sc) => sum + sc.metrics[m('requests')], 0)).toBe(all[m('requests')]);
        if (all[m('ok')] > 0) expect(all[m('latency_max_ms')]).toBeGreaterThanOrEqual(all[m('latency_p50_ms')] * 0.999);
      }),
      { numRuns: 250, seed: 2026 },
    );
  });
});
