/**
 * controlplane/healthChecks.ts alone, on a fake Host: an LB marks a target
 * unhealthy at its unhealthyThreshold-th failed probe (a probe to a dead node
 * fails at its timeout) and healthy again after healthyThreshold passes.
 */
import { describe, expect, it } from 'vitest';
import { ControlPlane } from '../src/controlplane/controlPlane.js';
import { Cluster, doc, service, stream } from './helpers/cluster.js';

const interval = 10;
const timeout = 2;

function cluster(externalTrafficPolicy = 'Cluster'): Cluster {
  return new Cluster(
    doc({
      cluster: { nodes: [{ name: 'n', count: 3 }] },
      workloads: [{ name: 'web', replicas: 2, placement: { 'n-0': 1, 'n-1': 1 }, ports: [8080], serviceTime: '1ms' }],
      services: [service('web', { type: 'LoadBalancer', externalTrafficPolicy })],
      loadBalancers: [{ service: 'web', healthCheck: { interval, timeout, unhealthyThreshold: 3, healthyThreshold: 2 } }],
      traffic: [{ name: 'users', to: { service: 'web', port: 80, via: 'loadBalancer' }, arrival: { process: 'poisson', rate: 1 } }],
    }),
  );
}

/** The time of the first log message that contains `text`. */
function when(c: Cluster, text: string): number {
  const line = c.messages.find((m) => m.includes(text));
  return line === undefined ? NaN : Number(/^t=([\d.e-]+):/.exec(line)?.[1]);
}

describe('LB health checks', () => {
  it('ejects a dead node at its third failed probe (probe time + timeout), and takes it back after two passes', () => {
    const c = cluster();
    const cp = new ControlPlane(c, stream);
    cp.start();
    const n1 = c.node('n-1');
    expect(c.lbs[0].healthy[n1]).toBe(1);
    c.nodeAlive[n1] = 0;
    c.runUntil(cp, 100);
    const down = when(c, 'target n-1 marked unhealthy');
    // Probes at φ, φ + I, φ + 2I with φ in [0, I): the third fails at φ + 2I + timeout.
    expect(down).toBeGreaterThanOrEqual(2 * interval + timeout);
    expect(down).toBeLessThan(3 * interval + timeout);
    expect(c.lbs[0].healthy[n1]).toBe(0);
    const phase = down - 2 * interval - timeout;

    c.nodeAlive[n1] = 1;
    c.runUntil(cp, 200);
    // Passes are immediate: the second probe after t = 100 marks it healthy.
    const back = 100 + ((phase - 100) % interval + interval) % interval + interval;
    expect(when(c, 'target n-1 marked healthy')).toBeCloseTo(back, 9);
    expect(c.lbs[0].healthy[n1]).toBe(1);
  });

  it('with externalTrafficPolicy Local, counts a node without a ready local endpoint unhealthy from the start', () => {
    const c = cluster('Local');
    const cp = new ControlPlane(c, stream);
    cp.start();
    expect(c.lbs[0].healthy[c.node('n-2')]).toBe(0);
    expect(c.lbs[0].healthy[c.node('n-0')]).toBe(1);
  });
});
