/**
 * controlplane/endpoints.ts alone, on a fake Host: a readiness change reaches
 * each live kube-proxy after endpointPropagation and is applied at its next
 * sync, no sooner than proxyMinSyncPeriod after the previous one.
 */
import { describe, expect, it } from 'vitest';
import { ControlPlane } from '../src/controlplane/controlPlane.js';
import { Cluster, doc, service, stream } from './helpers/cluster.js';

function cluster(): Cluster {
  return new Cluster(
    doc({
      cluster: { nodes: [{ name: 'n', count: 3 }], controlPlane: { endpointPropagation: '1s', proxyMinSyncPeriod: '2s' } },
      workloads: [{ name: 'web', replicas: 3, ports: [8080], serviceTime: '1ms' }],
      services: [service('web')],
      traffic: [{ name: 'inside', from: { node: 'n-0' }, to: { service: 'web', port: 80, via: 'clusterIP' }, arrival: { process: 'poisson', rate: 1 } }],
    }),
  );
}

describe('endpoint propagation to every kube-proxy', () => {
  it('syncs a node\'s kube-proxy one endpointPropagation after the change, and no sooner than proxyMinSyncPeriod after its last sync', () => {
    const c = cluster();
    const cp = new ControlPlane(c, stream);
    const n0 = c.node('n-0');
    c.now = 10;
    cp.endpoints.publish(c.pod('web-0'), false);
    c.runUntil(cp, 10.999);
    expect(c.proxies.readyEndpoints(n0, 0)).toBe(3);
    c.runUntil(cp, 11);
    expect(c.proxies.readyEndpoints(n0, 0)).toBe(2);
    expect(c.messages).toContain('t=11: kube-proxy on n-0 synced: web-0 not ready');

    // The next change arrives at 12.5, but the last sync was at 11: applied at 13.
    c.now = 11.5;
    cp.endpoints.publish(c.pod('web-1'), false);
    c.runUntil(cp, 12.999);
    expect(c.proxies.readyEndpoints(n0, 0)).toBe(2);
    c.runUntil(cp, 13);
    expect(c.proxies.readyEndpoints(n0, 0)).toBe(1);
  });

  it('leaves a dead node\'s kube-proxy alone, and gives it the API\'s whole state when it comes back', () => {
    const c = cluster();
    const cp = new ControlPlane(c, stream);
    const n2 = c.node('n-2');
    c.nodeAlive[n2] = 0;
    cp.endpoints.publish(c.pod('web-0'), false);
    c.runUntil(cp, 30);
    expect(c.proxies.readyEndpoints(n2, 0)).toBe(3);
    expect(c.proxies.readyEndpoints(c.node('n-1'), 0)).toBe(2);
    c.nodeAlive[n2] = 1;
    cp.endpoints.resync(n2);
    expect(c.proxies.readyEndpoints(n2, 0)).toBe(2);
  });

  it('publishes nothing when the API already has that readiness', () => {
    const c = cluster();
    const cp = new ControlPlane(c, stream);
    cp.endpoints.publish(c.pod('web-0'), true);
    expect(c.queue.size).toBe(0);
  });

  it('lets the kube-proxies that agree with the EndpointSlice share one view, and gives one of its own only to a node that lags behind', () => {
    const c = cluster();
    const cp = new ControlPlane(c, stream);
    const [n0, n1, n2] = ['n-0', 'n-1', 'n-2'].map((n) => c.node(n));
    const views = c.proxies.ready;
    expect(views[n1]).toBe(views[n0]);
    expect(views[n2]).toBe(views[n0]);
    c.now = 10;
    cp.endpoints.publish(c.pod('web-0'), false);
    c.now = 10.5;
    cp.endpoints.publish(c.pod('web-1'), false);
    // At 11 each node has applied the first change only: its view is its own.
    c.runUntil(cp, 11);
    expect(c.proxies.readyEndpoints(n0, 0)).toBe(2);
    expect(views[n0]).not.toBe(views[n1]);
    expect(views[n0][c.pod('web-0')]).toBe(0);
    expect(views[n0][c.pod('web-1')]).toBe(1);
    // At 13 (proxyMinSyncPeriod after 11) every node has both: they share one view again.
    c.runUntil(cp, 13);
    for (const k of [n0, n1, n2]) expect(c.proxies.readyEndpoints(k, 0)).toBe(1);
    expect(views[n1]).toBe(views[n0]);
    expect(views[n2]).toBe(views[n0]);
    // A change undone before it is applied leaves a node agreeing all along.
    c.now = 20;
    cp.endpoints.publish(c.pod('web-0'), true);
    cp.endpoints.publish(c.pod('web-0'), false);
    c.runUntil(cp, 30);
    for (const k of [n0, n1, n2]) expect(c.proxies.readyEndpoints(k, 0)).toBe(1);
    expect(views[n1]).toBe(views[n0]);
  });
});
