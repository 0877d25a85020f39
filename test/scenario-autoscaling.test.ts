/**
 * Autoscaling in a scenario: a workload's `autoscaling` is the spec of an
 * autoscaling/v2 HorizontalPodAutoscaler (what kubectl prints pastes in),
 * with Kubernetes' defaults; node entries with `autoscaling` are node pools.
 * The rules say what Kubernetes (or the cluster autoscaler) would do with
 * bounds that do not hold.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { nodePools } from '../src/scenario/autoscaling.js';
import { DEFAULT_SCALE_DOWN, DEFAULT_SCALE_UP, parseQuantity } from '../src/scenario/autoscalingSchema.js';
import { formatProblem, formatWarning, ScenarioError } from '../src/scenario/errors.js';
import { parseScenarioText } from '../src/scenario/load.js';
import { resolvedYaml } from '../src/scenario/print.js';
import { expandVariants } from '../src/scenario/sweep.js';

// Line numbers, for reading the expectations: 7 pool-a · 8 fixed · 10 web · 11 replicas · 15 autoscaling
const scenario = (hpa: string, pool = '{name: pool-a, zone: za, count: 3, autoscaling: {min: 3, max: 10, provisionTime: 90s}}', replicas = 3) => `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: t}
simulation: {duration: 1m}
cluster:
  nodes:
    - ${pool}
    - {name: fixed, zone: zb}
workloads:
  - name: web
    replicas: ${replicas}
    ports: [8080]
    serviceTime: 1ms
    autoscaling:
${hpa
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
services:
  - {metadata: {name: web}, spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}
traffic:
  - {name: users, to: {service: web, port: 80, via: loadBalancer}, arrival: {process: poisson, rate: 10}}
`;

function problems(text: string): string[] {
  try {
    expandVariants(parseScenarioText(text, 'hpa.yaml'));
    return [];
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.problems.map(formatProblem);
  }
}

const hpaOf = (text: string) => parseScenarioText(text, 'hpa.yaml').scenario.workloads[0].autoscaling;

/** What `kubectl get hpa web -o yaml` prints under spec (keys sorted, behavior filled by the API server). */
const kubectlSpec = `behavior:
  scaleDown:
    policies:
    - periodSeconds: 15
      type: Percent
      value: 100
    selectPolicy: Max
    stabilizationWindowSeconds: 300
  scaleUp:
    policies:
    - periodSeconds: 15
      type: Pods
      value: 4
    - periodSeconds: 15
      type: Percent
      value: 100
    selectPolicy: Max
    stabilizationWindowSeconds: 0
maxReplicas: 10
metrics:
- pods:
    metric:
      name: requests_per_second
    target:
      averageValue: "100"
      type: AverageValue
  type: Pods
- resource:
    name: cpu
    target:
      averageUtilization: 60
      type: Utilization
  type: Resource
minReplicas: 3
scaleTargetRef:
  apiVersion: apps/v1
  kind: Deployment
  name: web`;

describe('HorizontalPodAutoscaler spec', () => {
  it('takes what kubectl get hpa -o yaml prints under spec', () => {
    const hpa = hpaOf(scenario(kubectlSpec));
    expect(hpa).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [
        { type: 'Pods', pods: { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: 100 } } },
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
      ],
      behavior: { scaleUp: DEFAULT_SCALE_UP, scaleDown: DEFAULT_SCALE_DOWN },
    });
  });

  it("fills Kubernetes' defaults: minReplicas 1 and CPU at 80% when no metric is named; no behavior unless one is given", () => {
    const expected = { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] };
    expect(hpaOf(scenario('{maxReplicas: 10}'))).toEqual(expected);
    expect(hpaOf(scenario('{maxReplicas: 10, metrics: []}'))).toEqual(expected);
    expect(hpaOf(scenario('{maxReplicas: 10}'))?.behavior).toBeUndefined();
  });

  it('fills both directions of a given behavior with the defaults, field by field', () => {
    const hpa = hpaOf(scenario('{maxReplicas: 10, behavior: {scaleDown: {stabilizationWindowSeconds: 60}, scaleUp: {policies: [{type: Pods, value: 1, periodSeconds: 60}]}}}'));
    expect(hpa?.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
    expect(hpaOf(scenario('{maxReplicas: 10, behavior: {}}'))?.behavior).toEqual({ scaleUp: DEFAULT_SCALE_UP, scaleDown: DEFAULT_SCALE_DOWN });
  });

  it('averageValue is a Kubernetes quantity', () => {
    expect(['"100"', '100', '"500m"', '"1.5k"', '"2Ki"', '"1e3"', '"250u"'].map((q) => parseQuantity(JSON.parse(q) as string | number))).toEqual([100, 100, 0.5, 1500, 2048, 1000, 0.00025]);
    expect(['', 'm', '1.5x', '1 k', 'ten'].map(parseQuantity)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(problems(scenario('{maxReplicas: 10, metrics: [{type: Pods, pods: {metric: {name: requests_per_second}, target: {type: AverageValue, averageValue: "0"}}}]}'))).toEqual([
      'hpa.yaml:15:135: workloads.web.autoscaling.metrics.0.pods.target.averageValue: must be a Kubernetes quantity > 0, such as "100", 100, "500m" (0.5) or "1.5k"',
    ]);
  });

  it('a metric svcsim does not measure is an error that lists the ones it does', () => {
    expect(problems(scenario('{maxReplicas: 10, metrics: [{type: External, external: {}}, {type: Resource, resource: {name: memory, target: {type: Utilization, averageUtilization: 60}}}, {type: Pods, pods: {metric: {name: latency}, target: {type: AverageValue, averageValue: 1}}}]}'))).toEqual([
      'hpa.yaml:15:42: workloads.web.autoscaling.metrics.0.type: svcsim measures type Resource (resource cpu, target Utilization) and type Pods (metric requests_per_second, target AverageValue); External metrics are not modelled',
      `hpa.yaml:15:101: workloads.web.autoscaling.metrics.1.resource.name: svcsim measures type Resource (resource cpu, target Utilization) and type Pods (metric requests_per_second, target AverageValue): a pod's busy slots out of its concurrency stand for its CPU, and memory is not modelled (not "memory")`,
      'hpa.yaml:15:199: workloads.web.autoscaling.metrics.2.pods.metric.name: svcsim measures type Resource (resource cpu, target Utilization) and type Pods (metric requests_per_second, target AverageValue): a Pods metric is the pod\'s served attempts per second, named requests_per_second (not "latency")',
    ]);
  });

  it('behavior fields are checked as Kubernetes checks them', () => {
    expect(problems(scenario('{maxReplicas: 10, behavior: {scaleUp: {selectPolicy: Fastest, policies: [], stabilizationWindowSeconds: 4000}}}'))).toEqual([
      'hpa.yaml:15:60: workloads.web.autoscaling.behavior.scaleUp.selectPolicy: must be one of Max, Min, Disabled, not "Fastest"',
      'hpa.yaml:15:79: workloads.web.autoscaling.behavior.scaleUp.policies: needs at least 1 entry',
      'hpa.yaml:15:111: workloads.web.autoscaling.behavior.scaleUp.stabilizationWindowSeconds: must be ≤ 3600, not 4000',
    ]);
  });

  it('maxReplicas ≥ minReplicas, as the API server requires', () => {
    expect(problems(scenario('{minReplicas: 3, maxReplicas: 2}'))).toEqual([
      'hpa.yaml:15:37: workloads.web.autoscaling.maxReplicas: is less than minReplicas 3; Kubernetes rejects such a HorizontalPodAutoscaler (maxReplicas must be ≥ minReplicas)',
    ]);
  });

  it('replicas outside minReplicas..maxReplicas is a warning that says what the HPA does at its first sync; 0 is an error', () => {
    const warningsOf = (text: string) => parseScenarioText(text, 'hpa.yaml').warnings.map(formatWarning);
    expect(warningsOf(scenario('{minReplicas: 4, maxReplicas: 10}'))).toEqual([
      'hpa.yaml:11:15: workloads.web.replicas: warning: 3 is below autoscaling.minReplicas 4: the HorizontalPodAutoscaler raises it to 4 at its first sync, as in Kubernetes; start from 4..10 to measure from a settled count',
    ]);
    expect(warningsOf(scenario('{maxReplicas: 2}'))).toEqual([
      'hpa.yaml:11:15: workloads.web.replicas: warning: 3 is above autoscaling.maxReplicas 2: the HorizontalPodAutoscaler cuts it to 2 at its first sync, as in Kubernetes; start from 1..2 to measure from a settled count',
    ]);
    expect(warningsOf(scenario('{maxReplicas: 3}'))).toEqual([]);
    expect(problems(scenario('{maxReplicas: 2}', undefined, 0))).toEqual([
      "hpa.yaml:11:15: workloads.web.replicas: is 0: Kubernetes' HorizontalPodAutoscaler does not scale a Deployment at 0 replicas (autoscaling is off until it has some); start from 1..2",
    ]);
  });

  it('warns about a CPU target above 100% and a scaleTargetRef that names another workload', () => {
    const loaded = parseScenarioText(scenario(kubectlSpec.replace('averageUtilization: 60', 'averageUtilization: 120').replace('name: web', 'name: api')), 'hpa.yaml');
    expect(loaded.warnings.map(formatWarning)).toEqual([
      "hpa.yaml:45:33: workloads.web.autoscaling.metrics.1.resource.target.averageUtilization: warning: 120% can never be reached: a pod's CPU here is its busy slots out of its concurrency, at most 100% of its request, so this metric never scales up",
      'hpa.yaml:50:9: workloads.web.autoscaling.scaleTargetRef: warning: is ignored: the HorizontalPodAutoscaler written on workload web scales it (the ref names Deployment api)',
    ]);
  });

  it('validate --resolved prints the filled spec, and it loads back the same; an HPA without behavior stays without', () => {
    for (const hpa of [kubectlSpec, '{maxReplicas: 10}']) {
      const loaded = parseScenarioText(scenario(hpa), 'hpa.yaml');
      const printed = resolvedYaml(loaded);
      expect(parseScenarioText(printed, 'hpa.yaml').scenario).toEqual(loaded.scenario);
      if (hpa === kubectlSpec) expect((parse(printed) as { workloads: { autoscaling: { metrics: { pods?: { target: unknown } }[] } }[] }).workloads[0].autoscaling.metrics[0].pods?.target).toEqual({ type: 'AverageValue', averageValue: 100 });
      else expect(printed).not.toContain('behavior');
    }
  });
});

describe('node pools', () => {
  it('an entry with autoscaling is a pool: its nodes carry the pool name through count expansion', () => {
    const s = parseScenarioText(scenario('{maxReplicas: 10}'), 'hpa.yaml').scenario;
    expect(s.cluster.nodes.map((n) => [n.name, n.pool])).toEqual([
      ['pool-a-0', 'pool-a'],
      ['pool-a-1', 'pool-a'],
      ['pool-a-2', 'pool-a'],
      ['fixed', undefined],
    ]);
    expect(nodePools(s)).toEqual([{ name: 'pool-a', zone: 'za', maxPods: 110, min: 3, max: 10, provisionTime: 90, scaleDownUnneededTime: 600, nodes: ['pool-a-0', 'pool-a-1', 'pool-a-2'] }]);
  });

  it('entries may share a pool by name; the printed resolved scenario keeps it', () => {
    const text = scenario('{maxReplicas: 10}', '{name: a, zone: za, pool: big, autoscaling: {min: 2, max: 4, provisionTime: 2m}}\n    - {name: b, zone: za, pool: big, autoscaling: {min: 2, max: 4, provisionTime: 2m}}');
    const loaded = parseScenarioText(text, 'hpa.yaml');
    expect(nodePools(loaded.scenario).map((p) => [p.name, p.nodes])).toEqual([['big', ['a', 'b']]]);
    expect(parseScenarioText(resolvedYaml(loaded), 'hpa.yaml').scenario).toEqual(loaded.scenario);
  });

  it('a pool starting outside min..max is a warning that says what the cluster autoscaler does; max < min is an error', () => {
    const pool = (count: number, min: number, max: number) => `{name: pool-a, zone: za, count: ${count}, autoscaling: {min: ${min}, max: ${max}, provisionTime: 90s}}`;
    const warningsOf = (text: string) => parseScenarioText(text, 'hpa.yaml').warnings.map(formatWarning);
    expect(warningsOf(scenario('{maxReplicas: 10}', pool(2, 3, 10)))).toEqual([
      'hpa.yaml:7:39: cluster.nodes.pool-a.count: warning: node pool pool-a starts with 2 nodes, below its autoscaling.min 3: the cluster autoscaler adds nodes only for Pending pods, not to reach min, so the pool stays below it until pods wait; start from 3..10 nodes',
    ]);
    expect(warningsOf(scenario('{maxReplicas: 10}', pool(4, 1, 3)))).toEqual([
      'hpa.yaml:7:39: cluster.nodes.pool-a.count: warning: node pool pool-a starts with 4 nodes, above its autoscaling.max 3: the cluster autoscaler removes only unneeded nodes, never to reach max, and adds none while above it; start from 1..3 nodes',
    ]);
    expect(problems(scenario('{maxReplicas: 10}', pool(3, 3, 2)))).toEqual([
      "hpa.yaml:7:69: cluster.nodes.pool-a.autoscaling.max: is less than min 3: a node pool's size is kept within min..max, so max ≥ min",
    ]);
  });

  it("a pool's entries agree on their template; pool without autoscaling is an error", () => {
    const two = '{name: a, zone: za, pool: big, autoscaling: {min: 2, max: 4, provisionTime: 2m}}\n    - {name: b, zone: zc, pool: big, autoscaling: {min: 2, max: 4, provisionTime: 2m}}\n    - {name: c, pool: big}';
    expect(problems(scenario('{maxReplicas: 10}', two))).toEqual([
      'hpa.yaml:8:23: cluster.nodes.b.zone: node pool big is defined above (entry a) with another zone; the cluster autoscaler adds a pool\'s nodes from one template, so its entries agree (one pool per zone, as node pools are)',
      'hpa.yaml:9:23: cluster.nodes.c.pool: names an autoscaled node pool: give the entry autoscaling: {min, max, provisionTime}',
    ]);
  });
});
