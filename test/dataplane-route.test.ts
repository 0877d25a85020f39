/**
 * dataplane/route.ts alone: the route of a new connection from its origin
 * through the LB and the entry node's kube-proxy to a pod, or the reason it
 * fails before reaching one, without a simulation around it.
 */
import { describe, expect, it } from 'vitest';
import { HOP_SAME_NODE, HOP_SAME_ZONE } from '../src/dataplane/network.js';
import { RouteFailure } from '../src/dataplane/route.js';
import { Cluster, doc, service } from './helpers/cluster.js';

const latency = { sameNode: '1ms', sameZone: '2ms', crossZone: '3ms', proxy: '0.5ms' };

/** Three nodes in one zone; web's two pods on n-0 only; traffic to web by nodePort (entry n-2) and through its LB. */
function cluster(spec: Record<string, unknown> = {}, lb: Record<string, unknown> = {}): Cluster {
  return new Cluster(
    doc({
      cluster: { nodes: [{ name: 'n', count: 3 }], latency },
      workloads: [{ name: 'web', replicas: 2, placement: { 'n-0': 2 }, ports: [8080], serviceTime: '1ms' }],
      services: [service('web', { type: 'LoadBalancer', ...spec })],
      loadBalancers: [{ service: 'web', latency: '4ms', ...lb }],
      traffic: [
        { name: 'direct', to: { service: 'web', port: 80, via: 'nodePort' }, entryNode: 'n-2', latency: '5ms', arrival: { process: 'poisson', rate: 1 } },
        { name: 'users', to: { service: 'web', port: 80, via: 'loadBalancer' }, latency: '5ms', arrival: { process: 'poisson', rate: 1 } },
      ],
    }),
  );
}

describe('route: origin → LB → entry node → DNAT → pod', () => {
  it('drops a nodePort connection at a node without a local endpoint when externalTrafficPolicy is Local', () => {
    const c = cluster({ externalTrafficPolicy: 'Local' });
    expect(c.router.route(0, 0, 0)).toBe(RouteFailure.NoLocalEndpoint);
    expect(c.router.entry).toBe(c.node('n-2'));
    expect(c.router.explain(RouteFailure.NoLocalEndpoint, 0)).toBe('n-2 has no local endpoint for externalTrafficPolicy: Local: dropped');
  });

  it('DNATs a nodePort connection to another node\'s pod under Cluster policy, with the hops client → node → node → pod', () => {
    const c = cluster();
    const pod = c.router.route(0, 0, 0);
    expect(c.pods.names[pod]).toMatch(/^web-[01]$/);
    expect([...c.router.hops.subarray(0, c.router.hopCount)]).toEqual([c.network.trafficHop0 + 0, HOP_SAME_ZONE]);
    expect(c.router.entry).toBe(c.node('n-2'));
  });

  it('refuses when the entry node\'s kube-proxy knows no ready endpoint, and the reject comes back over the hops so far', () => {
    const c = cluster();
    c.sync(c.node('n-2'), () => false);
    expect(c.router.route(0, 0, 0)).toBe(RouteFailure.NoEndpoints);
    // client → n-2 (5 ms) there and back.
    expect(c.router.rejectDelay()).toBeCloseTo(0.01, 12);
  });

  it('does not answer when the entry node is down', () => {
    const c = cluster();
    c.nodeAlive[c.node('n-2')] = 0;
    expect(c.router.route(0, 0, 0)).toBe(RouteFailure.NodeDown);
  });

  it('sends an LB connection to a healthy target only, and counts it open there until it closes', () => {
    const c = cluster();
    const lb = c.lbs[0];
    for (const n of ['n-0', 'n-2']) lb.healthy[c.node(n)] = 0;
    lb.rebuild();
    for (let i = 0; i < 20; i++) {
      const pod = c.router.route(1, i, 0);
      expect(pod).toBeGreaterThanOrEqual(0);
      expect(c.router.lbTarget).toBe(c.node('n-1'));
      expect(c.router.entry).toBe(c.node('n-1'));
    }
    expect(lb.open[c.node('n-1')]).toBe(20);
    expect([...c.router.hops.subarray(0, c.router.hopCount)]).toEqual([c.network.trafficHop0 + 1, c.network.lbHop0 + 0, HOP_SAME_ZONE]);
  });

  it('drops the SYN when no target is healthy and the LB does not fail open, and the LB counts nothing open', () => {
    const c = cluster({}, { failOpen: false });
    const lb = c.lbs[0];
    for (const n of c.topo.nodes) lb.healthy[n.index] = 0;
    lb.rebuild();
    expect(c.router.route(1, 0, 0)).toBe(RouteFailure.LbDrop);
    expect(c.router.lbTarget).toBe(-1);
  });

  it('undoes the LB\'s open count when the connection fails after the LB (its target node is down)', () => {
    const c = cluster();
    for (const n of c.topo.nodes) c.nodeAlive[n.index] = 0;
    expect(c.router.route(1, 0, 0)).toBe(RouteFailure.NodeDown);
    expect([...c.lbs[0].open.subarray(0, 3)]).toEqual([0, 0, 0]);
  });

  it('routes an in-cluster client from its own node: kube-proxy there picks a local pod with a same-node hop', () => {
    const c = new Cluster(
      doc({
        cluster: { nodes: [{ name: 'n', count: 2 }], latency },
        workloads: [{ name: 'web', replicas: 2, placement: { 'n-0': 1, 'n-1': 1 }, ports: [8080], serviceTime: '1ms' }],
        services: [service('web', { internalTrafficPolicy: 'Local' })],
        traffic: [{ name: 'inside', from: { node: 'n-1' }, to: { service: 'web', port: 80, via: 'clusterIP' }, arrival: { process: 'poisson', rate: 1 } }],
      }),
    );
    const pod = c.router.route(0, 0, 0);
    expect(c.pods.names[pod]).toBe('web-1');
    expect(c.router.origin).toBe(c.node('n-1'));
    expect([...c.router.hops.subarray(0, c.router.hopCount)]).toEqual([c.network.trafficHop0, HOP_SAME_NODE]);
    // A request from a dead node is not generated; a retry from it meets its own dead kube-proxy.
    c.nodeAlive[c.node('n-1')] = 0;
    expect(c.router.originExists(0)).toBe(false);
    expect(c.router.route(0, 0, 0)).toBe(RouteFailure.NodeDown);
  });

  it('has no origin for a zone\'s client once every node of the zone is down', () => {
    const c = new Cluster(
      doc({
        cluster: { nodes: [{ name: 'a', zone: 'z1' }, { name: 'b', zone: 'z2' }], latency },
        workloads: [{ name: 'web', replicas: 2, ports: [8080], serviceTime: '1ms' }],
        services: [service('web')],
        traffic: [{ name: 'inside', from: { zone: 'z2' }, to: { service: 'web', port: 80, via: 'clusterIP' }, arrival: { process: 'poisson', rate: 1 } }],
      }),
    );
    expect(c.router.route(0, 0, 0)).toBeGreaterThanOrEqual(0);
    expect(c.router.origin).toBe(c.node('b'));
    c.nodeAlive[c.node('b')] = 0;
    expect(c.router.originExists(0)).toBe(false);
    expect(c.router.route(0, 0, 0)).toBe(RouteFailure.NoOrigin);
  });
});
