import { describe, expect, it } from 'vitest';
import { resolved } from '../src/scenario/resolved.js';
import { Simulation } from '../src/sim/simulation.js';
import { runReplication } from '../src/sim/replication.js';
import { buildTables } from '../src/results/tables.js';
import { scenarioFrom } from './helpers/scenario.js';

const rps = (value: number) => ({ type: 'Pods', pods: { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: String(value) } } });
const cpu = (percent: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: percent } } });

/** One workload `web` on 4 roomy nodes behind a ClusterIP Service, constant arrivals by steps, constant service times. */
function autoscaled(opts: {
  autoscaling: Record<string, unknown>;
  steps: [string, number][];
  duration?: string;
  replicas?: number;
  resolution?: string;
  concurrency?: number;
  serviceTime?: string;
  queueCapacity?: number;
  maxPods?: number;
}) {
  return scenarioFrom({
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: 'hpa' },
    simulation: { duration: opts.duration ?? '400s', warmup: '0s', replications: 1, seed: 7, drainLimit: '60s', timeBucket: '10s' },
    cluster: {
      nodes: [{ name: 'n', count: 4, ...(opts.maxPods ? { maxPods: opts.maxPods } : {}) }],
      controlPlane: { metricsResolution: opts.resolution ?? '15s' },
    },
    workloads: [
      {
        name: 'web',
        replicas: opts.replicas ?? 2,
        ports: [8080],
        concurrency: opts.concurrency ?? 100,
        ...(opts.queueCapacity !== undefined ? { queueCapacity: opts.queueCapacity } : {}),
        serviceTime: { dist: 'constant', value: opts.serviceTime ?? '10ms' },
        startupTime: '5s',
        autoscaling: opts.autoscaling,
      },
    ],
    services: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } }],
    traffic: [
      {
        name: 'load',
        to: { service: 'web', port: 80, via: 'clusterIP' },
        from: { node: 'n-0' },
        arrival: { process: 'schedule', steps: opts.steps.map(([at, rate]) => ({ at, rate, process: 'constant' })) },
      },
    ],
  });
}

/** Runs replication 0 and returns the HPA's decisions as [time, replicas before, replicas after, proposal]. */
function run(s: ReturnType<typeof scenarioFrom>) {
  const sim = new Simulation(resolved(s), { replication: 0, rootSeed: 7, recordControlPlane: true });
  sim.run();
  const decisions = (sim.controlLog ?? [])
    .filter((l) => l.message.includes(' hpa/web '))
    .map((l) => {
      const m = / replicas (\d+): .*proposal (-?\d+) .*: (?:scale to (\d+)|no change)/.exec(l.message);
      if (m === null) throw new Error(l.message);
      return { t: l.t, from: Number(m[1]), to: m[3] === undefined ? Number(m[1]) : Number(m[3]), proposal: Number(m[2]), line: l.message };
    });
  return { sim, decisions, log: sim.controlLog ?? [] };
}

const distinct = (xs: number[]) => xs.filter((x, i) => i === 0 || x !== xs[i - 1]);

describe('autoscaling in a replication', () => {
  it('settles a steady load at ceil(n·u/t): 4 pods at 87.75% CPU against a 60% target go to ceil(5.85) = 6 and stay there', () => {
    // 1404 requests/s × 10 ms = 14.04 busy slots of 4 pods × 4: u = 0.8775; on 6 pods u/t = 0.975, within the tolerance.
    const r = run(autoscaled({ autoscaling: { minReplicas: 1, maxReplicas: 30, metrics: [cpu(60)] }, steps: [['0s', 1404]], replicas: 4, concurrency: 4, duration: '300s' }));
    const measured = r.decisions.filter((d) => /cpu \d+%/.test(d.line));
    expect(distinct(measured.map((d) => d.to))).toEqual([6]);
    expect(measured[0].from).toBe(4);
    expect(measured.filter((d) => d.from === 6).every((d) => d.proposal === 6)).toBe(true);
  });

  it('does nothing while |u/t − 1| ≤ 0.1: 4 pods at 1.05 and at 0.95 of their 60% target stay at 4', () => {
    for (const rate of [1008, 912]) {
      const r = run(autoscaled({ autoscaling: { minReplicas: 1, maxReplicas: 30, metrics: [cpu(60)] }, steps: [['0s', rate]], replicas: 4, concurrency: 4, duration: '300s' }));
      const measured = r.decisions.filter((d) => /cpu \d+%/.test(d.line));
      expect(measured.length, `${rate}/s`).toBeGreaterThan(10);
      expect(measured.every((d) => d.to === 4 && d.line.includes('within tolerance')), `${rate}/s`).toBe(true);
    }
  });

  it('climbs 2 → 6 → 12 → 16 at consecutive syncs when 1600 requests/s arrive at once on 2 pods with a 100/s target, proposing 16 each time', () => {
    const r = run(autoscaled({ autoscaling: { minReplicas: 2, maxReplicas: 30, metrics: [rps(100)], behavior: {} }, steps: [['0s', 100], ['60s', 1600]], resolution: '1s' }));
    const first = r.decisions.findIndex((d) => d.to !== d.from);
    expect(r.decisions.slice(first, first + 4).map((d) => [d.from, d.to, d.proposal])).toEqual([
      [2, 6, 16],
      [6, 12, 16],
      [12, 16, 16],
      [16, 16, 16],
    ]);
    expect(distinct(r.decisions.map((d) => d.to))).toEqual([2, 6, 12, 16]);
  });

  it('at most doubles per step while the CPU saturates (50% target, a load needing 20 pods): 2 → 4 → 8 → 16 → 20, waiting at each step for the new pods to be counted', () => {
    const r = run(
      autoscaled({
        autoscaling: { minReplicas: 2, maxReplicas: 30, metrics: [cpu(50)], behavior: {} },
        steps: [['0s', 100], ['60s', 1000]],
        concurrency: 1,
        queueCapacity: 5,
      }),
    );
    expect(distinct(r.decisions.map((d) => d.to))).toEqual([2, 4, 8, 16, 20]);
    // After each step at least one sync holds: the new pods' first samples began before they were ready.
    const steps = r.decisions.map((d, i) => [i, d.from, d.to]).filter(([, from, to]) => from !== to).map(([i]) => i);
    for (let k = 1; k < steps.length; k++) expect(steps[k] - steps[k - 1]).toBeGreaterThanOrEqual(2);
  });

  it('scales down only once the 300 s stabilisation window holds no higher recommendation, then in one step to the proposal', () => {
    const r = run(
      autoscaled({ autoscaling: { minReplicas: 2, maxReplicas: 30, metrics: [rps(100)], behavior: {} }, steps: [['0s', 1600], ['100s', 400]], replicas: 16, resolution: '1s', duration: '500s' }),
    );
    const lastHigh = Math.max(...r.decisions.filter((d) => d.proposal > 4).map((d) => d.t));
    const down = r.decisions.find((d) => d.to < d.from);
    expect(down?.t).toBeCloseTo(lastHigh + 300, 9);
    expect([down?.from, down?.to]).toEqual([16, 4]);
  });

  it('lets scaled-down pods finish what they hold: no request fails', () => {
    const s = autoscaled({ autoscaling: { minReplicas: 2, maxReplicas: 30, metrics: [rps(100)], behavior: {} }, steps: [['0s', 1600], ['100s', 400]], replicas: 16, resolution: '1s', duration: '500s' });
    const result = runReplication(resolved(s), { variant: 0, replication: 0, rootSeed: 7 });
    const failed = result.scopes[0].metrics[2];
    expect(failed).toBe(0);
    expect(result.autoscaling?.scopes[0].scaleEvents).toBe(1);
  });

  it('writes replicas:web and pending:web to timeseries.csv and the autoscaling metrics to summary.csv', () => {
    const s = autoscaled({ autoscaling: { minReplicas: 2, maxReplicas: 30, metrics: [rps(100)], behavior: {} }, steps: [['0s', 100], ['60s', 1600]], resolution: '1s', duration: '200s' });
    const result = runReplication(resolved(s), { variant: 0, replication: 0, rootSeed: 7 });
    const tables = buildTables([{ index: 0, label: 'base', params: [] }] as never, [result]);
    const header = tables['timeseries.csv'].split('\n')[0];
    expect(header).toBe('variant,t_s,requests,ok,failed,throughput_rps,latency_p50_ms,latency_p99_ms,failed_timeout,failed_refused,failed_rejected,failed_dependency,unfinished,in_flight,queue_length,t_scenario_s,throughput_rps_ci_low,throughput_rps_ci_high,failed_ci_low,failed_ci_high,latency_p99_ms_ci_low,latency_p99_ms_ci_high,in_flight_ci_low,in_flight_ci_high,queue_length_ci_low,queue_length_ci_high,replicas:web,pending:web');
    const lastRow = tables['timeseries.csv'].trim().split('\n').at(-1)?.split(',');
    expect(lastRow?.slice(-2).map(Number)).toEqual([16, 0]);
    const summary = tables['summary.csv'];
    for (const row of ['base,all,replicas_max,1,16', 'base,workload:web,scale_events,1,3', 'base,all,node_seconds,1,800']) expect(summary).toContain(row);
  });
});

/**
 * A fixed node and an autoscaled pool (1 node at the start, up to 4), each node holding 2 pods, and
 * an HPA on 100 requests/s per pod: 150/s, then 700/s from 60 s (7 pods: 3 must wait for new nodes),
 * back to 150/s at 300 s. Constant arrivals and service times, so every decision is exact.
 */
function pooled(opts: { duration?: string; extraTraffic?: Record<string, unknown>[]; services?: Record<string, unknown>[]; loadBalancers?: Record<string, unknown>[]; viaLoadBalancer?: boolean } = {}) {
  return scenarioFrom({
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: 'ca' },
    simulation: { duration: opts.duration ?? '1000s', warmup: '0s', replications: 1, seed: 7, drainLimit: '60s', timeBucket: '10s' },
    cluster: {
      nodes: [
        { name: 'fixed', maxPods: 2 },
        { name: 'pool', count: 1, maxPods: 2, autoscaling: { min: 1, max: 4, provisionTime: '60s', scaleDownUnneededTime: '2m' } },
      ],
      controlPlane: { metricsResolution: '1s' },
    },
    workloads: [
      {
        name: 'web',
        replicas: 2,
        ports: [8080],
        concurrency: 100,
        serviceTime: { dist: 'constant', value: '10ms' },
        startupTime: '5s',
        autoscaling: { minReplicas: 2, maxReplicas: 8, metrics: [rps(100)], behavior: {} },
      },
    ],
    services: opts.services ?? [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } }],
    ...(opts.loadBalancers ? { loadBalancers: opts.loadBalancers } : {}),
    traffic: [
      {
        name: 'load',
        to: { service: 'web', port: 80, via: opts.viaLoadBalancer ? 'loadBalancer' : 'clusterIP' },
        from: opts.viaLoadBalancer ? 'external' : { node: 'fixed' },
        arrival: {
          process: 'schedule',
          steps: [
            { at: '0s', rate: 150, process: 'constant' },
            { at: '60s', rate: 700, process: 'constant' },
            { at: '300s', rate: 150, process: 'constant' },
          ],
        },
      },
      ...(opts.extraTraffic ?? []),
    ],
  });
}

describe('the cluster autoscaler in a replication', () => {
  const at = (log: { t: number; message: string }[], pattern: RegExp) => log.filter((l) => pattern.test(l.message)).map((l) => l.t);

  it('keeps pods that cannot be placed Pending; they appear on the new node provisionTime + startupTime (+ propagation) after the first scan that sees them', () => {
    const { log } = run(pooled());
    const pendingAt = at(log, /^pod of web Pending/);
    const scaleUps = log.filter((l) => /cluster-autoscaler: .*scale up pool by/.test(l.message));
    expect(pendingAt.length).toBe(3);
    expect(scaleUps.length).toBe(2);
    // The first scan after the first Pending pods (scans every 10 s) asks for a node for them.
    const first = scaleUps[0];
    expect(first.t).toBeGreaterThan(pendingAt[0]);
    expect(first.t).toBeLessThanOrEqual(pendingAt[0] + 10);
    expect(first.message).toContain(`2 pending; scale up pool by 1, ready at ${(first.t + 60).toFixed(3)}s`);
    // provisionTime later the node is Ready and the Pending pods are created on it ...
    expect(at(log, /^node pool-1 Ready/)).toEqual([first.t + 60]);
    const created = log.filter((l) => / created on pool-1 /.test(l.message));
    expect(created.map((l) => l.t)).toEqual([first.t + 60, first.t + 60]);
    // ... ready startupTime later, and in every kube-proxy's rules after the propagation (1 s) and its sync.
    const names = created.map((l) => /pod (\S+) created/.exec(l.message)?.[1]);
    for (const name of names) expect(at(log, new RegExp(`^pod ${name} ready on pool-1`))).toEqual([first.t + 65]);
    const synced = log.filter((l) => l.message.startsWith('kube-proxy on fixed synced') && names.every((n) => l.message.includes(`${n} ready`)));
    expect(synced.map((l) => l.t)).toEqual([first.t + 66]);
    // The third Pending pod (the HPA's next step) waits for the second scale-up, ready 60 s after that scan.
    expect(at(log, /^node pool-2 Ready/)).toEqual([scaleUps[1].t + 60]);
    expect(scaleUps[1].t - pendingAt[2]).toBeGreaterThan(0);
    expect(scaleUps[1].t - pendingAt[2]).toBeLessThanOrEqual(10);
  });

  it('counts the Pending pods in pending:web until the new nodes take them, then 0; the new pods serve requests', () => {
    const s = pooled();
    const result = runReplication(resolved(s), { variant: 0, replication: 0, rootSeed: 7 });
    const pending = result.autoscaling?.series[0].pending ?? [];
    const firstWaiting = pending.findIndex((n) => n > 0);
    expect(Math.max(...pending)).toBe(3);
    // Bucket ends are at 10 s, 20 s, ...: Pending from 61 s, the last pods placed at the second node's Ready (about 137 s).
    expect(firstWaiting).toBe(6);
    expect(pending.slice(14).every((n) => n === 0)).toBe(true);
    const onNewNodes = result.pods.filter((p) => p.node === 'pool-1' || p.node === 'pool-2');
    expect(onNewNodes.length).toBe(3);
    for (const p of onNewNodes) expect(p.requests).toBeGreaterThan(0);
    expect(result.scopes[0].metrics[2]).toBe(0); // no request failed
  });

  it('removes the emptied nodes at the first scan scaleDownUnneededTime after they are seen empty and 10 min after the last scale-up, back to min; node_seconds follows the nodes', () => {
    const { log } = run(pooled());
    const scaleUps = at(log, /cluster-autoscaler: .*scale up pool by/);
    const phase = scaleUps[0] % 10;
    const nextScan = (t: number) => phase + Math.ceil((t - phase) / 10 - 1e-9) * 10;
    // The new nodes' pods are the newest: the HPA's scale-down (300 s after the load drops) takes them.
    const emptied = Math.max(...log.filter((l) => /^pod web-[3-6] deleted/.test(l.message)).map((l) => l.t));
    const unneededSince = nextScan(emptied);
    const expected = Math.max(nextScan(unneededSince + 120), nextScan(scaleUps[1] + 600));
    const removed = log.filter((l) => / removed \(cluster autoscaler/.test(l.message));
    expect(removed.map((l) => l.message.split(' ')[1]).sort()).toEqual(['pool-1', 'pool-2']);
    for (const l of removed) expect(l.t).toBeCloseTo(expected, 9);
    // pool-0 (the pool's min) stays.
    expect(log.some((l) => l.message.startsWith('node pool-0 removed'))).toBe(false);

    const result = runReplication(resolved(pooled()), { variant: 0, replication: 0, rootSeed: 7 });
    const nodeSeconds = result.autoscaling?.scopes[0].nodeSeconds ?? NaN;
    expect(nodeSeconds).toBeCloseTo(2 * 1000 + (expected - scaleUps[0]) + (expected - scaleUps[1]), 6);
    // nodes.csv lists the nodes that existed; pool-3 never did.
    expect(result.nodes.map((n) => n.node)).toEqual(['fixed', 'pool-0', 'pool-1', 'pool-2']);
  });

  it('registers an added node with the instance-mode LB unhealthy until it passes healthyThreshold probes, then the LB sends it connections; a removed node is deregistered', () => {
    const lbService = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } };
    const s = pooled({ viaLoadBalancer: true, services: [lbService], loadBalancers: [{ service: 'web', healthCheck: { interval: '10s', healthyThreshold: 3 } }] });
    const { log } = run(s);
    const ready = at(log, /^node pool-1 Ready/)[0];
    const healthy = at(log, /target pool-1 marked healthy/);
    // Probes every 10 s from a uniform phase: the third passing one comes 20 to 30 s after the node is Ready.
    expect(healthy.length).toBe(1);
    expect(healthy[0] - ready).toBeGreaterThanOrEqual(20);
    expect(healthy[0] - ready).toBeLessThanOrEqual(30);
    const removed = at(log, /^node pool-1 removed/)[0];
    expect(removed).toBeGreaterThan(healthy[0]);
    // After its removal no probe of pool-1 reports anything.
    expect(log.filter((l) => l.t > removed && l.message.includes('target pool-1 '))).toEqual([]);
    const result = runReplication(resolved(s), { variant: 0, replication: 0, rootSeed: 7 });
    expect(result.nodes.find((n) => n.node === 'pool-1')?.received).toBeGreaterThan(0);
    expect(result.scopes[0].metrics[2]).toBe(0);
  });

  it('keeps the replacements of evicted pods that fit nowhere Pending, and the cluster autoscaler adds a node for them', () => {
    // No HPA: 4 pods, 2 per node; pool-0 crashes for good at 30 s, its pods are evicted 30 s after NotReady.
    const s = scenarioFrom({
      apiVersion: 'svcsim/v1',
      kind: 'Scenario',
      metadata: { name: 'evict' },
      simulation: { duration: '300s', warmup: '0s', replications: 1, seed: 7, drainLimit: '60s', timeBucket: '10s' },
      cluster: {
        nodes: [
          { name: 'fixed', maxPods: 2 },
          { name: 'pool', count: 1, maxPods: 2, autoscaling: { min: 1, max: 3, provisionTime: '60s' } },
        ],
        controlPlane: { podEvictionTimeout: '30s' },
      },
      workloads: [{ name: 'web', replicas: 4, ports: [8080], serviceTime: { dist: 'constant', value: '10ms' }, concurrency: 10, startupTime: '5s' }],
      services: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } }],
      traffic: [{ name: 'load', to: { service: 'web', port: 80, via: 'clusterIP' }, from: { node: 'fixed' }, arrival: { process: 'constant', rate: 50 } }],
      failures: [{ node: 'pool-0', at: '30s' }],
    });
    const { log } = run(s);
    const evicted = at(log, /^pods of pool-0 evicted/);
    expect(evicted.length).toBe(1);
    expect(at(log, /^pod of web Pending/)).toEqual([evicted[0], evicted[0]]);
    const scaleUp = log.find((l) => /cluster-autoscaler: 2 pending; scale up pool by 1/.test(l.message));
    expect(scaleUp?.t).toBeGreaterThan(evicted[0]);
    expect(scaleUp?.t).toBeLessThanOrEqual(evicted[0] + 10);
    const created = log.filter((l) => / created on pool-1 /.test(l.message));
    expect(created.map((l) => l.t)).toEqual([(scaleUp?.t ?? NaN) + 60, (scaleUp?.t ?? NaN) + 60]);
    const result = runReplication(resolved(s), { variant: 0, replication: 0, rootSeed: 7 });
    const series = result.autoscaling?.series[0];
    expect(series?.pending.at(-1)).toBe(0);
    expect(series?.replicas.at(-1)).toBe(4);
    // The evicted pods count until their eviction: pod_seconds is 2 pods × 300 s, 2 × the eviction time, 2 from the new node's Ready.
    const podSeconds = result.autoscaling?.scopes[0].podSeconds ?? NaN;
    expect(podSeconds).toBeCloseTo(2 * 300 + 2 * evicted[0] + 2 * (300 - created[0].t), 6);
  });

  it('never sends traffic to a pool node that is not provisioned: random nodePort entries and an instance-mode LB use the nodes that exist', () => {
    const s = pooled({
      duration: '50s',
      services: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
      ],
      extraTraffic: [
        { name: 'np', to: { service: 'web', port: 80, via: 'nodePort' }, from: 'external', arrival: { process: 'constant', rate: 20 } },
        { name: 'lb', to: { service: 'web', port: 80, via: 'loadBalancer' }, from: 'external', arrival: { process: 'constant', rate: 20 } },
      ],
    });
    const result = runReplication(resolved(s), { variant: 0, replication: 0, rootSeed: 7 });
    expect(result.scopes[0].metrics[0]).toBeGreaterThan(2000);
    expect(result.scopes[0].metrics[2]).toBe(0);
    expect(result.nodes.map((n) => n.node)).toEqual(['fixed', 'pool-0']);
    expect(result.nodes.every((n) => n.received > 0)).toBe(true);
  });
});
