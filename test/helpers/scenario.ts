/**
 * Builds resolved scenarios for tests from plain objects, through the same
 * loader users go through (so every default and rule applies).
 */
import { stringify } from 'yaml';
import { parseScenarioText } from '../../src/scenario/load.js';
import { resolved } from '../../src/scenario/resolved.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { runReplication } from '../../src/sim/replication.js';
import { METRIC_NAMES, type MetricName, type ReplicationResult } from '../../src/sim/result.js';
import { summarize, tQuantile } from '../../src/stats/index.js';

/** A Service `web` selecting `app: web`, port 80 → 8080, with the given spec fields. */
export function webService(spec: Record<string, unknown>) {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec } };
}

export function scenarioFrom(obj: Record<string, unknown>): Scenario {
  return parseScenarioText(stringify(obj), 'test.yaml').scenario;
}

/** A one-node cluster, one workload `app` and a ClusterIP Service `svc`, called from the pod's node with every latency 0. */
export function singleQueue(opts: {
  rate: number;
  serviceTime: unknown;
  concurrency?: number;
  queueCapacity?: number;
  replicas?: number;
  duration?: number;
  warmup?: number;
  replications?: number;
  proxyMode?: string;
  ipvsScheduler?: string;
  seed?: number;
  /** Extra fields of the traffic entry (timeout, retries, retryBackoff…). */
  traffic?: Record<string, unknown>;
  /** Extra fields of `simulation` (maxInFlight…). */
  simulation?: Record<string, unknown>;
}): Scenario {
  return scenarioFrom({
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: 'queue' },
    simulation: { duration: opts.duration ?? 200, warmup: opts.warmup ?? 20, replications: opts.replications ?? 10, seed: opts.seed ?? 1, drainLimit: 1000, ...opts.simulation },
    cluster: {
      nodes: [{ name: 'n0' }],
      proxyMode: opts.proxyMode ?? 'iptables',
      ...(opts.ipvsScheduler ? { ipvsScheduler: opts.ipvsScheduler } : {}),
      latency: { sameNode: 0, sameZone: 0, crossZone: 0, proxy: 0 },
    },
    workloads: [
      {
        name: 'app',
        replicas: opts.replicas ?? 1,
        ports: [8080],
        concurrency: opts.concurrency ?? 1,
        ...(opts.queueCapacity !== undefined ? { queueCapacity: opts.queueCapacity } : {}),
        serviceTime: opts.serviceTime,
      },
    ],
    services: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { selector: { app: 'app' }, ports: [{ port: 80, targetPort: 8080 }] } }],
    traffic: [{ name: 'load', to: { service: 'svc', port: 80, via: 'clusterIP' }, from: { node: 'n0' }, arrival: { process: 'poisson', rate: opts.rate }, handshake: false, ...opts.traffic }],
  });
}

export function replicate(s: Scenario, replications = s.simulation.replications, seed = s.simulation.seed): Promise<ReplicationResult[]> {
  const out: ReplicationResult[] = [];
  for (let r = 0; r < replications; r++) out.push(runReplication(resolved(s), { variant: 0, replication: r, rootSeed: seed }));
  return Promise.resolve(out);
}

export function metric(results: ReplicationResult[], name: MetricName, scope = 0): number[] {
  const i = METRIC_NAMES.indexOf(name);
  return results.map((r) => r.scopes[scope].metrics[i]);
}

/**
 * The run's own confidence interval for a metric: mean and half-width at
 * `confidence` (Student-t over replications).
 */
export function interval(values: number[], confidence = 0.99): { mean: number; halfWidth: number } {
  const s = summarize(values);
  const t = tQuantile(1 - (1 - confidence) / 2, values.length - 1);
  return { mean: s.mean as number, halfWidth: (t * (s.stddev as number)) / Math.sqrt(values.length) };
}
