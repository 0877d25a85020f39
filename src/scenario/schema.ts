/**
 * The scenario format, v1: one zod schema that is the single source of the
 * scenario's TypeScript type, of its validation and of the JSON Schema that
 * `svcsim schema` prints for editors (see ../shared/spec/scenario.md).
 *
 * The schema parses what a user writes (Durations with units, Rates, short
 * forms) into plain numbers in seconds and per-second rates. Defaults that do
 * not depend on other parts of the scenario are filled here; the ones that do
 * (labels from the workload name, nodePorts, load balancer presets, node and
 * placement expansion) are filled by `resolve.ts`, whose output is again a
 * valid input of this schema (`validate --resolved` round-trips).
 *
 * Objects are strict: an unknown key is an error with its line and column.
 * Kubernetes Service objects are the exception that proves the rule: every
 * real field of a `v1/Service` is accepted, and those svcsim does not model
 * are ignored, so `kubectl get svc -o yaml` pastes in unchanged.
 */
import { z } from 'zod';
import { METRICS } from './metrics.js';
import { distributionSchema, durationSchema, rateSchema } from './units.js';

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    message: 'must be a DNS label: lower-case letters, digits and "-", starting and ending with a letter or digit',
  })
  .max(63);

/** Service names are DNS-1035 labels in Kubernetes: they start with a letter. */
const serviceName = z
  .string()
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, {
    message: 'must be a DNS-1035 label, as Kubernetes requires of Service names: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit',
  })
  .max(63);

const positiveInt = z.number().int().min(1);
const nonNegativeInt = z.number().int().min(0);
const portNumber = z.number().int().min(1).max(65535);

// ---------------------------------------------------------------- simulation

export const precisionSchema = z.strictObject({
  metric: z.enum(METRICS).default('latency_p99_ms'),
  relative: z.number().positive(),
  confidence: z.number().gt(0).lt(1).default(0.95),
  maxReplications: positiveInt.default(500),
});

export const simulationSchema = z.strictObject({
  duration: durationSchema,
  warmup: durationSchema.prefault(0),
  replications: positiveInt.max(1_000_000).default(10),
  seed: nonNegativeInt.max(4294967295).default(1),
  timeBucket: durationSchema.prefault(1),
  maxInFlight: positiveInt.default(1_000_000),
  drainLimit: durationSchema.prefault(60),
  precision: precisionSchema.optional(),
});

// ------------------------------------------------------------------- cluster

export const nodeSchema = z.strictObject({
  name: dnsLabel,
  zone: z.string().min(1).default('zone-a'),
  count: positiveInt.max(10_000).optional(),
  /** Pods the node can run, all workloads together (the kubelet's maxPods, 110 by default). */
  maxPods: positiveInt.max(100_000).default(110),
});

export const proxyModes = ['iptables', 'nftables', 'ipvs'] as const;
export const ipvsSchedulers = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'sed', 'nq'] as const;

export const clusterLatencySchema = z.strictObject({
  sameNode: distributionSchema.prefault('0.05ms'),
  sameZone: distributionSchema.prefault('0.15ms'),
  crossZone: distributionSchema.prefault('0.8ms'),
  proxy: distributionSchema.prefault('0.02ms'),
});

export const controlPlaneSchema = z.strictObject({
  nodeMonitorGracePeriod: durationSchema.prefault('50s'),
  nodeMonitorPeriod: durationSchema.prefault('5s'),
  nodeLeaseInterval: durationSchema.prefault('10s'),
  endpointPropagation: distributionSchema.prefault('1s'),
  proxyMinSyncPeriod: durationSchema.prefault('1s'),
  podEvictionTimeout: durationSchema.prefault('300s'),
});

export const clusterSchema = z.strictObject({
  nodes: z.array(nodeSchema).min(1),
  proxyMode: z.enum(proxyModes).default('iptables'),
  ipvsScheduler: z.enum(ipvsSchedulers).default('rr'),
  serviceNodePortRange: z
    .string()
    .regex(/^\d+-\d+$/, { message: 'must be a port range like 30000-32767' })
    .default('30000-32767'),
  latency: clusterLatencySchema.prefault({}),
  controlPlane: controlPlaneSchema.prefault({}),
});

// ----------------------------------------------------------------- workloads

export const containerPortSchema = z.union([
  portNumber,
  z.strictObject({ name: z.string().min(1).optional(), containerPort: portNumber }),
]);

export const workloadSchema = z.strictObject({
  name: dnsLabel,
  labels: z.record(z.string(), z.string()).optional(),
  replicas: nonNegativeInt.max(100_000),
  placement: z
    .union([z.enum(['spread', 'packed']), z.record(z.string(), nonNegativeInt)])
    .default('spread'),
  ports: z.array(containerPortSchema).min(1),
  concurrency: positiveInt.max(10_000_000).default(1),
  queueCapacity: nonNegativeInt.optional(),
  serviceTime: distributionSchema,
  startupTime: durationSchema.prefault('5s'),
});

// ------------------------------------------------------------------ services

/** Fields of a real `v1/Service` that svcsim accepts and ignores. */
const ignoredServiceSpecFields = {
  clusterIP: z.string().optional(),
  clusterIPs: z.array(z.string()).optional(),
  externalIPs: z.array(z.string()).optional(),
  loadBalancerIP: z.string().optional(),
  loadBalancerSourceRanges: z.array(z.string()).optional(),
  externalName: z.string().optional(),
  publishNotReadyAddresses: z.boolean().optional(),
  ipFamilies: z.array(z.string()).optional(),
  ipFamilyPolicy: z.string().optional(),
  allocateLoadBalancerNodePorts: z.boolean().optional(),
  loadBalancerClass: z.string().optional(),
};

export const servicePortSchema = z.strictObject({
  name: z.string().optional(),
  protocol: z.literal('TCP', { message: 'svcsim simulates TCP Services only' }).default('TCP'),
  appProtocol: z.string().optional(),
  port: portNumber,
  targetPort: z.union([portNumber, z.string().min(1)]).optional(),
  nodePort: portNumber.optional(),
});

export const serviceTypes = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;
export const trafficDistributions = ['PreferClose', 'PreferSameZone', 'PreferSameNode'] as const;

export const serviceSpecSchema = z.strictObject({
  type: z.enum(serviceTypes).default('ClusterIP'),
  selector: z.record(z.string(), z.string()),
  ports: z.array(servicePortSchema).min(1),
  externalTrafficPolicy: z.enum(['Cluster', 'Local']).default('Cluster'),
  internalTrafficPolicy: z.enum(['Cluster', 'Local']).default('Cluster'),
  sessionAffinity: z.enum(['None', 'ClientIP']).default('None'),
  sessionAffinityConfig: z
    .strictObject({
      clientIP: z
        .strictObject({ timeoutSeconds: z.number().int().min(1).max(86400).default(10800) })
        .prefault({}),
    })
    .prefault({}),
  trafficDistribution: z.enum(trafficDistributions).optional(),
  healthCheckNodePort: portNumber.optional(),
  ...ignoredServiceSpecFields,
});

export const serviceMetadataSchema = z.looseObject({
  name: serviceName,
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const serviceSchema = z.strictObject({
  apiVersion: z.literal('v1').default('v1'),
  kind: z.literal('Service').default('Service'),
  metadata: serviceMetadataSchema,
  spec: serviceSpecSchema,
  status: z.unknown().optional(),
});

// ------------------------------------------------------------- loadBalancers

export const lbPresets = ['generic', 'aws-nlb', 'gke', 'azure'] as const;
export const lbAlgorithms = ['flowHash', 'roundRobin', 'leastConnections'] as const;

export const healthCheckSchema = z.strictObject({
  interval: durationSchema.optional(),
  timeout: durationSchema.optional(),
  healthyThreshold: positiveInt.optional(),
  unhealthyThreshold: positiveInt.optional(),
});

export const loadBalancerSchema = z.strictObject({
  service: z.string(),
  preset: z.enum(lbPresets).default('generic'),
  algorithm: z.enum(lbAlgorithms).default('flowHash'),
  targets: z.enum(['nodes', 'pods']).default('nodes'),
  latency: distributionSchema.prefault('0.5ms'),
  /** Filled from the preset by resolve.ts where not given. */
  healthCheck: healthCheckSchema.optional(),
  failOpen: z.boolean().optional(),
  crossZone: z.boolean().optional(),
});

// ------------------------------------------------------------------- traffic

export const arrivalStepSchema = z.strictObject({
  at: durationSchema,
  rate: rateSchema,
  process: z.enum(['poisson', 'constant']).default('poisson'),
});

export const arrivalSchema = z.discriminatedUnion('process', [
  z.strictObject({ process: z.literal('poisson'), rate: rateSchema }),
  z.strictObject({ process: z.literal('constant'), rate: rateSchema }),
  z
    .strictObject({
      process: z.literal('schedule'),
      steps: z.array(arrivalStepSchema).min(1).optional(),
      /** The JSON of a Prometheus range query (promFiles.ts); `steps` is filled from it by the loader. */
      file: z.string().min(1).optional(),
    })
    .superRefine((a, ctx) => {
      if ((a.steps === undefined) !== (a.file === undefined)) return;
      ctx.addIssue({ code: 'custom', message: a.file === undefined ? 'a schedule needs steps: [{at, rate}, ...] or file: (the JSON of a Prometheus range query)' : 'a schedule takes either steps or file, not both' });
    }),
  z.strictObject({
    process: z.literal('trace'),
    file: z.string().min(1),
    /** Arrival times in seconds, filled by the loader from `file`. */
    times: z.array(z.number().min(0)).optional(),
  }),
]);

export const originSchema = z.union([
  z.literal('external'),
  z.strictObject({ node: z.string() }),
  z.strictObject({ zone: z.string() }),
  z.strictObject({ workload: z.string() }),
]);

export const trafficSchema = z.strictObject({
  name: dnsLabel,
  to: z.strictObject({
    service: z.string(),
    port: z.union([portNumber, z.string().min(1)]),
    via: z.enum(['loadBalancer', 'nodePort', 'clusterIP']),
  }),
  from: originSchema.default('external'),
  entryNode: z.string().default('random'),
  latency: distributionSchema.prefault(0),
  arrival: arrivalSchema,
  clients: positiveInt.max(100_000_000).default(1000),
  requestsPerConnection: positiveInt.default(1),
  handshake: z.boolean().default(true),
  timeout: durationSchema.optional(),
  connectTimeout: durationSchema.prefault('127s'),
  retries: nonNegativeInt.max(1000).default(0),
  retryBackoff: distributionSchema.prefault(0),
});

// ------------------------------------------------------------------ failures

/**
 * One failure. The forms of the spec (`node`, `pod`, `zone`, `random`) share
 * one object so that a mistake gets a precise message; `failureKind` tells
 * which form an entry is.
 */
export const failureSchema = z
  .strictObject({
    at: durationSchema.optional(),
    node: z.string().optional(),
    pod: z.string().optional(),
    zone: z.string().optional(),
    recoverAfter: durationSchema.optional(),
    restartAfter: durationSchema.optional(),
    random: z.strictObject({ mtbf: durationSchema, mttr: durationSchema }).optional(),
    scope: z.literal('nodes').optional(),
  })
  .superRefine((f, ctx) => {
    const forms = (['node', 'pod', 'zone', 'random'] as const).filter((k) => f[k] !== undefined);
    if (forms.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          forms.length === 0
            ? 'a failure names one of node, pod, zone or random'
            : `a failure names exactly one of node, pod, zone or random, not ${forms.join(' and ')}`,
      });
      return;
    }
    const form = forms[0];
    if (form === 'random') {
      if (f.scope === undefined) ctx.addIssue({ code: 'custom', path: ['scope'], message: 'random failures need scope: nodes' });
      if (f.at !== undefined) ctx.addIssue({ code: 'custom', path: ['at'], message: 'random failures have no at: their times are drawn from mtbf' });
    } else {
      if (f.at === undefined) ctx.addIssue({ code: 'custom', path: ['at'], message: `a ${form} failure needs at: (time from the start of the warm-up)` });
      if (f.scope !== undefined) ctx.addIssue({ code: 'custom', path: ['scope'], message: 'scope goes with random failures only' });
    }
    if (form === 'pod' && f.recoverAfter !== undefined)
      ctx.addIssue({ code: 'custom', path: ['recoverAfter'], message: 'a pod failure uses restartAfter, not recoverAfter' });
    if (form !== 'pod' && f.restartAfter !== undefined)
      ctx.addIssue({ code: 'custom', path: ['restartAfter'], message: 'restartAfter goes with pod failures; nodes and zones use recoverAfter' });
  });

export type Failure = z.output<typeof failureSchema>;
export type FailureKind = 'node' | 'pod' | 'zone' | 'random';
export function failureKind(f: Failure): FailureKind {
  if (f.node !== undefined) return 'node';
  if (f.pod !== undefined) return 'pod';
  if (f.zone !== undefined) return 'zone';
  return 'random';
}

// --------------------------------------------------------------------- sweep

export const sweepValueSchema = z.union([z.string(), z.number(), z.boolean()]);

export const sweepSchema = z.strictObject({
  mode: z.enum(['grid', 'zip']).default('grid'),
  parameters: z
    .array(z.strictObject({ path: z.string().min(1), values: z.array(sweepValueSchema).min(1) }))
    .min(1),
});

// ------------------------------------------------------------------ scenario

export const scenarioSchema = z.strictObject({
  apiVersion: z.literal('svcsim/v1', { message: 'must be svcsim/v1' }),
  kind: z.literal('Scenario', { message: 'must be Scenario' }),
  metadata: z.strictObject({
    name: dnsLabel,
    description: z.string().optional(),
    /** Free key-value notes, as in Kubernetes; `svcsim/placeholders` lists the values `svcsim import` guessed (placeholders.ts). */
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  simulation: simulationSchema,
  cluster: clusterSchema,
  workloads: z.array(workloadSchema).min(1),
  services: z.array(serviceSchema).min(1),
  loadBalancers: z.array(loadBalancerSchema).default([]),
  traffic: z.array(trafficSchema).min(1),
  failures: z.array(failureSchema).default([]),
  sweep: sweepSchema.optional(),
});

/** A parsed scenario: units converted, local defaults filled. */
export type Scenario = z.output<typeof scenarioSchema>;
export type Workload = Scenario['workloads'][number];
export type Service = Scenario['services'][number];
export type ServicePort = Service['spec']['ports'][number];
export type LoadBalancer = Scenario['loadBalancers'][number];
export type Traffic = Scenario['traffic'][number];
export type Arrival = Traffic['arrival'];
export type ClusterNode = Scenario['cluster']['nodes'][number];
