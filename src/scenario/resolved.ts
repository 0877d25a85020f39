/**
 * The scenario the engine runs: a resolved scenario (resolve.ts) whose types
 * say what resolution guarantees, so that nothing below `scenario/` fills a
 * default or asserts a field is there. Every workload has its labels and a
 * `{node: count}` placement; every Service port its targetPort; every load
 * balancer its health check, failOpen and crossZone; every traffic entry a
 * timeout (Infinity: none); every trace arrival its times; and failures are a
 * union discriminated by `kind`, with their times and delays filled in.
 *
 * `resolved()` only reshapes: it takes the output of `resolveScenario` (which
 * stays a plain `Scenario`, printable by `validate --resolved` and stored in
 * the manifest) and draws nothing at random.
 */
import { labelsOf } from './labels.js';
import { failureKind } from './failureKind.js';
import type { Arrival, LoadBalancer, Scenario, Service, ServicePort, Traffic, Workload } from './schema.js';

export type ResolvedWorkload = Omit<Workload, 'labels' | 'placement' | 'queueCapacity'> & {
  labels: Record<string, string>;
  placement: Record<string, number>;
  /** Attempts that may wait for a slot; Infinity: no limit. */
  queueCapacity: number;
};

export type ResolvedServicePort = Omit<ServicePort, 'targetPort' | 'nodePort'> & {
  targetPort: number | string;
  /** 0 when the Service has no nodePorts (ClusterIP). */
  nodePort: number;
};

export type ResolvedService = Omit<Service, 'spec'> & { spec: Omit<Service['spec'], 'ports'> & { ports: ResolvedServicePort[] } };

export type ResolvedLoadBalancer = Omit<LoadBalancer, 'healthCheck' | 'failOpen' | 'crossZone'> & {
  healthCheck: { interval: number; timeout: number; healthyThreshold: number; unhealthyThreshold: number };
  failOpen: boolean;
  crossZone: boolean;
};

export type ResolvedArrival = Exclude<Arrival, { process: 'trace' }> | { process: 'trace'; file: string; times: number[] };

export type ResolvedTraffic = Omit<Traffic, 'timeout' | 'arrival'> & {
  /** Seconds; Infinity: the client waits for ever. */
  timeout: number;
  arrival: ResolvedArrival;
};

/** One failure, by kind; times count from the start of the warm-up. */
export type ResolvedFailure =
  /** recoverAfter: Infinity when the node stays down. */
  | { kind: 'node'; at: number; node: string; recoverAfter: number }
  | { kind: 'zone'; at: number; zone: string; recoverAfter: number }
  /** restartAfter: the pod's startupTime unless given. */
  | { kind: 'pod'; at: number; pod: string; restartAfter: number }
  | { kind: 'random'; mtbf: number; mttr: number };

export type ResolvedScenario = Omit<Scenario, 'workloads' | 'services' | 'loadBalancers' | 'traffic' | 'failures'> & {
  workloads: ResolvedWorkload[];
  services: ResolvedService[];
  loadBalancers: ResolvedLoadBalancer[];
  traffic: ResolvedTraffic[];
  failures: ResolvedFailure[];
};

function missing(what: string): never {
  throw new Error(`scenario not resolved: ${what} (run resolveScenario first)`);
}

/** The workload a pod named `<workload>-<ordinal>` belongs to. */
function workloadOfPod(workloads: readonly Workload[], pod: string): Workload | undefined {
  return workloads.find((w) => pod.startsWith(`${w.name}-`) && /^\d+$/.test(pod.slice(w.name.length + 1)));
}

/** The engine's view of a scenario that `resolveScenario` has resolved. */
export function resolved(s: Scenario): ResolvedScenario {
  return {
    ...s,
    workloads: s.workloads.map((w) => ({
      ...w,
      labels: labelsOf(w),
      placement: typeof w.placement === 'object' ? w.placement : missing(`workload ${w.name} has placement ${w.placement}`),
      queueCapacity: w.queueCapacity ?? Infinity,
    })),
    services: s.services.map((svc) => ({
      ...svc,
      spec: { ...svc.spec, ports: svc.spec.ports.map((p) => ({ ...p, targetPort: p.targetPort ?? p.port, nodePort: p.nodePort ?? 0 })) },
    })),
    loadBalancers: s.loadBalancers.map((lb) => {
      const hc = lb.healthCheck;
      if (hc?.interval === undefined || hc.timeout === undefined || hc.healthyThreshold === undefined || hc.unhealthyThreshold === undefined || lb.failOpen === undefined || lb.crossZone === undefined)
        return missing(`load balancer of ${lb.service} has no preset filled`);
      return { ...lb, healthCheck: { interval: hc.interval, timeout: hc.timeout, healthyThreshold: hc.healthyThreshold, unhealthyThreshold: hc.unhealthyThreshold }, failOpen: lb.failOpen, crossZone: lb.crossZone };
    }),
    traffic: s.traffic.map((t) => ({
      ...t,
      timeout: t.timeout ?? Infinity,
      arrival: t.arrival.process === 'trace' ? { process: 'trace', file: t.arrival.file, times: t.arrival.times ?? [] } : t.arrival,
    })),
    failures: s.failures.map((f): ResolvedFailure => {
      const kind = failureKind(f);
      const at = f.at ?? 0;
      if (kind === 'random') return f.random ? { kind, mtbf: f.random.mtbf, mttr: f.random.mttr } : missing('a random failure without random');
      if (kind === 'node') return { kind, at, node: f.node ?? '', recoverAfter: f.recoverAfter ?? Infinity };
      if (kind === 'zone') return { kind, at, zone: f.zone ?? '', recoverAfter: f.recoverAfter ?? Infinity };
      const pod = f.pod ?? '';
      const restartAfter = f.restartAfter ?? workloadOfPod(s.workloads, pod)?.startupTime;
      return { kind, at, pod, restartAfter: restartAfter ?? missing(`failure of unknown pod ${pod}`) };
    }),
  };
}
