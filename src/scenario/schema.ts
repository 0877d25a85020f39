/**
 * The scenario format, v1: one zod schema that is the single source of the
 * scenario's TypeScript type, of its validation and of the JSON Schema that
 * `svcsim schema` prints for editors (docs/scenario-reference.md is generated from it).
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
import { hpaSpecSchema, nodePoolAutoscalingSchema } from './autoscalingSchema.js';
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
  metric: z.enum(METRICS).default('latency_p99_ms').describe('The metric whose confidence interval decides when to stop adding replications (sequential stopping).'),
  relative: z.number().positive().describe('Target relative precision: stop when the half-width of the interval is at most this fraction of the mean (0.03 = ±3%); a mean of 0 counts as met when the half-width is 0.'),
  confidence: z.number().gt(0).lt(1).default(0.95).describe('Confidence level of that interval.'),
  maxReplications: positiveInt.max(RUN_LIMITS.replications).default(500).describe('Stop here even if the target is not met (the manifest then says it was not).'),
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
    duration: durationSchema.describe('Length of the measured window, after the warm-up. Requests whose first attempt starts inside it are counted.'),
    warmup: durationSchema.prefault(0).describe('Time simulated before the measured window and not counted, so that queues reach steady state; fixed, so that variants stay paired. svcsim warns when MSER-5 suggests a longer one.'),
    replications: positiveInt.max(RUN_LIMITS.replications).default(10).describe('Independent runs per variant (each with its own seed, the same across variants: common random numbers); results are means with 95% confidence intervals over them. --replications overrides.'),
    seed: nonNegativeInt.max(4294967295).default(1).describe('Root seed: the same scenario and seed give byte-identical CSV files, whatever the worker count or shard split. --seed overrides.'),
    timeBucket: timeBucketSchema.meta({ description: 'Resolution of timeseries.csv: auto (the smallest of 1s, 2s, 5s, ... 1d giving at most 1000 buckets over warm-up + duration) or a Duration' }).describe('Width of a row of timeseries.csv.'),
    maxInFlight: positiveInt.default(1_000_000).describe('A replication stops with an error when more requests than this are in flight at once (an overloaded system would otherwise grow without bound).'),
    drainLimit: durationSchema.prefault(60).describe('After the window, how long counted requests may still run to finish; those still running are counted as unfinished (and not successful).'),
    precision: precisionSchema.optional().describe('Sequential stopping: add replications until the chosen metric is known to this relative precision (JMT-style).'),
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
    name: dnsLabel.describe('Node name; with count, the nodes are <name>-0, <name>-1, ...'),
    zone: z.string().min(1).default('zone-a').describe('The node\'s zone (topology.kubernetes.io/zone): hops between zones cost cluster.latency.crossZone, and zone failures, PreferClose and AWS NLB zone pinning follow it.'),
    count: positiveInt.max(10_000).optional().describe('Make this many identical nodes, named <name>-0 .. <name>-(count-1).'),
    /** Pods the node can run, all workloads together (the kubelet's maxPods, 110 by default). */
    maxPods: positiveInt.max(100_000).default(110).describe('Pods the node can run, all workloads together (the kubelet\'s maxPods, 110 by default); placement and rescheduling respect it.'),
    pool: dnsLabel.optional().meta({ description: 'The autoscaled node pool of this entry (default: its name when it has autoscaling); entries with the same pool form one pool' }),
    autoscaling: nodePoolAutoscalingSchema.optional().describe('Makes this entry a node pool that the cluster autoscaler grows (for pods that fit nowhere) and shrinks (nodes unneeded for scaleDownUnneededTime), between min and max.'),
  })
  .transform((node) => (node.autoscaling !== undefined && node.pool === undefined ? { ...node, pool: node.name } : node));

export const proxyModes = ['iptables', 'nftables', 'ipvs'] as const;
export const ipvsSchedulers = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'sed', 'nq'] as const;

export const clusterLatencySchema = z.strictObject({
  sameNode: distributionSchema.prefault('0.05ms').describe('Node to a pod on the same node (veth), one way.'),
  sameZone: distributionSchema.prefault('0.15ms').describe('Node to another node in the same zone, one way.'),
  crossZone: distributionSchema.prefault('0.8ms').describe('Node to a node in another zone, one way.'),
  proxy: distributionSchema.prefault('0.02ms').describe('kube-proxy\'s rule walk (DNAT), paid once per connection on its first packet; later packets match conntrack.'),
});

export const controlPlaneSchema = z.strictObject({
  nodeMonitorGracePeriod: durationSchema.prefault('50s').describe('kube-controller-manager --node-monitor-grace-period: a node is marked NotReady this long after its last heartbeat (50 s since Kubernetes 1.32, 40 s before); its pods\' endpoints then become not ready.'),
  /** The node lifecycle controller checks leases this often (kube-controller-manager --node-monitor-period). */
  nodeMonitorPeriod: positiveDuration.prefault('5s').describe('kube-controller-manager --node-monitor-period: how often the node lifecycle controller checks the leases (5 s).'),
  nodeLeaseInterval: durationSchema.prefault('10s').describe('How often the kubelet renews its Lease (its heartbeat); the last one before a crash falls uniformly in this interval.'),
  endpointPropagation: distributionSchema.prefault('1s').describe('Delay from an endpoint change (EndpointSlice) to each kube-proxy knowing it, drawn per kube-proxy.'),
  proxyMinSyncPeriod: durationSchema.prefault('1s').describe('kube-proxy --iptables-min-sync-period: a change is applied at the next sync, at least this long after the previous one.'),
  podEvictionTimeout: durationSchema.prefault('300s').describe('How long pods of a NotReady node are kept before they are deleted and recreated elsewhere (the default tolerationSeconds of the unreachable and not-ready taints).'),
  /** The window pod metrics are averaged over for the HPA (metrics-server --metric-resolution, 15 s in its Helm chart). */
  metricsResolution: positiveDuration.prefault('15s').describe('metrics-server --metric-resolution: the window pod metrics are averaged over for the HPA (15 s as commonly set; 60 s is its own default).'),
});

export const clusterSchema = z.strictObject({
  nodes: z.array(nodeSchema).min(1).describe('The nodes, each with its zone; count expands an entry into several.'),
  proxyMode: z.enum(proxyModes).default('iptables').describe('kube-proxy mode: iptables (the default) and nftables pick an endpoint uniformly at random per connection; ipvs uses ipvsScheduler, with state per node.'),
  ipvsScheduler: z.enum(ipvsSchedulers).default('rr').describe('IPVS scheduler with proxyMode ipvs: rr round robin (the default), wrr, lc least connections, wlc, sh source hash (per client IP), sed, nq. Each node schedules on its own.'),
  serviceNodePortRange: z
    .string()
    .regex(/^\d+-\d+$/, { message: 'must be a port range like 30000-32767' })
    .default('30000-32767').describe('The API server\'s --service-node-port-range; nodePorts are allocated lowest-first in its dynamic band (30086-32767 for the default).'),
  latency: clusterLatencySchema.prefault({}).describe('One-way latency of the hops inside the cluster; every hop is paid both ways.'),
  controlPlane: controlPlaneSchema.prefault({}).describe('How long the control plane takes to notice failures and tell kube-proxy (Kubernetes >= 1.32 defaults).'),
});

// ----------------------------------------------------------------- workloads

export const containerPortSchema = z.union([
  portNumber,
  z.strictObject({ name: z.string().min(1).optional().describe('Port name, for a Service targetPort that names it.'), containerPort: portNumber.describe('The port the container listens on.') }),
]);

/**
 * One call a pod makes while it serves a request (spec "calls"): an
 * in-cluster request to `clusterIP:port` of a Service, from the calling
 * pod's node, `count` times at once, with `probability`; a failed
 * `required` call fails the caller's request (`failed_dependency`).
 */
export const callSchema = z.strictObject({
  service: z.string().min(1).describe('The Service called (its metadata.name), through its clusterIP from the calling pod\'s node.'),
  port: z.union([portNumber, z.string().min(1)]).describe('The Service port, by number or name.'),
  count: positiveInt.max(1000).default(1).describe('Calls made at once in this step (fan-out); the step ends when all have ended.'),
  probability: z.number().min(0).max(1).default(1).describe('Chance that a request makes this call at all.'),
  required: z.boolean().default(true).describe('A failed required call fails the caller\'s request with an error (failed_dependency); a failed optional one is ignored.'),
});

/** A step of `calls`: one call, or calls made together (the step ends when all of them end). */
export const callStepSchema = z.union([
  callSchema,
  z.strictObject({ parallel: z.array(callSchema).min(1).describe('Calls made at once, each as above: the step ends when the last of them ends (a failed required one ends it at once, with an error).') }),
]);

/**
 * How a workload's pods call others, per call attempt (as a traffic entry's
 * client settings). `perRequest`: every call opens a new connection
 * (handshake, kube-proxy's choice); `pooled: {size: N}`: each caller pod
 * keeps N long-lived connections per Service, chosen by kube-proxy once when
 * opened and shared by every call (HTTP/2, gRPC), reopened when one fails.
 */
export const clientSchema = z.strictObject({
  timeout: positiveDuration.optional().describe('A call attempt gives up after this (none by default).'),
  retries: nonNegativeInt.max(1000).default(0).describe('Retries of a failed call, each on a new connection.'),
  retryBackoff: distributionSchema.prefault(0).describe('Wait before each retry.'),
  connectTimeout: positiveDuration.prefault('127s').describe('A new connection to a dead node fails after this (127 s: Linux SYN retries).'),
  connections: z.union([
    z.literal('perRequest'),
    z.strictObject({
      pooled: z
        .strictObject({
          size: positiveInt.max(10_000).default(1).describe('Connections each caller pod keeps open to the Service (1 by default, as one gRPC channel keeps one HTTP/2 connection); a call picks one of them uniformly.'),
        })
        .describe('Long-lived connections per caller pod and Service, each to the pod kube-proxy chose when it was opened; one is reopened (and so rebalanced) only when a call on it fails.'),
    }),
  ]).default('perRequest').describe('perRequest: every call opens a new connection (kube-proxy chooses each time); {pooled: {size: N}}: each caller pod keeps N long-lived connections per Service, chosen once when opened and shared by all calls (HTTP/2, gRPC) - so few connections can load pods unevenly.'),
});

export const workloadSchema = z.strictObject({
  name: dnsLabel.describe('Workload (Deployment) name; its pods are <name>-0, <name>-1, ... and are labelled app: <name> unless labels says otherwise.'),
  labels: z.record(z.string(), z.string()).optional().describe('Pod labels, matched by Service selectors (default: app: <name>).'),
  replicas: nonNegativeInt.max(100_000).describe('Number of pods.'),
  placement: z
    .union([z.enum(['spread', 'packed']), z.record(z.string(), nonNegativeInt)])
    .default('spread').describe('Where the pods go: spread (each pod to the zone, then the node, with the fewest pods of the workload, as topology spreading does), packed (fill nodes in order up to maxPods), or a map node → pod count.'),
  ports: z.array(containerPortSchema).min(1).describe('Container ports: a number, or {name, containerPort} so that a Service\'s targetPort can name it.'),
  concurrency: positiveInt.max(10_000_000).default(1).describe('Requests a pod serves at once (its worker slots); more wait in its queue.'),
  queueCapacity: nonNegativeInt.optional().describe('Requests that may wait in a pod\'s queue beyond those in service; one more is rejected (failed_rejected). Unbounded when absent.'),
  serviceTime: distributionSchema.describe('Time a pod spends on one request, once a slot is free.'),
  startupTime: durationSchema.prefault('5s').describe('From a pod\'s (re)start to ready: it receives no traffic before; connections to it are refused while it starts.'),
  /** A pod removed by scale-down serves what it holds for at most this long (terminationGracePeriodSeconds). */
  terminationGracePeriod: durationSchema.prefault('30s').describe('terminationGracePeriodSeconds: a pod being deleted (scale-down) leaves the endpoints at once and finishes the requests it has for up to this long, then is killed.'),
  /** Steps done in order after serviceTime (spec "calls"); calls.ts gives the engine's form. */
  calls: z.array(callStepSchema).default([]).meta({ description: 'Other Services this workload calls while serving, in steps after serviceTime: a call {service, port, count, probability, required} or {parallel: [call, ...]}' }),
  client: clientSchema.prefault({}).meta({ description: "How this workload's pods call others: timeout, retries, retryBackoff, connectTimeout, connections (perRequest or pooled: {size})" }),
  /** The spec of an autoscaling/v2 HorizontalPodAutoscaler, without scaleTargetRef (autoscaling.ts). */
  autoscaling: hpaSpecSchema.optional().meta({ description: 'The spec of an autoscaling/v2 HorizontalPodAutoscaler (kubectl get hpa NAME -o yaml pastes in; scaleTargetRef is ignored)' }),
});

// ------------------------------------------------------------------ services

/** Fields of a real `v1/Service` that svcsim accepts and ignores. */
const ignoredServiceSpecFields = {
  clusterIP: z.string().optional().describe('Accepted; None (a headless Service) is simulated as a normal ClusterIP Service, with a warning.'),
  clusterIPs: z.array(z.string()).optional().describe('Accepted and ignored.'),
  externalIPs: z.array(z.string()).optional().describe('Accepted and ignored, with a warning: no traffic to external IPs is simulated.'),
  loadBalancerIP: z.string().optional().describe('Accepted and ignored.'),
  loadBalancerSourceRanges: z.array(z.string()).optional().describe('Accepted and ignored, with a warning: every client may connect.'),
  externalName: z.string().optional().describe('Accepted and ignored: ExternalName Services (a DNS alias, no proxying) are not simulated.'),
  publishNotReadyAddresses: z.boolean().optional().describe('Accepted and ignored, with a warning: only ready endpoints get traffic.'),
  ipFamilies: z.array(z.string()).optional().describe('Accepted and ignored.'),
  ipFamilyPolicy: z.string().optional().describe('Accepted and ignored.'),
  allocateLoadBalancerNodePorts: z.boolean().optional().describe('Accepted; false is ignored with a warning (nodePorts are still allocated); an LB that sends straight to pods is loadBalancers[].targets: pods.'),
  loadBalancerClass: z.string().optional().describe('Accepted and ignored.'),
};

export const servicePortSchema = z.strictObject({
  name: z.string().optional().describe('Port name; traffic[].to.port can use it.'),
  protocol: z.literal('TCP', { message: 'svcsim simulates TCP Services only' }).default('TCP').describe('Only TCP is simulated.'),
  appProtocol: z.string().optional().describe('Accepted and ignored.'),
  port: portNumber.describe('The Service port: clients connect to clusterIP:port (or LB-IP:port).'),
  targetPort: z.union([portNumber, z.string().min(1)]).optional().describe('The pod port: a number, or the name of a container port, resolved per pod (defaults to port).'),
  nodePort: portNumber.optional().describe('For NodePort and LoadBalancer Services: the port on every node\'s IP; allocated when absent. There is no clusterIP:nodePort.'),
});

export const serviceTypes = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;
export const trafficDistributions = ['PreferClose', 'PreferSameZone', 'PreferSameNode'] as const;

export const serviceSpecSchema = z.strictObject({
  type: z.enum(serviceTypes).default('ClusterIP').describe('ClusterIP: a virtual IP inside the cluster only; NodePort: also <NodeIP>:nodePort on every node; LoadBalancer: also a cloud LB in front of the nodePorts (see loadBalancers).'),
  selector: z.record(z.string(), z.string()).describe('Labels that pick the Service\'s pods (its endpoints).'),
  ports: z.array(servicePortSchema).min(1).describe('The Service\'s ports.'),
  externalTrafficPolicy: z.enum(['Cluster', 'Local']).default('Cluster').describe('For traffic from outside through a nodePort or the LB. Cluster: any node forwards to any ready pod (an extra hop when elsewhere, client IP lost). Local: only to pods on the receiving node, dropped if none; the LB\'s health check keeps it off such nodes, so each pod on node k gets (1/M)(1/e_k).'),
  internalTrafficPolicy: z.enum(['Cluster', 'Local']).default('Cluster').describe('For in-cluster clients via the clusterIP. Local: only endpoints on the client\'s node, dropped if none.'),
  sessionAffinity: z.enum(['None', 'ClientIP']).default('None').describe('ClientIP: connections of one client entering through the same node go to the same pod while they keep coming within timeoutSeconds (state per node, as iptables recent and IPVS persistence keep it).'),
  sessionAffinityConfig: z
    .strictObject({
      clientIP: z
        .strictObject({ timeoutSeconds: z.number().int().min(1).max(86400).default(10800).describe('How long a client stays with its pod after its last new connection (10800 s = 3 h by default, at most 1 day).') })
        .prefault({})
        .describe('ClientIP affinity: how long it lasts.'),
    })
    .prefault({}).describe('Session affinity settings.'),
  trafficDistribution: z.enum(trafficDistributions).optional().describe('PreferClose (= PreferSameZone): keep connections in the selecting node\'s zone when it has ready endpoints, else cluster-wide; PreferSameNode: on the node when it has one. A Local policy wins over it.'),
  healthCheckNodePort: portNumber.optional().describe('With externalTrafficPolicy Local: the port of kube-proxy\'s health check that the LB probes (allocated when absent).'),
  ...ignoredServiceSpecFields,
});

export const serviceMetadataSchema = z.looseObject({
  name: serviceName.describe('The Service name (a DNS-1035 label); traffic[].to.service and loadBalancers[].service refer to it.'),
  namespace: z.string().optional().describe('Accepted and ignored: every Service is in one namespace.'),
  labels: z.record(z.string(), z.string()).optional().describe('Accepted and ignored.'),
  annotations: z.record(z.string(), z.string()).optional().describe('Accepted; cloud annotations that change behaviour (AWS NLB target type, topology-mode) are ignored with a warning saying what to use instead.'),
});

export const serviceSchema = z.strictObject({
  apiVersion: z.literal('v1').default('v1').describe('v1, as Kubernetes writes it.'),
  kind: z.literal('Service').default('Service').describe('Service, as Kubernetes writes it.'),
  metadata: serviceMetadataSchema.describe('The Service\'s name (and fields svcsim ignores).'),
  spec: serviceSpecSchema.describe('The Service spec: type, selector, ports and traffic policies; every other field of a real v1 Service is accepted and ignored.'),
  status: z.unknown().optional().describe('Accepted and ignored (so kubectl get svc -o yaml pastes in unchanged).'),
});

// ------------------------------------------------------------- loadBalancers

export const lbPresets = ['generic', 'aws-nlb', 'gke', 'azure'] as const;
export const lbAlgorithms = ['flowHash', 'roundRobin', 'leastConnections'] as const;

export const healthCheckSchema = z.strictObject({
  interval: durationSchema.optional().describe('Time between probes of a target.'),
  timeout: durationSchema.optional().describe('An unanswered probe fails after this.'),
  healthyThreshold: positiveInt.optional().describe('Consecutive successful probes before a target gets new connections again.'),
  unhealthyThreshold: positiveInt.optional().describe('Consecutive failed probes before a target gets no new connections (existing ones are kept).'),
});

export const loadBalancerSchema = z.strictObject({
  service: z.string().describe('The LoadBalancer Service this LB is for (metadata.name). A LoadBalancer Service without an entry gets the generic preset.'),
  preset: z.enum(lbPresets).default('generic').describe('Health-check timing, crossZone and failOpen of a cloud integration: generic, aws-nlb (AWS Load Balancer Controller, instance mode: no cross-zone), gke, azure (no fail-open). Fields given here override it.'),
  algorithm: z.enum(lbAlgorithms).default('flowHash').describe('How the LB picks a target per connection: flowHash (a 5-tuple hash, uniform over healthy targets: AWS, GCP, Azure), roundRobin, leastConnections.'),
  targets: z.enum(['nodes', 'pods']).default('nodes').describe('nodes: the nodePorts of the nodes (the default); pods: straight to pod IPs (AWS IP mode, GKE NEGs), no node hop, no kube-proxy, no externalTrafficPolicy.'),
  latency: distributionSchema.prefault('0.5ms').describe('The LB\'s own processing latency, each way.'),
  /** Filled from the preset by resolve.ts where not given. */
  healthCheck: healthCheckSchema.optional().describe('Probes of each target; defaults from the preset and the Service\'s externalTrafficPolicy.'),
  failOpen: z.boolean().optional().describe('When every target is unhealthy: true sends to all of them anyway (AWS, GCP); false keeps existing flows but sends new connections nowhere (Azure).'),
  crossZone: z.boolean().optional().describe('false: each connection first picks a zone at random, then a target in it (AWS NLB\'s default); true: any healthy target.'),
});

/** The entry of a LoadBalancer Service that `loadBalancers` leaves out: every default of the schema (resolve.ts adds its preset's). */
export const defaultLoadBalancer = (service: string): LoadBalancer => loadBalancerSchema.parse({ service });

// ------------------------------------------------------------------- traffic

export const arrivalStepSchema = z.strictObject({
  at: durationSchema.describe('When this rate starts, from the start of the warm-up.'),
  rate: rateSchema.describe('Requests per second from then on.'),
  process: z.enum(['poisson', 'constant']).default('poisson').describe('poisson or constant inter-arrival times at that rate.'),
});

export const arrivalSchema = z.discriminatedUnion('process', [
  z.strictObject({ process: z.literal('poisson').describe('poisson: independent arrivals at a fixed mean rate (exponential inter-arrival times).'), rate: rateSchema.describe('Mean requests per second; inter-arrival times are exponential (independent clients).') }),
  z.strictObject({ process: z.literal('constant').describe('constant: evenly spaced arrivals at a fixed rate.'), rate: rateSchema.describe('Requests per second, evenly spaced.') }),
  z
    .strictObject({
      process: z.literal('schedule').describe('schedule: a rate that changes at given times (steps, or the JSON of a Prometheus range query in file).'),
      steps: z.array(arrivalStepSchema).min(1).optional().describe('Rates that change over time, each from its at until the next step.'),
      /** The JSON of a Prometheus range query (promFiles.ts); `steps` is filled from it by the loader. */
      file: z.string().min(1).optional().describe('Instead of steps: the JSON a Prometheus range query returns (e.g. of rate(http_requests_total[1m])), relative to the scenario file; docs/import.md.'),
    })
    .superRefine((a, ctx) => {
      if ((a.steps === undefined) !== (a.file === undefined)) return;
      ctx.addIssue({ code: 'custom', message: a.file === undefined ? 'a schedule needs steps: [{at, rate}, ...] or file: (the JSON of a Prometheus range query)' : 'a schedule takes either steps or file, not both' });
    }),
  z.strictObject({
    process: z.literal('trace').describe('trace: arrival times replayed from a file.'),
    file: z.string().min(1).describe('A file of arrival times in seconds from the start of the warm-up, relative to the scenario file: every request of the trace is replayed.'),
    /** Arrival times in seconds, filled by the loader from `file`. */
    times: z.array(z.number().min(0)).optional().describe('Filled by svcsim from file; do not write it.'),
  }),
]);

export const originSchema = z.union([
  z.literal('external'),
  z.strictObject({ node: z.string().describe('Clients on this node (its name, e.g. node-0): kube-proxy there handles their connections.') }),
  z.strictObject({ zone: z.string().describe('Clients in this zone: each connection comes from a node of the zone drawn at random.') }),
  z.strictObject({ workload: z.string().describe('Clients in the pods of this workload: each connection comes from the node of one of its pods drawn at random.') }),
]);

export const trafficSchema = z.strictObject({
  name: dnsLabel.describe('Name of this traffic entry; its metrics are in scope traffic:<name>.'),
  to: z.strictObject({
    service: z.string().describe('The Service the clients call (its metadata.name).'),
    port: z.union([portNumber, z.string().min(1)]).describe('The Service port, by number or name: clients connect to clusterIP:port or LB-IP:port; via nodePort, to that port\'s nodePort on a node.'),
    via: z.enum(['loadBalancer', 'nodePort', 'clusterIP']).describe('loadBalancer: the LB\'s IP (LoadBalancer Services); nodePort: a node\'s IP at the nodePort (NodePort and LoadBalancer Services); clusterIP: the virtual IP, only from inside the cluster.'),
  }).describe('Where the clients connect.'),
  from: originSchema.default('external').describe('Where the clients are: external (outside the cluster), or inside it on a node, in a zone, or in the pods of a workload (then kube-proxy on their own node handles the clusterIP, and an LB IP, with Cluster semantics).'),
  entryNode: z.string().default('random').describe('via nodePort: the node the clients dial, or random (a node chosen per connection, dead ones included).'),
  latency: distributionSchema.prefault(0).describe('One-way network latency between the clients and the cluster (or the LB).'),
  arrival: arrivalSchema.describe('When requests arrive: poisson or constant at a rate, a schedule of rates, or a trace file of arrival times.'),
  clients: positiveInt.max(100_000_000).default(1000).describe('Number of client IPs the requests come from (spread uniformly); matters for session affinity, IPVS sh and keep-alive.'),
  requestsPerConnection: positiveInt.default(1).describe('Requests sent on one TCP connection before it closes (keep-alive, HTTP/2 or gRPC style: multiplexed). kube-proxy and LBs choose per connection, so every request of a connection goes to the same pod.'),
  handshake: z.boolean().default(true).describe('Pay a TCP handshake (one round trip along the path) before a connection\'s first request.'),
  timeout: durationSchema.optional().describe('The client gives up on an attempt after this (failed_timeout); without one, an established connection to a dead peer fails only after Linux\'s tcp_retries2 (about 924.6 s).'),
  connectTimeout: durationSchema.prefault('127s').describe('A new connection to a dead node (or dropped by a Local policy) fails after this: 127 s is how long Linux retries a SYN (tcp_syn_retries 6).'),
  retries: nonNegativeInt.max(1000).default(0).describe('Retries after a failed attempt, each on a new connection (so it may reach another pod).'),
  retryBackoff: distributionSchema.prefault(0).describe('Wait before each retry.'),
});

// ------------------------------------------------------------------ failures

/**
 * One failure. The forms of the spec (`node`, `pod`, `zone`, `random`) share
 * one object so that a mistake gets a precise message; `failureKind`
 * (failureKind.ts) tells which form an entry is.
 */
export const failureSchema = z
  .strictObject({
    at: durationSchema.optional().describe('When it fails, from the start of the warm-up.'),
    node: z.string().optional().describe('A node that stops (power loss): its pods die, it answers nothing; the LB and the control plane notice with their real delays.'),
    pod: z.string().optional().describe('A pod that crashes on a live node: connections to it are refused until the kube-proxies learn, and it restarts after restartAfter.'),
    zone: z.string().optional().describe('Every node of this zone stops at once.'),
    recoverAfter: durationSchema.optional().describe('A node or zone comes back this long after failing; its kubelets restart their pods (ready after startupTime) unless they were evicted.'),
    restartAfter: durationSchema.optional().describe('A crashed pod restarts this long after failing (then ready after startupTime).'),
    random: z.strictObject({ mtbf: durationSchema.describe('Mean time between failures of each node (exponential).'), mttr: durationSchema.describe('Mean time to repair (exponential).') }).optional().describe('Random node failures: each node fails after an exponential time with mean mtbf and recovers after one with mean mttr.'),
    scope: z.literal('nodes').optional().describe('What random failures hit: nodes.'),
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

// --------------------------------------------------------------------- sweep

/**
 * A swept value: any YAML value (a scalar, a mapping such as `{zone:
 * zone-a}`, a list), set at the parameter's path as if written there; `null`
 * removes the field, so that its default applies (e.g. no `timeout`).
 */
export const sweepValueSchema = z.unknown();

export const sweepParameterSchema = z.strictObject({
  path: z.string().min(1).describe('A scenario field, as --set takes it (e.g. workloads.web.replicas or services.web.spec.externalTrafficPolicy).'),
  values: z
    .array(sweepValueSchema)
    .min(1)
    .max(1000, { error: 'has more than 1000 values: svcsim runs at most 1000 variants' })
    .describe('Its values, one variant each: any YAML value (null removes the field so that its default applies).'),
  /** Labels of the values in variant labels and result columns, instead of the values as written. */
  labels: z.array(z.string().min(1)).min(1).optional().describe('Names of the values in variant labels and result columns, instead of the values as written.'),
  /** Grid mode: parameters with the same group vary together (their i-th values together), as one dimension of the grid. */
  group: z.string().min(1).optional().describe('Grid mode: parameters with the same group vary together (their i-th values together), as one dimension of the grid.'),
});

export const sweepSchema = z.strictObject({
  mode: z.enum(['grid', 'zip']).default('grid').describe('grid: every combination of the parameters\' values; zip: the i-th value of each parameter together (all lists the same length).'),
  parameters: z.array(sweepParameterSchema).min(1).describe('The parameters to vary: each makes variants, compared pairwise with the first one in diffs.csv.'),
})
  // In a grid, two equal values of one parameter that varies alone would make two variants of one
  // label; in zip mode and in a group, values repeat on purpose (they pair with other parameters').
  .superRefine((sweep, ctx) => {
    if (sweep.mode !== 'grid') return;
    sweep.parameters.forEach((p, j) => {
      if (p.group !== undefined) return;
      const seen = new Set<string>();
      p.values.forEach((v, i) => {
        const key = JSON.stringify(v);
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['parameters', j, 'values', i], message: `${key} is already among the values: every variant needs a label of its own` });
        seen.add(key);
      });
    });
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
  .union([
    sloExprSchema,
    z.strictObject({
      expr: sloExprSchema.describe('METRIC (<|<=|>|>=) NUMBER over a metric of summary.csv, e.g. latency_p99_ms < 200.'),
      scope: sloScopeSchema.default('all').describe('The scope of summary.csv the metric is taken from: all (the default), traffic:<name>, service:<name> or workload:<name>.'),
    }),
  ])
  .transform((slo) => (typeof slo === 'string' ? { expr: slo.trim(), scope: 'all' } : { expr: slo.expr.trim(), scope: slo.scope }));

// ------------------------------------------------------------------ scenario

export const scenarioSchema = z.strictObject({
  apiVersion: z.literal('svcsim/v1', { message: 'must be svcsim/v1' }).describe('Always svcsim/v1.'),
  kind: z.literal('Scenario', { message: 'must be Scenario' }).describe('Always Scenario.'),
  metadata: z.strictObject({
    name: dnsLabel.describe('Scenario name (a DNS label): the results folder is results/<name>/.'),
    description: z.string().optional().describe('Free text, shown in report.html.'),
    /** Free key-value notes, as in Kubernetes; `svcsim/placeholders` lists the values `svcsim import` guessed (placeholders.ts). */
    annotations: z.record(z.string(), z.string()).optional().describe('Free key-value notes, as in Kubernetes; svcsim/placeholders lists the values svcsim import guessed and that you should measure.'),
  }).describe('name names the results folder (results/<name>/); description is free text.'),
  simulation: simulationSchema.describe('How long, how many replications, which seed.'),
  cluster: clusterSchema.describe('Nodes and zones, kube-proxy, hop latencies, control-plane timing.'),
  workloads: z.array(workloadSchema).min(1).describe('The pods: Deployments with their replicas, ports, concurrency and service time.'),
  services: z.array(serviceSchema).min(1).describe('Kubernetes Services, as kubectl get svc -o yaml prints them (fields svcsim does not model are accepted and ignored, with a warning where it matters).'),
  loadBalancers: z.array(loadBalancerSchema).default([]).describe('The cloud load balancer of each LoadBalancer Service.'),
  traffic: z.array(trafficSchema).min(1).describe('Who sends requests, to which Service and port, along which path, at what rate.'),
  failures: z.array(failureSchema).default([]).describe('Nodes, pods or zones that fail, at given times or at random.'),
  sweep: sweepSchema.optional().describe('Variants of the scenario to compare: each parameter\'s path (as --set takes it) and values; every variant runs the same replications (common random numbers).'),
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
