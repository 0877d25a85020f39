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
import { hpaSpecSchema, nodePoolAutoscalingSchema } from './autoscaling.js';
import { METRICS } from './metrics.js';
import { parseSloExpr, parseSloScope, SLO_SCOPE_HELP } from './slos.js';
import { distributionSchema, durationSchema, parseDuration, rateSchema, RUN_LIMITS } from './units.js';

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

const positiveDuration = durationSchema.refine((seconds) => seconds > 0, { error: 'must be a Duration > 0' });
const positiveInt = z.number().int().min(1);
const nonNegativeInt = z.number().int().min(0);
const portNumber = z.number().int().min(1).max(65535);

// ---------------------------------------------------------------- simulation

export const precisionSchema = z.strictObject({
  metric: z.enum(METRICS).default('latency_p99_ms'),
  relative: z.number().positive(),
  confidence: z.number().gt(0).lt(1).default(0.95),
  maxReplications: positiveInt.max(RUN_LIMITS.replications).default(500),
});

/** The widths `timeBucket: auto` chooses from, in seconds: 1s, 2s, 5s, ... 12h, 1d. */
export const TIME_BUCKETS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400] as const;
/** `timeBucket: auto` gives at most this many buckets over warm-up + duration. */
export const MAX_AUTO_BUCKETS = 1000;

/**
 * The width `timeBucket: auto` means for `seconds` of simulated time (warm-up
 * + duration): the smallest of TIME_BUCKETS that gives at most 1000 buckets,
 * so that the cost of a run follows its requests, not its simulated time.
 * Beyond 1000 days, 1d (and more buckets).
 */
export function autoTimeBucket(seconds: number): number {
  return TIME_BUCKETS.find((b) => Math.ceil(seconds / b) <= MAX_AUTO_BUCKETS) ?? TIME_BUCKETS[TIME_BUCKETS.length - 1];
}

/** `auto` or a Duration > 0, with one message that names both. */
const timeBucketSchema = z
  .preprocess((input, ctx) => {
    if (input === 'auto') return input;
    let seconds = NaN;
    try {
      seconds = typeof input === 'string' || typeof input === 'number' ? parseDuration(input) : NaN;
    } catch {
      // reported below
    }
    if (!(seconds > 0)) ctx.addIssue({ code: 'custom', message: `must be auto (the smallest of 1s, 2s, 5s, ... 1d giving at most ${MAX_AUTO_BUCKETS} buckets) or a Duration > 0 such as 1s, 10s or 1m`, input });
    return input;
  }, z.union([z.literal('auto'), positiveDuration]))
  .default('auto');

/**
 * `timeBucket` is `auto` or a Duration as written; the parsed simulation has
 * a number of seconds either way (what the engine needs): `auto` is turned
 * into its width here, where warm-up and duration are known, so the engine,
 * the manifest and every variant (a sweep of `duration` re-parses) see the
 * width in use. `validate --resolved` prints `auto` again where the file
 * said it (print.ts), so the printed file keeps following its duration.
 */
export const simulationSchema = z
  .strictObject({
    duration: durationSchema,
    warmup: durationSchema.prefault(0),
    replications: positiveInt.max(RUN_LIMITS.replications).default(10),
    seed: nonNegativeInt.max(4294967295).default(1),
    timeBucket: timeBucketSchema.meta({ description: 'Resolution of timeseries.csv: auto (the smallest of 1s, 2s, 5s, ... 1d giving at most 1000 buckets over warm-up + duration) or a Duration' }),
    maxInFlight: positiveInt.default(1_000_000),
    drainLimit: durationSchema.prefault(60),
    precision: precisionSchema.optional(),
  })
  .transform(({ timeBucket, ...rest }) => ({ ...rest, timeBucket: timeBucket === 'auto' ? autoTimeBucket(rest.warmup + rest.duration) : timeBucket }))
  // What cannot run is refused here rather than at run time (units.ts RUN_LIMITS).
  .superRefine((sim, ctx) => {
    const total = sim.warmup + sim.duration;
    if (!(sim.duration > 0)) ctx.addIssue({ code: 'custom', path: ['duration'], message: 'must be a Duration > 0: there is nothing to measure in an empty window' });
    else if (total > RUN_LIMITS.simulatedSeconds)
      ctx.addIssue({ code: 'custom', path: ['duration'], message: `warmup + duration is ${total} s; svcsim simulates at most ${RUN_LIMITS.simulatedSeconds} s (about 116 days)` });
    if (!(sim.timeBucket > 0)) ctx.addIssue({ code: 'custom', path: ['timeBucket'], message: 'must be a Duration > 0' });
    else if (total / sim.timeBucket > RUN_LIMITS.timeBuckets)
      ctx.addIssue({
        code: 'custom',
        path: ['timeBucket'],
        message: `makes ${Math.ceil(total / sim.timeBucket)} time buckets over warmup + duration; at most ${RUN_LIMITS.timeBuckets} (every replication keeps each): use timeBucket ≥ ${+(total / RUN_LIMITS.timeBuckets).toPrecision(3)}s`,
      });
  });

// ------------------------------------------------------------------- cluster

/**
 * A node, or `count` of them. With `autoscaling` the entry is an autoscaled
 * node pool: its nodes carry `pool` (the entry's name unless given), which
 * survives the expansion of `count`, so the engine knows which nodes form
 * the pool (autoscaling.ts `nodePools`).
 */
export const nodeSchema = z
  .strictObject({
    name: dnsLabel,
    zone: z.string().min(1).default('zone-a'),
    count: positiveInt.max(10_000).optional(),
    /** Pods the node can run, all workloads together (the kubelet's maxPods, 110 by default). */
    maxPods: positiveInt.max(100_000).default(110),
    pool: dnsLabel.optional().meta({ description: 'The autoscaled node pool of this entry (default: its name when it has autoscaling); entries with the same pool form one pool' }),
    autoscaling: nodePoolAutoscalingSchema.optional(),
  })
  .transform((node) => (node.autoscaling !== undefined && node.pool === undefined ? { ...node, pool: node.name } : node));

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
  /** The node lifecycle controller checks leases this often (kube-controller-manager --node-monitor-period). */
  nodeMonitorPeriod: positiveDuration.prefault('5s'),
  nodeLeaseInterval: durationSchema.prefault('10s'),
  endpointPropagation: distributionSchema.prefault('1s'),
  proxyMinSyncPeriod: durationSchema.prefault('1s'),
  podEvictionTimeout: durationSchema.prefault('300s'),
  /** The window pod metrics are averaged over for the HPA (metrics-server --metric-resolution, 15 s in its Helm chart). */
  metricsResolution: positiveDuration.prefault('15s'),
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

/**
 * One call a pod makes while it serves a request (spec "calls"): an
 * in-cluster request to `clusterIP:port` of a Service, from the calling
 * pod's node, `count` times at once, with `probability`; a failed
 * `required` call fails the caller's request (`failed_dependency`).
 */
export const callSchema = z.strictObject({
  service: z.string().min(1),
  port: z.union([portNumber, z.string().min(1)]),
  count: positiveInt.max(1000).default(1),
  probability: z.number().min(0).max(1).default(1),
  required: z.boolean().default(true),
});

/** A step of `calls`: one call, or calls made together (the step ends when all of them end). */
export const callStepSchema = z.union([callSchema, z.strictObject({ parallel: z.array(callSchema).min(1) })]);

/**
 * How a workload's pods call others, per call attempt (as a traffic entry's
 * client settings). `perRequest`: every call opens a new connection
 * (handshake, kube-proxy's choice); `pooled: {size: N}`: each caller pod
 * keeps N long-lived connections per Service, chosen by kube-proxy once when
 * opened and shared by every call (HTTP/2, gRPC), reopened when one fails.
 */
export const clientSchema = z.strictObject({
  timeout: positiveDuration.optional(),
  retries: nonNegativeInt.max(1000).default(0),
  retryBackoff: distributionSchema.prefault(0),
  connectTimeout: positiveDuration.prefault('127s'),
  connections: z.union([z.literal('perRequest'), z.strictObject({ pooled: z.strictObject({ size: positiveInt.max(10_000).default(1) }) })]).default('perRequest'),
});

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
  /** A pod removed by scale-down serves what it holds for at most this long (terminationGracePeriodSeconds). */
  terminationGracePeriod: durationSchema.prefault('30s'),
  /** Steps done in order after serviceTime (spec "calls"); calls.ts gives the engine's form. */
  calls: z.array(callStepSchema).default([]).meta({ description: 'Other Services this workload calls while serving, in steps after serviceTime: a call {service, port, count, probability, required} or {parallel: [call, ...]}' }),
  client: clientSchema.prefault({}).meta({ description: "How this workload's pods call others: timeout, retries, retryBackoff, connectTimeout, connections (perRequest or pooled: {size})" }),
  /** The spec of an autoscaling/v2 HorizontalPodAutoscaler, without scaleTargetRef (autoscaling.ts). */
  autoscaling: hpaSpecSchema.optional().meta({ description: 'The spec of an autoscaling/v2 HorizontalPodAutoscaler (kubectl get hpa NAME -o yaml pastes in; scaleTargetRef is ignored)' }),
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

/**
 * A swept value: any YAML value (a scalar, a mapping such as `{zone:
 * zone-a}`, a list), set at the parameter's path as if written there; `null`
 * removes the field, so that its default applies (e.g. no `timeout`).
 */
export const sweepValueSchema = z.unknown();

export const sweepParameterSchema = z.strictObject({
  path: z.string().min(1),
  values: z
    .array(sweepValueSchema)
    .min(1)
    .max(1000, { error: 'has more than 1000 values: svcsim runs at most 1000 variants' })
    // Two equal values would make two variants of one label.
    .superRefine((values, ctx) => {
      const seen = new Set<string>();
      values.forEach((v, i) => {
        const key = JSON.stringify(v);
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: `${key} is already among the values: every variant needs a label of its own` });
        seen.add(key);
      });
    }),
  /** Labels of the values in variant labels and result columns, instead of the values as written. */
  labels: z.array(z.string().min(1)).min(1).optional(),
  /** Grid mode: parameters with the same group vary together (their i-th values together), as one dimension of the grid. */
  group: z.string().min(1).optional(),
});

export const sweepSchema = z.strictObject({
  mode: z.enum(['grid', 'zip']).default('grid'),
  parameters: z.array(sweepParameterSchema).min(1),
});

// ---------------------------------------------------------------------- slos

const sloExprSchema = z.string().superRefine((expr, ctx) => {
  const parsed = parseSloExpr(expr);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed, input: expr });
});

const sloScopeSchema = z.string().refine((scope) => parseSloScope(scope) !== undefined, { error: `must be ${SLO_SCOPE_HELP}` });

/**
 * One SLO: `METRIC OP NUMBER` (scope `all`) or `{expr, scope}`; parsed as
 * `{expr, scope}` with the expression as written (slos.ts parses it for the
 * runner; the rules check that the scope names something of the scenario).
 */
export const sloSchema = z
  .union([sloExprSchema, z.strictObject({ expr: sloExprSchema, scope: sloScopeSchema.default('all') })])
  .transform((slo) => (typeof slo === 'string' ? { expr: slo.trim(), scope: 'all' } : { expr: slo.expr.trim(), scope: slo.scope }));

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
  slos: z.array(sloSchema).default([]).meta({ description: 'Service-level objectives every run checks: "METRIC (<|<=|>|>=) NUMBER" (scope all) or {expr, scope: traffic:<name> | service:<name> | workload:<name>}' }),
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
export type CallStep = Workload['calls'][number];
export type Call = z.output<typeof callSchema>;
