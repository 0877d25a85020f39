/**
 * The latency breakdown (latency_breakdown.csv) and the per-bucket series
 * after the contract's columns of timeseries.csv. The segments of an ok
 * request add up to its latency, so their means add up to latency_mean_ms;
 * with constant hops each network segment is known exactly.
 */
import { describe, expect, it } from 'vitest';
import { buildTables } from '../src/results/tables.js';
import { resolved } from '../src/scenario/resolved.js';
import { runReplication } from '../src/sim/replication.js';
import { SEGMENTS } from '../src/sim/result.js';
import { metric, replicate, scenarioFrom, singleQueue, webService } from './helpers/scenario.js';

function rows(csv: string): Record<string, string>[] {
  const [head, ...lines] = csv.trim().split('\n');
  const keys = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])));
}

describe('latency breakdown', () => {
  // External clients → LB (1 ms) → node → kube-proxy (0.1 ms) → pod across zones (0.8 ms); client ↔ LB 2 ms.
  const scenario = () =>
    scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'breakdown' },
      simulation: { duration: 30, warmup: 2, replications: 4, seed: 5 },
      cluster: { nodes: [{ name: 'a', zone: 'za' }, { name: 'b', zone: 'zb' }], latency: { sameNode: '0.05ms', sameZone: '0.2ms', crossZone: '0.8ms', proxy: '0.1ms' } },
      workloads: [{ name: 'web', replicas: 2, ports: [8080], concurrency: 1, queueCapacity: 2, serviceTime: { dist: 'exponential', mean: '2ms' } }],
      services: [webService({ type: 'LoadBalancer' })],
      loadBalancers: [{ service: 'web', latency: '1ms' }],
      traffic: [
        {
          name: 'users',
          to: { service: 'web', port: 80, via: 'loadBalancer' },
          arrival: { process: 'poisson', rate: 600 },
          latency: '2ms',
          requestsPerConnection: 4,
          timeout: '100ms',
          retries: 2,
          retryBackoff: '3ms',
        },
      ],
    });

  it('adds up to latency_mean_ms, each segment and scope', async () => {
    const results = await replicate(scenario());
    const t = buildTables([{ index: 0, label: 'base', params: [] }], results);
    const summary = rows(t['summary.csv']);
    const breakdown = rows(t['latency_breakdown.csv']);
    expect(Object.keys(breakdown[0])).toEqual(['variant', 'scope', 'segment', 'mean_ms', 'share']);
    for (const scope of ['all', 'traffic:users']) {
      const mine = breakdown.filter((r) => r.scope === scope);
      expect(mine.map((r) => r.segment)).toEqual([...SEGMENTS]);
      const total = mine.reduce((s, r) => s + Number(r.mean_ms), 0);
      const mean = Number(summary.find((r) => r.scope === scope && r.metric === 'latency_mean_ms')!.mean);
      expect(Math.abs(total - mean) / mean).toBeLessThan(1e-5);
      expect(mine.reduce((s, r) => s + Number(r.share), 0)).toBeCloseTo(1, 5);
      const seg = (name: string) => Number(mine.find((r) => r.segment === name)!.mean_ms);
      // Constant hops: every ok request crosses client ↔ LB twice, and LB ↔ node twice.
      expect(seg('client_network')).toBeCloseTo(4, 4);
      expect(seg('load_balancer')).toBeCloseTo(2, 4);
      // Node → pod and back (0.05 ms or 0.8 ms each way), plus kube-proxy's 0.1 ms on a new connection's first packet.
      expect(seg('forwarding')).toBeGreaterThan(0.1);
      expect(seg('forwarding')).toBeLessThan(1.7);
      // A handshake is a round trip over the whole path, for at most one request of each connection.
      expect(seg('handshake')).toBeGreaterThan(0);
      expect(seg('handshake')).toBeLessThan(2 * (2 + 1 + 0.1 + 0.8));
      expect(seg('service')).toBeGreaterThan(1.5);
      expect(seg('queue_wait')).toBeGreaterThan(0);
      expect(seg('retries_backoff')).toBeGreaterThan(0);
      expect(seg('calls')).toBe(0);
    }
    expect(metric(results, 'retries').every((x) => x > 0)).toBe(true);
  });

  it('an M/M/1 with zero latencies is all queue_wait and service: W_q = ρ/(μ − λ) and E[S]', async () => {
    const s = singleQueue({ rate: 500, serviceTime: { dist: 'exponential', mean: '1ms' }, duration: 200, warmup: 5 });
    const results = await replicate(s, 6);
    const t = buildTables([{ index: 0, label: 'base', params: [] }], results);
    const all = rows(t['latency_breakdown.csv']).filter((r) => r.scope === 'all');
    const seg = (name: string) => Number(all.find((r) => r.segment === name)!.mean_ms);
    expect(seg('queue_wait')).toBeCloseTo(1, 1);
    expect(seg('service')).toBeCloseTo(1, 1);
    for (const name of ['client_network', 'load_balancer', 'forwarding', 'handshake', 'calls', 'retries_backoff']) expect(seg(name)).toBe(0);
  });
});

describe('timeseries.csv: failures by cause, unfinished, in flight, queue length', () => {
  it('splits failed by cause, and gives requests in flight and attempts queued as time-averages within their bounds', () => {
    const s = singleQueue({ rate: 800, serviceTime: { dist: 'exponential', mean: '1ms' }, queueCapacity: 3, duration: 40, warmup: 2, traffic: { timeout: '4ms' } });
    const r = runReplication(resolved(s), { variant: 0, replication: 0, rootSeed: 3 });
    const ts = r.timeseries;
    for (let i = 0; i < ts.requests.length; i++) {
      expect(ts.failedTimeout[i] + ts.failedRefused[i] + ts.failedRejected[i] + ts.failedDependency[i]).toBe(ts.failed[i]);
      expect(ts.unfinished[i]).toBe(ts.requests[i] - ts.ok[i] - ts.failed[i]);
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(ts.failedTimeout)).toBeGreaterThan(0);
    expect(sum(ts.failedRejected)).toBeGreaterThan(0);
    // Little's law over the window: mean in flight = arrival rate × mean time in flight (ok and failed alike).
    const meanInFlight = sum(ts.inFlight) / ts.inFlight.length;
    const queueLength = sum(ts.queueLength) / ts.queueLength.length;
    expect(meanInFlight).toBeGreaterThan(0.5);
    expect(meanInFlight).toBeLessThan(3);
    expect(queueLength).toBeGreaterThan(0);
    expect(queueLength).toBeLessThanOrEqual(3);
  });
});
