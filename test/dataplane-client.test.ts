/** dataplane/client.ts alone: the keep-alive choice, the retry decision, a request's work and give-up times. */
import { describe, expect, it } from 'vitest';
import { Outcome, TCP_RETRIES2_TIMEOUT } from '../src/dataplane/client.js';
import { Cluster, doc, service } from './helpers/cluster.js';

function cluster(): Cluster {
  return new Cluster(
    doc({
      cluster: { nodes: [{ name: 'n' }] },
      workloads: [{ name: 'web', replicas: 1, ports: [8080], serviceTime: { dist: 'exponential', mean: 0.01 } }],
      services: [service('web')],
      traffic: [
        {
          name: 'inside',
          from: { node: 'n' },
          to: { service: 'web', port: 80, via: 'clusterIP' },
          arrival: { process: 'poisson', rate: 1 },
          clients: 3,
          requestsPerConnection: 10,
          retries: 2,
          retryBackoff: '10ms',
          timeout: '2s',
          connectTimeout: '1s',
        },
      ],
    }),
  );
}

describe('client: keep-alive and retries', () => {
  it('reuses its kept-alive connection for a first attempt, never for a retry', () => {
    const c = cluster();
    const r = c.router;
    const pod = r.route(0, 2, 0);
    const conn = c.connections.open(0, 2, pod, r.entry, r.lbTarget, r.origin, r.hops, r.hopCount);
    c.connections.keepAlive(conn);
    expect(c.clients.connectionFor(c.connections, 0, 2, false)).toBe(conn);
    expect(c.clients.connectionFor(c.connections, 0, 2, true)).toBe(-1);
    expect(c.clients.connectionFor(c.connections, 0, 1, false)).toBe(-1);
  });

  it('retries a failed attempt after the backoff while retries are left and the run is not over', () => {
    const c = cluster();
    expect(c.clients.retryAt(0, Outcome.Refused, 2, 5, 100)).toBeCloseTo(5.01, 12);
    expect(c.clients.retryAt(0, Outcome.Timeout, 1, 5, 100)).toBeCloseTo(5.01, 12);
    expect(c.clients.retryAt(0, Outcome.Ok, 2, 5, 100)).toBe(-1);
    expect(c.clients.retryAt(0, Outcome.Rejected, 0, 5, 100)).toBe(-1);
    expect(c.clients.retryAt(0, Outcome.Refused, 2, 101, 100)).toBe(-1);
  });

  it('serves a first attempt\'s own demand and draws new work for a retry', () => {
    const c = cluster();
    expect(c.clients.work(0, true, 0.123, 0)).toBe(0.123);
    expect(c.clients.work(0, false, 0.123, 0)).not.toBe(0.123);
  });

  it('gives up on an unanswered SYN at connectTimeout and on a silent established connection at its timeout or tcp_retries2', () => {
    const c = cluster();
    expect(c.clients.connectFailsAt(0, 10, 12)).toBe(11);
    expect(c.clients.connectFailsAt(0, 10, 10.5)).toBe(10.5);
    expect(c.clients.lostAt(10, 12, 11)).toBe(12);
    expect(c.clients.lostAt(10, Infinity, 11)).toBe(10 + TCP_RETRIES2_TIMEOUT);
    expect(c.clients.lostAt(10, 12, 13)).toBe(13);
  });

  it('picks every client of an entry, uniformly', () => {
    const c = cluster();
    const seen = new Set<number>();
    for (let i = 0; i < 100; i++) seen.add(c.clients.pickClient(0));
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });
});
