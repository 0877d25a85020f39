/**
 * Cost per request as the cluster grows: the same traffic through 30 and
 * through 3000 pods, for every kube-proxy mode and every LB algorithm
 * (issue: no per-connection scan over pods or nodes; the target is 3000
 * pods within 1.5× of 30), and 1000 nodes with ClientIP affinity (the
 * affinity table once took a row per node × service × client).
 *
 * Timings are of one replication in this thread, 30 and 3000 pods in turn
 * (three pairs, the median ratio), after a warm-up of each.
 */
import { runReplication } from '../src/sim/replication.js';
import { median } from './processes.js';
import { resolvedScenario } from './reference.js';

export interface ClusterCase {
  nodes: number;
  pods: number;
  proxyMode?: string;
  ipvsScheduler?: string;
  algorithm?: string;
  /** LB targets: nodes (then kube-proxy chooses the pod) or pods. */
  targets?: 'nodes' | 'pods';
  affinity?: boolean;
  seconds?: number;
  rate?: number;
}

export function clusterScenario(c: ClusterCase): object {
  return {
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: 'bench-cluster' },
    simulation: { duration: c.seconds ?? 10, warmup: 0, replications: 1, seed: 1, timeBucket: 1 },
    cluster: {
      nodes: [{ name: 'n', count: c.nodes, maxPods: Math.max(110, Math.ceil(c.pods / c.nodes)) }],
      proxyMode: c.proxyMode ?? 'iptables',
      ...(c.ipvsScheduler ? { ipvsScheduler: c.ipvsScheduler } : {}),
    },
    workloads: [{ name: 'web', replicas: c.pods, ports: [8080], concurrency: 4, serviceTime: { dist: 'exponential', mean: '1ms' } }],
    services: [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], ...(c.affinity ? { sessionAffinity: 'ClientIP' } : {}) },
      },
    ],
    loadBalancers: [{ service: 'web', targets: c.targets ?? 'nodes', algorithm: c.algorithm ?? 'flowHash' }],
    traffic: [{ name: 'users', to: { service: 'web', port: 80, via: 'loadBalancer' }, arrival: { process: 'poisson', rate: c.rate ?? 20000 }, clients: 10000 }],
  };
}

/** One replication: its seconds and simulated requests. */
export function timeCase(c: ClusterCase): { seconds: number; requests: number } {
  const scenario = resolvedScenario(clusterScenario(c), 'bench-cluster.yaml');
  const t0 = process.hrtime.bigint();
  const r = runReplication(scenario, { variant: 0, replication: 0, rootSeed: 1 });
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, requests: r.simulatedRequests };
}

/** Microseconds per simulated request of one replication (set-up included). */
export function microsPerRequest(c: ClusterCase): number {
  const r = timeCase(c);
  return (r.seconds * 1e6) / r.requests;
}

/** Microseconds per simulated request once set up: the difference between a run of 2s and one of s seconds. */
export function marginalMicros(c: ClusterCase, seconds: number): { micros: number; setupSeconds: number } {
  const short = timeCase({ ...c, seconds });
  const long = timeCase({ ...c, seconds: 2 * seconds });
  const micros = ((long.seconds - short.seconds) * 1e6) / (long.requests - short.requests);
  return { micros, setupSeconds: Math.max(0, short.seconds - (micros * short.requests) / 1e6) };
}

const ROWS: { label: string; c: Omit<ClusterCase, 'nodes' | 'pods'> }[] = [
  { label: 'kube-proxy iptables', c: { proxyMode: 'iptables' } },
  { label: 'kube-proxy nftables', c: { proxyMode: 'nftables' } },
  { label: 'kube-proxy ipvs rr', c: { proxyMode: 'ipvs', ipvsScheduler: 'rr' } },
  { label: 'kube-proxy ipvs lc', c: { proxyMode: 'ipvs', ipvsScheduler: 'lc' } },
  { label: 'kube-proxy ipvs sh', c: { proxyMode: 'ipvs', ipvsScheduler: 'sh' } },
  { label: 'LB flowHash (targets: pods)', c: { targets: 'pods', algorithm: 'flowHash' } },
  { label: 'LB roundRobin (targets: pods)', c: { targets: 'pods', algorithm: 'roundRobin' } },
  { label: 'LB leastConnections (targets: pods)', c: { targets: 'pods', algorithm: 'leastConnections' } },
];

/** The 30-vs-3000-pods table, one line per proxy mode and LB algorithm. */
export function podsTable(): void {
  console.log('cost per request, 30 nodes, 30 vs 3000 pods (µs per simulated request, median of 3 pairs; target 3000/30 ≤ 1.5×):');
  for (const { label, c } of ROWS) {
    const small = { ...c, nodes: 30, pods: 30 };
    const large = { ...c, nodes: 30, pods: 3000 };
    microsPerRequest({ ...small, seconds: 2 });
    microsPerRequest({ ...large, seconds: 2 });
    const pairs = [0, 1, 2].map(() => {
      const a = microsPerRequest(small);
      const b = microsPerRequest(large);
      return { a, b, ratio: b / a };
    });
    console.log(
      `  ${label.padEnd(36)} ${median(pairs.map((p) => p.a)).toFixed(2).padStart(6)} µs  ${median(pairs.map((p) => p.b)).toFixed(2).padStart(6)} µs  ${median(pairs.map((p) => p.ratio)).toFixed(2)}×`,
    );
  }
}
