/**
 * controlplane/failures.ts alone, on a fake Host: a node crash loses its pods'
 * attempts, the node is marked NotReady nodeMonitorGracePeriod after its last
 * heartbeat, and podEvictionTimeout later its pods are deleted and recreated
 * on live nodes by the spread rule; a pod crash restarts the pod.
 */
import { describe, expect, it } from 'vitest';
import { ControlPlane } from '../src/controlplane/controlPlane.js';
import { PodState } from '../src/dataplane/pod.js';
import { Cluster, doc, service, stream } from './helpers/cluster.js';

function cluster(failures: unknown[]): Cluster {
  return new Cluster(
    doc({
      cluster: {
        nodes: [{ name: 'n', count: 3 }],
        controlPlane: { nodeMonitorGracePeriod: '8s', nodeLeaseInterval: '2s', podEvictionTimeout: '5s', endpointPropagation: '0.5s', proxyMinSyncPeriod: '0s' },
      },
      workloads: [{ name: 'web', replicas: 3, ports: [8080], serviceTime: '1ms', startupTime: '3s' }],
      services: [service('web')],
      traffic: [{ name: 'inside', from: { node: 'n-2' }, to: { service: 'web', port: 80, via: 'clusterIP' }, arrival: { process: 'poisson', rate: 1 } }],
      failures,
    }),
  );
}

function when(c: Cluster, text: string): number {
  const line = c.messages.find((m) => m.includes(text));
  return line === undefined ? NaN : Number(/^t=([\d.e-]+):/.exec(line)?.[1]);
}

describe('node failure, NotReady, eviction and rescheduling', () => {
  it('crashes the node\'s pods, marks it NotReady within the lease interval of grace, then evicts and replaces its pod on a live node', () => {
    const c = cluster([{ at: '10s', node: 'n-0' }]);
    const cp = new ControlPlane(c, stream);
    cp.start();
    const web0 = c.pod('web-0');
    c.runUntil(cp, 10);
    expect(c.nodeAlive[c.node('n-0')]).toBe(0);
    expect(c.pods.state[web0]).toBe(PodState.Crashed);
    expect(c.lost).toEqual([{ pod: web0, nodeDown: true }]);

    c.runUntil(cp, 40);
    const notReady = when(c, 'node n-0 marked NotReady');
    // The last heartbeat fell within 2 s before the crash; NotReady at the first 5 s check 8 s after it.
    expect(notReady).toBeGreaterThanOrEqual(10 + 8 - 2);
    expect(notReady).toBeLessThan(10 + 8 + 5);
    // Every live kube-proxy learns the endpoint is gone 0.5 s after NotReady.
    expect(when(c, 'kube-proxy on n-1 synced: web-0 not ready')).toBeCloseTo(notReady + 0.5, 9);
    // By t = 40 they also know the replacement: web-1, web-2, web-3.
    expect(c.proxies.readyEndpoints(c.node('n-1'), 0)).toBe(3);

    expect(when(c, 'pods of n-0 evicted')).toBeCloseTo(notReady + 5, 9);
    expect(c.pods.state[web0]).toBe(PodState.Deleted);
    const web3 = c.pod('web-3');
    expect(c.topo.nodes[c.pods.node[web3]].name).toBe('n-1');
    expect(c.pods.state[web3]).toBe(PodState.Running);
    expect(when(c, 'pod web-3 ready on n-1')).toBeCloseTo(notReady + 5 + 3, 9);
  });

  it('restarts a crashed pod on a live node: its attempts are reset and it is ready restartAfter later', () => {
    const c = cluster([{ at: '5s', pod: 'web-1', restartAfter: '2s' }]);
    const cp = new ControlPlane(c, stream);
    cp.start();
    const web1 = c.pod('web-1');
    c.runUntil(cp, 5);
    expect(c.pods.state[web1]).toBe(PodState.Starting);
    expect(c.lost).toEqual([{ pod: web1, nodeDown: false }]);
    c.runUntil(cp, 6.9);
    expect(c.pods.state[web1]).toBe(PodState.Starting);
    c.runUntil(cp, 7);
    expect(c.pods.state[web1]).toBe(PodState.Running);
  });

  it('restarts the pods of a node that comes back before it is marked NotReady, and never evicts them', () => {
    const c = cluster([{ at: '10s', node: 'n-0', recoverAfter: '3s' }]);
    const cp = new ControlPlane(c, stream);
    cp.start();
    c.runUntil(cp, 100);
    expect(c.pods.state[c.pod('web-0')]).toBe(PodState.Running);
    expect(when(c, 'pod web-0 ready on n-0')).toBeCloseTo(16, 9);
    expect(c.pods.count).toBe(3);
    expect(Number.isNaN(when(c, 'evicted'))).toBe(true);
  });
});
