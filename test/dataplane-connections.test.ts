/**
 * dataplane/connections.ts alone: keep-alive, the handshake, path delays,
 * and whether a connection's pod still answers, on connections opened along
 * routes from dataplane/route.ts.
 */
import { describe, expect, it } from 'vitest';
import { Reach } from '../src/dataplane/connections.js';
import { PodState } from '../src/dataplane/pod.js';
import { Cluster, doc, service } from './helpers/cluster.js';

/** Two nodes; one web pod on n-1; clients enter at n-0 by nodePort, 1 ms per hop, kube-proxy 0.5 ms. */
function cluster(requestsPerConnection = 3): Cluster {
  return new Cluster(
    doc({
      cluster: { nodes: [{ name: 'n', count: 2 }], latency: { sameNode: '1ms', sameZone: '1ms', crossZone: '1ms', proxy: '0.5ms' } },
      workloads: [{ name: 'web', replicas: 1, placement: { 'n-1': 1 }, ports: [8080], serviceTime: '1ms' }],
      services: [service('web', { type: 'NodePort' })],
      traffic: [{ name: 'direct', to: { service: 'web', port: 80, via: 'nodePort' }, entryNode: 'n-0', latency: '1ms', clients: 2, requestsPerConnection, arrival: { process: 'poisson', rate: 1 } }],
    }),
  );
}

function open(c: Cluster, client = 0): number {
  const r = c.router;
  const pod = r.route(0, client, 0);
  const conn = c.connections.open(0, client, pod, r.entry, r.lbTarget, r.origin, r.hops, r.hopCount);
  c.connections.keepAlive(conn);
  return conn;
}

describe('connections: keep-alive, handshake, path delay', () => {
  it('carries requestsPerConnection requests on one kept-alive connection, then closes it to new ones', () => {
    const c = cluster(3);
    const conn = open(c);
    for (let i = 0; i < 3; i++) {
      expect(c.connections.keptAlive(0, 0)).toBe(conn);
      c.connections.carry(conn);
    }
    expect(c.connections.keptAlive(0, 0)).toBe(-1);
    expect(c.connections.keptAlive(0, 1)).toBe(-1);
  });

  it('closes a connection on a failed attempt and frees it with its last attempt, closing it in kube-proxy\'s table', () => {
    const c = cluster(10);
    const conn = open(c);
    c.connections.carry(conn);
    c.connections.carry(conn);
    c.connections.release(conn, false);
    expect(c.connections.keptAlive(0, 0)).toBe(-1);
    expect(c.connections.inFlight[conn]).toBe(1);
    c.connections.release(conn, true);
    // The record is free again: the next connection reuses it.
    expect(open(c, 1)).toBe(conn);
  });

  it('charges kube-proxy\'s DNAT to a connection\'s first packet only', () => {
    const c = cluster();
    const conn = open(c);
    // client → n-0 → n-1 → pod: 3 hops of 1 ms, plus 0.5 ms DNAT on the first packet.
    expect(c.connections.pathDelay(conn, true)).toBeCloseTo(0.0025, 12);
    expect(c.connections.pathDelay(conn, false)).toBeCloseTo(0.002, 12);
  });

  it('sends the first request after the SYN and the SYN-ACK, and later requests wait for the handshake', () => {
    const c = cluster();
    const conn = open(c);
    const sendAt = c.connections.establish(conn, 1, true);
    expect(sendAt).toBeCloseTo(1.0045, 12);
    expect(c.connections.sendTime(conn, 1.001)).toBe(sendAt);
    expect(c.connections.sendTime(conn, 2)).toBe(2);
    expect(c.connections.establish(open(c, 1), 1, false)).toBe(1);
  });

  it('keeps a connection pinned to its pod: a reset when the pod is gone, silence when a node on the path is down', () => {
    const c = cluster();
    const conn = open(c);
    expect(c.connections.reach(conn)).toBe(Reach.Ok);
    c.pods.setState(c.pod('web-0'), PodState.Crashed, 1);
    expect(c.connections.reach(conn)).toBe(Reach.PodGone);
    c.nodeAlive[c.node('n-0')] = 0;
    expect(c.connections.reach(conn)).toBe(Reach.NodeDown);
  });
});
