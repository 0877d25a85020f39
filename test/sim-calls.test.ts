/**
 * Service call graphs (spec "calls") against exact queueing results: a pod
 * that calls other Services holds its slot while it waits, a parallel step
 * ends with its slowest call, fan-out and probability multiply the calls, and
 * pooled connections pin each caller pod to one backend. Fixed seeds; the
 * tolerances are the runs' own 99% confidence intervals.
 */
import { describe, expect, it } from 'vitest';
import { buildTables } from '../src/results/tables.js';
import { resolved } from '../src/scenario/resolved.js';
import type { Scenario } from '../src/scenario/schema.js';
import { runReplication } from '../src/sim/replication.js';
import { METRIC_NAMES, type MetricName, type ReplicationResult } from '../src/sim/result.js';
import { PodState } from '../src/dataplane/pod.js';
import { Simulation } from '../src/sim/simulation.js';
import { Tracer } from '../src/sim/tracer.js';
import { interval, metric, scenarioFrom } from './helpers/scenario.js';

interface Tier {
  name: string;
  replicas?: number;
  concurrency?: number;
  serviceTime: unknown;
  placement?: Record<string, number>;
  calls?: unknown[];
  client?: Record<string, unknown>;
  autoscaling?: Record<string, unknown>;
  /** Extra fields of the tier's Service spec (sessionAffinity…). */
  service?: Record<string, unknown>;
}

/**
 * One node, zero latencies, a ClusterIP Service per tier (`<name>`, port 80),
 * Poisson traffic at `rate` to the first tier from the node; each tier's
 * `calls` and `client` go through the loader like a user's.
 */
function graph(tiers: Tier[], rate: number, opts: { duration?: number; warmup?: number; proxyMode?: string; nodes?: string[]; failures?: unknown[] } = {}): Scenario {
  const s = scenarioFrom({
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: 'calls' },
    simulation: { duration: opts.duration ?? 60, warmup: opts.warmup ?? 5, replications: 10, seed: 1, drainLimit: 1000 },
    cluster: { nodes: (opts.nodes ?? ['n0']).map((name) => ({ name })), proxyMode: opts.proxyMode ?? 'iptables', latency: { sameNode: 0, sameZone: 0, crossZone: 0, proxy: 0 } },
    workloads: tiers.map((t) => ({ name: t.name, replicas: t.replicas ?? 1, ports: [8080], concurrency: t.concurrency ?? 1, serviceTime: t.serviceTime, labels: { app: t.name }, ...(t.placement ? { placement: t.placement } : {}), ...(t.autoscaling ? { autoscaling: t.autoscaling } : {}), calls: t.calls ?? [], client: t.client ?? {} })),
    services: tiers.map((t) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: t.name }, spec: { selector: { app: t.name }, ports: [{ port: 80, targetPort: 8080 }], ...t.service } })),
    ...(opts.failures ? { failures: opts.failures } : {}),
    traffic: [{ name: 'load', to: { service: tiers[0].name, port: 80, via: 'clusterIP' }, from: { node: 'n0' }, arrival: { process: 'poisson', rate }, handshake: false }],
  });
  return s;
}

function replicate(s: Scenario, n: number): ReplicationResult[] {
  return Array.from({ length: n }, (_, r) => runReplication(resolved(s), { variant: 0, replication: r, rootSeed: 7 }));
}

function scopeIndex(results: ReplicationResult[], scope: string): number {
  return results[0].scopes.findIndex((x) => x.scope === scope);
}

function expectWithin(values: number[], exact: number): void {
  const { mean, halfWidth } = interval(values);
  expect(Number.isFinite(halfWidth)).toBe(true);
  expect(Math.abs(mean - exact), `mean ${mean} vs exact ${exact} (±${halfWidth})`).toBeLessThanOrEqual(halfWidth);
}

const exp = (mean: string) => ({ dist: 'exponential', mean });

describe('a pod that calls another Service waits for it', () => {
  it('M/M/∞ frontend calling an M/M/1 backend: mean edge latency is E[S_front] + 1/(μ − λ)', () => {
    // E[S_front] = 2 ms; backend μ = 1000/s, λ = 600/s: 2.5 ms.
    const s = graph([{ name: 'front', concurrency: 100_000, serviceTime: exp('2ms'), calls: [{ service: 'back', port: 80 }] }, { name: 'back', serviceTime: exp('1ms') }], 600);
    const results = replicate(s, 10);
    expect(results[0].scopes.map((x) => x.scope)).toEqual(['all', 'traffic:load', 'service:back']);
    expectWithin(metric(results, 'latency_mean_ms'), 4.5);
    // The backend's own scope sees the call as its caller does: M/M/1 time in system.
    expectWithin(metric(results, 'latency_mean_ms', scopeIndex(results, 'service:back')), 2.5);
  });

  it('the latency breakdown puts the wait for calls in its calls segment, and the segments still add up to the edge latency', () => {
    const s = graph([{ name: 'front', concurrency: 100_000, serviceTime: exp('2ms'), calls: [{ service: 'back', port: 80 }] }, { name: 'back', serviceTime: exp('1ms') }], 600);
    const results = replicate(s, 4);
    const t = buildTables([{ index: 0, label: 'base', params: [] }], results);
    const rows = (csv: string) => {
      const [head, ...lines] = csv.trim().split('\n');
      const keys = head.split(',');
      return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])));
    };
    const all = rows(t['latency_breakdown.csv']).filter((r) => r.scope === 'all');
    const seg = (name: string) => Number(all.find((r) => r.segment === name)!.mean_ms);
    const total = all.reduce((sum, r) => sum + Number(r.mean_ms), 0);
    const mean = (scope: string, m: string) => Number(rows(t['summary.csv']).find((r) => r.scope === scope && r.metric === m)!.mean);
    expect(Math.abs(total - mean('all', 'latency_mean_ms')) / mean('all', 'latency_mean_ms')).toBeLessThan(1e-5);
    // Every edge request makes one call, and waits for all of it: the segment is the call's latency as the caller sees it.
    expect(Math.abs(seg('calls') - mean('service:back', 'latency_mean_ms')) / seg('calls')).toBeLessThan(0.02);
    expect(seg('service')).toBeCloseTo(2, 0);
    expect(mean('all', 'calls')).toBeCloseTo(mean('all', 'requests'), -2);
  });

  it('fork-join to 2 M/M/1 backends: the step takes (12 − ρ)/8 · 1/(μ − λ) on average (Flatto–Hahn, Nelson–Tantawi)', () => {
    // ρ = 0.5, μ = 1000/s: (11.5/8) · 2 ms = 2.875 ms.
    const s = graph(
      [
        { name: 'front', concurrency: 100_000, serviceTime: 0, calls: [{ parallel: [{ service: 'b1', port: 80 }, { service: 'b2', port: 80 }] }] },
        { name: 'b1', serviceTime: exp('1ms') },
        { name: 'b2', serviceTime: exp('1ms') },
      ],
      500,
    );
    const results = replicate(s, 12);
    expectWithin(metric(results, 'latency_mean_ms'), ((12 - 0.5) / 8) * 2);
  });

  it('a finite caller obeys Little’s law: busy slots = λ × (own work + time waiting for its calls)', () => {
    // front: 4 slots, own work 1 ms, then a call to back (1 ms of work, ρ = 0.6). The front's 4 slots
    // bound the calls back holds at once, so back is not M/M/1: the call time is measured, and
    // Little's law must hold with it, replication by replication.
    const s = graph([{ name: 'front', concurrency: 4, serviceTime: exp('1ms'), calls: [{ service: 'back', port: 80 }] }, { name: 'back', serviceTime: exp('1ms') }], 600);
    const results = replicate(s, 10);
    const busy = (workload: string, slots: number) => results.map((r) => r.pods.filter((p) => p.workload === workload).reduce((sum, p) => sum + p.utilization * slots, 0));
    const throughput = metric(results, 'throughput_rps');
    const callMs = metric(results, 'latency_mean_ms', scopeIndex(results, 'service:back'));
    const front = busy('front', 4);
    expectWithin(
      front.map((x, i) => x - throughput[i] * (0.001 + callMs[i] / 1000)),
      0,
    );
    expect(interval(front).mean).toBeGreaterThan(1.5);
    expectWithin(busy('back', 1), 0.6);
  });
});

describe('fork-join of k M/M/1 backends sharing their arrivals', () => {
  /**
   * An independent fork-join, sharing no code with src/: k FCFS M/M/1 queues
   * fed by the same Poisson arrivals, simulated arrival by arrival with
   * Lindley's recursion per queue (sojourn_j ← max(sojourn_j − gap, 0) + S_j,
   * exact for FCFS), its own xorshift32 generator; the job takes the largest
   * sojourn. Mean over `n` arrivals after the first `n / 10` are dropped.
   */
  function lindleyForkJoin(k: number, lambda: number, mu: number, n: number, seed: number): number {
    let x = seed >>> 0 || 1;
    const u = () => {
      // xorshift32: enough for a reference mean.
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return (x + 0.5) / 4294967296;
    };
    const w = new Float64Array(k);
    let sum = 0;
    let counted = 0;
    for (let i = 0; i < n; i++) {
      const gap = -Math.log(u()) / lambda;
      let max = 0;
      for (let j = 0; j < k; j++) {
        w[j] = Math.max(w[j] - gap, 0) - Math.log(u()) / mu;
        if (w[j] > max) max = w[j];
      }
      if (i >= n / 10) {
        sum += max;
        counted++;
      }
    }
    return sum / counted;
  }

  /** Harmonic number H_n. */
  const harmonic = (n: number) => Array.from({ length: n }, (_, i) => 1 / (i + 1)).reduce((x, y) => x + y, 0);

  /**
   * Nelson and Tantawi's scaling approximation (IEEE Trans. Computers 37(6), 1988; Thomasian,
   * ACM Computing Surveys 47(2), 2014, eq. 3): R_k ≈ [H_k/H_2 + (4/11)(1 − H_k/H_2)ρ] · (12 − ρ)/8 · 1/(μ − λ),
   * exact for k = 2 (Flatto–Hahn); its published relative error is under 5% for 2 ≤ k ≤ 32.
   */
  function nelsonTantawi(k: number, lambda: number, mu: number): number {
    const rho = lambda / mu;
    const ratio = harmonic(k) / harmonic(2);
    return (ratio + (4 / 11) * (1 - ratio) * rho) * ((12 - rho) / 8) * (1 / (mu - lambda));
  }

  it.each([
    { k: 4, rate: 500 },
    { k: 8, rate: 500 },
  ])('k = $k, ρ = 0.5: the mean step time agrees with an independent Lindley fork-join within both CIs, and with Nelson–Tantawi within its 5%', ({ k, rate }) => {
    const mu = 1000;
    const names = Array.from({ length: k }, (_, i) => `b${i}`);
    const s = graph(
      [{ name: 'front', concurrency: 100_000, serviceTime: 0, calls: [{ parallel: names.map((service) => ({ service, port: 80 })) }] }, ...names.map((name) => ({ name, serviceTime: exp('1ms') }))],
      rate,
      { duration: 30 },
    );
    const results = replicate(s, 10);
    const sim = interval(metric(results, 'latency_mean_ms'));
    const reference = interval(Array.from({ length: 10 }, (_, i) => lindleyForkJoin(k, rate, mu, 150_000, 1 + i) * 1000));
    expect(Math.abs(sim.mean - reference.mean), `svcsim ${sim.mean} ± ${sim.halfWidth} vs Lindley ${reference.mean} ± ${reference.halfWidth}`).toBeLessThanOrEqual(sim.halfWidth + reference.halfWidth);
    const approx = nelsonTantawi(k, rate, mu) * 1000;
    expect(Math.abs(sim.mean - approx), `svcsim ${sim.mean} ± ${sim.halfWidth} vs Nelson–Tantawi ${approx}`).toBeLessThanOrEqual(0.05 * approx + sim.halfWidth);
    // The k sojourn times are correlated through the shared arrivals: the step is shorter than the
    // mean of k independent maxima, H_k/(μ − λ), which only light load reaches.
    expect(sim.mean + sim.halfWidth).toBeLessThan((harmonic(k) / (mu - rate)) * 1000);
  });
});

describe('fan-out and probability', () => {
  it('calls per request are probability × count in expectation, and per-Service counts add up', () => {
    const s = graph(
      [
        { name: 'front', concurrency: 100_000, serviceTime: exp('1ms'), calls: [{ service: 'b1', port: 80, count: 3, probability: 0.3 }, { parallel: [{ service: 'b2', port: 80, count: 2 }] }] },
        { name: 'b1', concurrency: 100_000, serviceTime: exp('1ms') },
        { name: 'b2', concurrency: 100_000, serviceTime: exp('1ms') },
      ],
      200,
      { duration: 30 },
    );
    const results = replicate(s, 10);
    const edge = metric(results, 'requests');
    const b1 = metric(results, 'requests', scopeIndex(results, 'service:b1'));
    const b2 = metric(results, 'requests', scopeIndex(results, 'service:b2'));
    expectWithin(
      b1.map((x, i) => x / edge[i]),
      0.9,
    );
    expect(b2.every((x, i) => x === 2 * edge[i])).toBe(true);
    // Pods count every call they receive: b1's and b2's pods together hold exactly the calls made.
    const received = (w: string) => results.map((r) => r.pods.filter((p) => p.workload === w).reduce((sum, p) => sum + p.requests, 0));
    expect(received('b2')).toEqual(b2);
    expect(received('b1')).toEqual(b1);
    // The edge's `calls` metric counts every call attempt its requests' pods made; each Service's, the calls to it.
    const calls = metric(results, 'calls');
    expect(calls).toEqual(b1.map((x, i) => x + b2[i]));
    expect(metric(results, 'calls', scopeIndex(results, 'service:b1'))).toEqual(b1);
  });
});

describe('failures spread upstream', () => {
  it('a crashed backend node fails the edge as failed_dependency, and each hop’s retries add load downstream', () => {
    const s = graph(
      [
        { name: 'front', concurrency: 1000, serviceTime: exp('1ms'), placement: { n0: 1 }, calls: [{ service: 'back', port: 80 }], client: { timeout: 0.1, retries: 1 } },
        { name: 'back', concurrency: 1000, serviceTime: exp('1ms'), placement: { n1: 1 } },
      ],
      100,
      { nodes: ['n0', 'n1'], duration: 30, failures: [{ at: 15, node: 'n1' }] },
    );
    const results = replicate(s, 3);
    const back = scopeIndex(results, 'service:back');
    for (const r of results) {
      const edge = (m: string) => r.scopes[0].metrics[METRIC_NAMES.indexOf(m as MetricName)];
      const call = (m: string) => r.scopes[back].metrics[METRIC_NAMES.indexOf(m as MetricName)];
      // The edge's client sees errors from front, never a timeout or a reset of its own.
      expect(edge('failed')).toBeGreaterThan(100);
      expect(edge('failed_timeout') + edge('failed_refused') + edge('failed_rejected')).toBe(0);
      // Every call after the crash times out, is retried once, and fails its caller.
      expect(call('failed_timeout')).toBe(edge('failed'));
      expect(call('retries')).toBeGreaterThanOrEqual(call('failed_timeout'));
      expect(call('requests')).toBe(edge('requests'));
    }
  });
});

describe('connections between Services', () => {
  /** Open connections per backend pod at the end of one replication, from every node's kube-proxy table. */
  function connectionsPerBackend(s: Scenario, replication: number, backends: number): number[] {
    const sim = new Simulation(resolved(s), { replication, rootSeed: 11 });
    sim.run();
    // Each caller pod's pooled connection (size 1: its client is its own slot) and the backend it was DNATed to.
    const t = sim.calls.firstCallEntry;
    const first = sim.pods.names.indexOf('back-0');
    const counts = new Array<number>(backends).fill(0);
    for (let p = 0; p < sim.pods.count; p++) {
      if (!sim.pods.names[p].startsWith('front-')) continue;
      const c = sim.connections.keptAlive(t, sim.calls.clientOf(t, p));
      if (c >= 0) counts[sim.connections.pod[c] - first]++;
    }
    return counts;
  }

  it('pooled: {size: 1} gives each caller pod one backend: connections per backend are Binomial(C, 1/B) under iptables (χ²)', () => {
    const C = 12;
    const B = 3;
    const s = graph(
      [
        { name: 'front', replicas: C, concurrency: 100_000, serviceTime: 0, calls: [{ service: 'back', port: 80 }], client: { connections: { pooled: { size: 1 } } } },
        { name: 'back', replicas: B, concurrency: 100_000, serviceTime: exp('1ms') },
      ],
      200,
      { duration: 2, warmup: 0 },
    );
    // Counts of backends with k connections, over many replications, against Binomial(C, 1/B).
    const runs = 150;
    const observed = new Array<number>(C + 1).fill(0);
    for (let r = 0; r < runs; r++) {
      const conns = connectionsPerBackend(s, r, B);
      expect(conns.reduce((a, b) => a + b, 0)).toBe(C);
      for (const k of conns) observed[k]++;
    }
    const n = runs * B;
    const pmf = (k: number) => binomial(C, k) * (1 / B) ** k * (1 - 1 / B) ** (C - k);
    // Pool the tails so every expected count is ≥ 5: k ≤ 2, 3, 4, 5, 6, ≥ 7.
    const bins = [
      [0, 1, 2],
      [3],
      [4],
      [5],
      [6],
      [7, 8, 9, 10, 11, 12],
    ];
    let chi2 = 0;
    for (const bin of bins) {
      const expected = n * bin.reduce((sum, k) => sum + pmf(k), 0);
      const seen = bin.reduce((sum, k) => sum + observed[k], 0);
      chi2 += (seen - expected) ** 2 / expected;
    }
    // χ² with 5 degrees of freedom: 99.9th percentile 20.52.
    expect(chi2).toBeLessThan(20.52);
  });

  it('per-backend load follows the pooled connections: each backend serves exactly the calls of the caller pods pinned to it', () => {
    const s = graph(
      [
        { name: 'front', replicas: 12, concurrency: 100_000, serviceTime: exp('1ms'), calls: [{ service: 'back', port: 80 }], client: { connections: { pooled: { size: 1 } } } },
        { name: 'back', replicas: 3, concurrency: 100_000, serviceTime: exp('1ms') },
      ],
      600,
      { duration: 10, warmup: 0 },
    );
    const sim = new Simulation(resolved(s), { replication: 0, rootSeed: 11 });
    sim.run();
    const t = sim.calls.firstCallEntry;
    const served = new Map<number, number>();
    for (let p = 0; p < sim.pods.count; p++) {
      if (!sim.pods.names[p].startsWith('front-')) continue;
      const backend = sim.connections.pod[sim.connections.keptAlive(t, sim.calls.clientOf(t, p))];
      served.set(backend, (served.get(backend) ?? 0) + sim.pods.counted[p]);
    }
    const backends = Array.from({ length: sim.pods.count }, (_, p) => p).filter((p) => sim.pods.names[p].startsWith('back-'));
    expect(backends.map((b) => sim.pods.counted[b])).toEqual(backends.map((b) => served.get(b) ?? 0));
    // Poisson arrivals spread over 12 callers: the pinned split is uneven, unlike perRequest's.
    const shares = backends.map((b) => sim.pods.counted[b] / backends.reduce((sum, x) => sum + sim.pods.counted[x], 0));
    expect(Math.max(...shares.map((x) => Math.abs(x - 1 / 3)))).toBeGreaterThan(0.02);
  });

  it('every caller pod keeps its own pooled connection, from its own node, however many pods the HPA adds', () => {
    // 1 front pod scaled to 90 (10 requests/s each at 900/s) and 3 back pods: pod indices pass 4 × the
    // initial pods and 64, where caller pods once shared a client (and so one connection opened elsewhere).
    const rps = { type: 'Pods', pods: { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: '10' } } };
    const s = graph(
      [
        { name: 'front', concurrency: 100_000, serviceTime: exp('1ms'), calls: [{ service: 'back', port: 80 }], client: { connections: { pooled: { size: 1 } } }, autoscaling: { maxReplicas: 90, metrics: [rps] } },
        { name: 'back', replicas: 3, concurrency: 100_000, serviceTime: exp('1ms') },
      ],
      900,
      { nodes: ['n0', 'n1'], duration: 240, warmup: 0 },
    );
    const sim = new Simulation(resolved(s), { replication: 0, rootSeed: 3 });
    sim.run();
    const t = sim.calls.firstCallEntry;
    const callers = Array.from({ length: sim.pods.count }, (_, p) => p).filter((p) => sim.pods.names[p].startsWith('front-') && sim.pods.state[p] === PodState.Running);
    expect(callers.length).toBeGreaterThan(80);
    expect(Math.max(...callers)).toBeGreaterThan(64);
    const held = callers.map((p) => sim.connections.keptAlive(t, sim.calls.clientOf(t, p)));
    expect(held.every((c) => c >= 0)).toBe(true);
    expect(new Set(held).size).toBe(callers.length);
    expect(held.map((c) => sim.connections.origin[c])).toEqual(callers.map((p) => sim.pods.node[p]));
  });

  it('ClientIP affinity keys on the caller pod’s IP: all of a pod’s pooled connections reach one backend, and pods spread', () => {
    const C = 8;
    const size = 4;
    const s = graph(
      [
        { name: 'front', replicas: C, concurrency: 100_000, serviceTime: 0, calls: [{ service: 'back', port: 80 }], client: { connections: { pooled: { size } } } },
        { name: 'back', replicas: 4, concurrency: 100_000, serviceTime: exp('1ms'), service: { sessionAffinity: 'ClientIP' } },
      ],
      400,
      { duration: 5, warmup: 0 },
    );
    const sim = new Simulation(resolved(s), { replication: 0, rootSeed: 5 });
    sim.run();
    const t = sim.calls.firstCallEntry;
    const backends = new Set<number>();
    for (let p = 0; p < sim.pods.count; p++) {
      if (!sim.pods.names[p].startsWith('front-')) continue;
      const pods = Array.from({ length: size }, (_, i) => sim.connections.keptAlive(t, p * size + i)).map((c) => (c >= 0 ? sim.connections.pod[c] : -1));
      // 400 calls/s over 8 pods for 5 s: every one of a pod's 4 connections is open, to one backend.
      expect(pods.every((x) => x >= 0)).toBe(true);
      expect(new Set(pods).size).toBe(1);
      backends.add(pods[0]);
    }
    expect(backends.size).toBeGreaterThan(1);
  });

  it('perRequest spreads calls evenly: every backend’s share is within 0.01 of 1/B', () => {
    const B = 4;
    const s = graph(
      [
        { name: 'front', replicas: 4, concurrency: 100_000, serviceTime: 0, calls: [{ service: 'back', port: 80 }] },
        { name: 'back', replicas: B, concurrency: 100_000, serviceTime: exp('1ms') },
      ],
      2000,
      { duration: 20, warmup: 1 },
    );
    const [r] = replicate(s, 1);
    const shares = r.pods.filter((p) => p.workload === 'back').map((p) => p.share);
    for (const share of shares) expect(Math.abs(share - 1 / B)).toBeLessThan(0.01);
  });
});

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

describe('memory', () => {
  it('a 3-tier chain holds records only for what is in flight: live records are the requests in flight, and the pools are no larger after 10× the requests', () => {
    const chain = (duration: number) =>
      graph(
        [
          { name: 't0', concurrency: 100_000, serviceTime: exp('1ms'), calls: [{ service: 't1', port: 80 }] },
          { name: 't1', concurrency: 100_000, serviceTime: exp('1ms'), calls: [{ service: 't2', port: 80 }] },
          { name: 't2', concurrency: 100_000, serviceTime: exp('1ms') },
        ],
        1000,
        { duration, warmup: 0 },
      );
    const pools = (duration: number) => {
      const sim = new Simulation(resolved(chain(duration)), { replication: 0, rootSeed: 2 });
      sim.run();
      // The run stops when the last counted request ends: the records still alive are exactly the requests in flight.
      expect(sim.requests.live.reduce((n, x) => n + x, 0)).toBe(sim.inFlight);
      // Pools double when full: at most twice the peak, and never less than their first 64 records.
      expect(sim.requests.capacity).toBeLessThanOrEqual(Math.max(64, 2 * sim.peakInFlight));
      return { requests: sim.requests.capacity, attempts: sim.attempts.cap, peak: sim.peakInFlight };
    };
    const short = pools(2);
    const long = pools(20);
    expect(long.peak).toBeLessThan(100);
    expect(long.requests).toBeLessThanOrEqual(2 * short.requests);
    expect(long.attempts).toBeLessThanOrEqual(2 * short.attempts);
  });
});

describe('trace', () => {
  it('indents each call under the request that made it, with its own hops and pod', () => {
    const s = graph([{ name: 'front', concurrency: 10, serviceTime: '1ms', calls: [{ parallel: [{ service: 'b1', port: 80 }, { service: 'b2', port: 80, count: 2 }] }] }, { name: 'b1', serviceTime: '2ms' }, { name: 'b2', serviceTime: '1ms', concurrency: 4 }], 50);
    const tracer = new Tracer(2, 6);
    new Simulation(resolved(s), { replication: 0, rootSeed: 1, tracer }).run();
    const text = tracer.text();
    const requests = text.split('\n\n').filter((block) => block.startsWith('request'));
    expect(requests).toHaveLength(2);
    for (const block of requests) {
      const calls = block.split('\n').filter((line) => line.startsWith('    call from pod front-0'));
      expect(calls).toHaveLength(3);
      expect(block).toContain('→ b1:80 via clusterIP');
      expect(block).toMatch(/^ {8}kube-proxy on n0: DNAT .* → pod b2-0/m);
      expect(block).toMatch(/^ {8}pod b1-0: service starts/m);
      // The caller answers after its slowest call: 1 ms of its own work, then b1's 2 ms.
      expect(block).toMatch(/outcome: ok, latency 3\.000 ms$/m);
    }
  });
});
