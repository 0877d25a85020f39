/**
 * Autoscaling in a scenario (spec "autoscaling"): a workload's
 * HorizontalPodAutoscaler and the cluster autoscaler's node pools.
 *
 * `workloads[].autoscaling` is the `spec` of a real `autoscaling/v2`
 * HorizontalPodAutoscaler, so what `kubectl get hpa NAME -o yaml` prints
 * under `spec` pastes in (its `scaleTargetRef` is accepted and ignored: the
 * HPA scales the workload it is written on). Defaults are Kubernetes' own
 * (pkg/apis/autoscaling/v2/defaults.go, reference §8):
 *
 * - `minReplicas` 1; an absent or empty `metrics` list is CPU at 80%
 *   utilisation;
 * - `behavior` is filled only when it is given: inside a given `behavior`,
 *   `scaleUp` defaults to a 0 s stabilisation window, policies Pods 4 and
 *   Percent 100 per 15 s, `selectPolicy: Max`; `scaleDown` to a 300 s window,
 *   Percent 100 per 15 s, `Max`. An HPA without `behavior` keeps none, as in
 *   Kubernetes, whose controller then takes its older path (at most
 *   max(2 × current, 4) replicas per sync up, the 5 min downscale
 *   stabilisation down), so the two stay distinguishable.
 *
 * The metrics svcsim measures: `Resource` `cpu` with a `Utilization` target
 * (a pod's busy slots out of its `concurrency` stand for its CPU out of its
 * request) and `Pods` `requests_per_second` with an `AverageValue` target
 * (served attempts per second), both averaged over
 * `controlPlane.metricsResolution`.
 *
 * `cluster.nodes[].autoscaling: {min, max, provisionTime,
 * scaleDownUnneededTime}` makes a node entry an autoscaled node pool; its
 * nodes carry `pool` (the entry's name by default) so that the pool is known
 * after `count` expands it, and `nodePools` (autoscaling.ts) gathers them
 * for the engine.
 *
 * This file is the schema, with Kubernetes' defaults; autoscaling.ts, which
 * the simulation imports, holds only the types and the node pools, so that
 * a worker thread does not load zod and build the schema.
 */
import { z } from 'zod';
import { durationSchema } from './units.js';

// ------------------------------------------------------------ quantities

const SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** A Kubernetes quantity (`"100"`, `"500m"`, `"1.5k"`, `"2Ki"`, `"1e3"`, or a number) as a number; `undefined` if it is none. */
export function parseQuantity(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) ? input : undefined;
  const m = QUANTITY.exec(input.trim());
  if (!m) return undefined;
  const [, number, exponent, suffix] = m;
  if (exponent !== undefined) return Number(`${number}${exponent}`);
  // Divide for the fractional suffixes, so that "500m" is exactly 0.5.
  const factor = SUFFIXES[suffix ?? ''];
  return factor < 1 ? Number(number) / Math.round(1 / factor) : Number(number) * factor;
}

/** A quantity > 0, parsed to a number. */
export const quantitySchema = z.union([z.number(), z.string()]).transform((input, ctx) => {
  const value = parseQuantity(input);
  if (value === undefined || !(value > 0)) {
    ctx.addIssue({ code: 'custom', message: 'must be a Kubernetes quantity > 0, such as "100", 100, "500m" (0.5) or "1.5k"', input });
    return z.NEVER;
  }
  return value;
});

// ------------------------------------------------------------------- HPA

const positiveInt = z.number().int().min(1);

/** CPU at 80% of the request: Kubernetes' metric when an HPA names none. */
export const DEFAULT_HPA_METRIC = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } } as const;

const SUPPORTED_METRICS = 'svcsim measures type Resource (resource cpu, target Utilization) and type Pods (metric requests_per_second, target AverageValue)';

export const resourceMetricSchema = z.strictObject({
  type: z.literal('Resource').describe('type is the type of metric source: Resource (a resource of each pod, as in requests and limits) or Pods (a per-pod metric); svcsim measures these two.'),
  resource: z
    .strictObject({
      name: z
        .literal('cpu', { error: `${SUPPORTED_METRICS}: a pod's busy slots out of its concurrency stand for its CPU, and memory is not modelled` })
        .describe('name is the name of the resource in question: cpu, the only one svcsim measures (a pod\'s busy slots out of its concurrency stand for its CPU out of its request).'),
      target: z
        .strictObject({
          type: z
            .literal('Utilization', { error: 'must be Utilization: svcsim knows a pod\'s CPU as a share of its request (busy slots), not in cores (AverageValue)' })
            .describe('type represents whether the metric type is Utilization, Value, or AverageValue: Utilization here.'),
          averageUtilization: positiveInt.describe(
            'averageUtilization is the target value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods (an integer percent, e.g. 60; 80 when no metric is given).',
          ),
        })
        .describe('target specifies the target value for the given metric.'),
    })
    .describe('resource refers to a resource metric known to Kubernetes describing each pod in the current scale target (here CPU, averaged over metricsResolution).'),
});

export const podsMetricSchema = z.strictObject({
  type: z.literal('Pods').describe('type is the type of metric source: Resource (a resource of each pod, as in requests and limits) or Pods (a per-pod metric); svcsim measures these two.'),
  pods: z
    .strictObject({
      metric: z
        .strictObject({
          name: z
            .literal('requests_per_second', { error: `${SUPPORTED_METRICS}: a Pods metric is the pod's served attempts per second, named requests_per_second` })
            .describe('name is the name of the given metric: requests_per_second, the only one svcsim measures (attempts a pod served per second, averaged over metricsResolution).'),
          /** Accepted (kubectl prints it) and ignored: svcsim's pods have one such metric. */
          selector: z.unknown().optional().describe('selector is the label selector for the given metric; accepted and ignored (svcsim\'s pods have one such metric).'),
        })
        .describe('metric identifies the target metric by name and selector.'),
      target: z
        .strictObject({
          type: z
            .literal('AverageValue', { error: 'must be AverageValue: Kubernetes takes only AverageValue targets for Pods metrics' })
            .describe('type represents whether the metric type is Utilization, Value, or AverageValue: AverageValue, the only one Kubernetes takes for Pods metrics.'),
          averageValue: quantitySchema.describe(
            'averageValue is the target value of the average of the metric across all relevant pods (as a quantity): requests per second per pod, e.g. 100 or "1.5k" ("500m" is 0.5).',
          ),
        })
        .describe('target specifies the target value for the given metric.'),
    })
    .describe('pods refers to a metric describing each pod in the current scale target; the values are averaged together before being compared to the target value.'),
});

const metricTypes = ['Resource', 'Pods'];

/** One entry of `metrics`; a type svcsim does not measure gets one message that lists what it does. */
export const hpaMetricSchema = z.preprocess(
  (input, ctx) => {
    const type = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>).type : undefined;
    if (typeof type === 'string' && !metricTypes.includes(type))
      ctx.addIssue({ code: 'custom', path: ['type'], message: `${SUPPORTED_METRICS}; ${type} metrics are not modelled`, input });
    return input;
  },
  z.discriminatedUnion('type', [resourceMetricSchema, podsMetricSchema]),
);

export const scalingPolicySchema = z.strictObject({
  type: z.enum(['Pods', 'Percent']).describe('type is used to specify the scaling policy: Pods (a number of pods) or Percent (a percentage of the current replicas).'),
  value: positiveInt.describe('value contains the amount of change which is permitted by the policy (pods, or percent of the current replicas); it must be greater than zero.'),
  periodSeconds: z
    .number()
    .int()
    .min(1)
    .max(1800)
    .describe('periodSeconds specifies the window of time for which the policy should hold true, in seconds (greater than zero, at most 1800 = 30 min).'),
});

/** Kubernetes' scale-up rules (GenerateHPAScaleUpRules): no stabilisation, 4 pods or 100% per 15 s, whichever is more. */
export const DEFAULT_SCALE_UP = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
} as const;

/** Kubernetes' scale-down rules (GenerateHPAScaleDownRules): the highest recommendation of 300 s, 100% per 15 s. */
export const DEFAULT_SCALE_DOWN = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
} as const;

function scalingRulesSchema(defaults: typeof DEFAULT_SCALE_UP | typeof DEFAULT_SCALE_DOWN) {
  const direction = defaults === DEFAULT_SCALE_UP ? 'up' : 'down';
  const policiesText = defaults.policies.map((p) => `${p.type} ${p.value}${p.type === 'Percent' ? '%' : ''} per ${p.periodSeconds} s`).join(' or ');
  return z.strictObject({
    stabilizationWindowSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(defaults.stabilizationWindowSeconds)
      .describe(
        `stabilizationWindowSeconds is the number of seconds for which past recommendations should be considered while scaling ${direction} (0 to 3600): the ${direction === 'up' ? 'lowest' : 'highest'} recommendation of the window is used. Default ${defaults.stabilizationWindowSeconds}${defaults.stabilizationWindowSeconds === 0 ? ' (no stabilization)' : ''}.`,
      ),
    selectPolicy: z
      .enum(['Max', 'Min', 'Disabled'])
      .default(defaults.selectPolicy)
      .describe('selectPolicy is used to specify which policy should be used: Max (the one allowing the largest change, the default), Min (the smallest), or Disabled (no scaling in this direction).'),
    policies: z
      .array(scalingPolicySchema)
      .min(1)
      .default(() => defaults.policies.map((p) => ({ ...p })))
      .describe(`policies is a list of potential scaling policies which can be used during scaling; default: ${policiesText}.`),
    /** Per-HPA tolerance (alpha in Kubernetes 1.33); without it the controller's 0.1. */
    tolerance: z
      .number()
      .min(0)
      .optional()
      .describe('tolerance is the tolerance on the ratio between the current and desired metric value under which no updates are made to the desired number of replicas (e.g. 0.01 for 1%); if not set, the cluster-wide tolerance applies (10%). Alpha in Kubernetes 1.33.'),
  });
}

/** `behavior`: when given, both directions are filled with Kubernetes' defaults. */
export const hpaBehaviorSchema = z.strictObject({
  scaleUp: scalingRulesSchema(DEFAULT_SCALE_UP)
    .prefault({})
    .describe('scaleUp is scaling policy for scaling Up. Default: no stabilization, at most the larger of 4 pods or 100% more per 15 s.'),
  scaleDown: scalingRulesSchema(DEFAULT_SCALE_DOWN)
    .prefault({})
    .describe('scaleDown is scaling policy for scaling Down. Default: the highest recommendation of the last 300 s, down to minReplicas at once (100% per 15 s).'),
});

/** The `spec` of an autoscaling/v2 HorizontalPodAutoscaler, as kubectl prints it. */
export const hpaSpecSchema = z.strictObject({
  /** Accepted (kubectl prints it) and ignored: the HPA scales the workload it is written on. */
  scaleTargetRef: z
    .looseObject({
      apiVersion: z.string().optional().describe('apiVersion is the API version of the referent (apps/v1); ignored.'),
      kind: z.string().optional().describe('kind is the kind of the referent (Deployment); ignored.'),
      name: z.string().optional().describe('name is the name of the referent; ignored.'),
    })
    .optional()
    .describe('scaleTargetRef points to the target resource to scale; accepted (kubectl prints it) and ignored: the HPA scales the workload it is written on.'),
  minReplicas: positiveInt
    .max(100_000)
    .default(1)
    .describe('minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down. It defaults to 1 pod.'),
  maxReplicas: positiveInt.max(100_000).describe('maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less than minReplicas.'),
  metrics: z
    .array(hpaMetricSchema)
    .default([])
    .transform((metrics) => (metrics.length > 0 ? metrics : [structuredClone(DEFAULT_HPA_METRIC) as z.output<typeof resourceMetricSchema>]))
    .meta({ description: 'Resource cpu (Utilization) and Pods requests_per_second (AverageValue) metrics; absent or empty means cpu at 80% utilization, as in Kubernetes' }),
  behavior: hpaBehaviorSchema.optional().meta({
    description:
      "Scaling rules; when given, scaleUp defaults to window 0 s, Pods 4 and Percent 100 per 15 s, Max, and scaleDown to window 300 s, Percent 100 per 15 s, Max. When absent (as in Kubernetes) none are filled and the controller's older limits apply: at most max(2 × current, 4) per sync up, a 5 min stabilization down",
  }),
});

/** A workload's HPA spec as parsed: what the controller (controlplane/hpa.ts) resolves with Kubernetes' defaults. */
export type HorizontalPodAutoscalerSpec = z.output<typeof hpaSpecSchema>;

// ------------------------------------------------------------- node pools

/** A node entry's `autoscaling`: the cluster autoscaler adds nodes to it for Pending pods and removes empty ones. */
export const nodePoolAutoscalingSchema = z.strictObject({
  min: z.number().int().min(0).max(10_000).describe('The fewest nodes the cluster autoscaler keeps in this pool (the min of its --nodes=min:max:pool).'),
  max: positiveInt.max(10_000).describe('The most nodes the cluster autoscaler grows this pool to (the max of --nodes=min:max:pool).'),
  /** From the cluster autoscaler's decision until the new node is Ready (provider-dependent; commonly 1-3 min). */
  provisionTime: durationSchema.describe('From the cluster autoscaler\'s scale-up decision until the new node is Ready (a Duration; provider-dependent, commonly 1-3 min).'),
  /** An empty node is removed after this long (--scale-down-unneeded-time). */
  scaleDownUnneededTime: durationSchema.prefault('10m').describe('A node unneeded this long is removed (cluster autoscaler --scale-down-unneeded-time, 10 min by default).'),
});

export type NodePoolAutoscaling = z.output<typeof nodePoolAutoscalingSchema>;
