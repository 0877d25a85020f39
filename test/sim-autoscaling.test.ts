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
