/**
 * What-if sweeps and `--set`: paths by name, labels by the shortest unique
 * path suffix with values as written, grid and zip order, each variant
 * re-checked and re-resolved, and paths that do not exist named at their
 * first missing segment.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, ScenarioError } from '../src/scenario/errors.js';
import { parseScenarioText } from '../src/scenario/load.js';
import { valueAt } from '../src/scenario/paths.js';
import { resolvedYaml } from '../src/scenario/print.js';
import { combinations, expandVariants, labelKeys } from '../src/scenario/sweep.js';

const base = `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: t}
simulation: {duration: 10s}
cluster:
  nodes:
    - {name: a, zone: za, count: 2}
    - {name: b, zone: zb}
workloads:
  - name: web
    replicas: 3
    ports: [{name: http, containerPort: 8080}]
    serviceTime: 1ms
services:
  - apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      type: LoadBalancer
      selector: {app: web}
      ports:
        - {name: http, port: 80, targetPort: http}
traffic:
  - name: users
    to: {service: web, port: 80, via: loadBalancer}
    arrival: {process: poisson, rate: 10}
`;

const sweep = (mode: string, ...params: string[]) => `${base}sweep:\n  mode: ${mode}\n  parameters:\n${params.map((p) => `    - ${p}\n`).join('')}`;
const variants = (text: string, set?: string[]) => expandVariants(parseScenarioText(text, 'web.yaml', { set }));

function problems(text: string, set?: string[]): string[] {
  try {
    variants(text, set);
    return [];
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.problems.map(formatProblem);
  }
}

describe('labels', () => {
  it('each key is the shortest path suffix unique among the sweep paths', () => {
    expect(labelKeys(['workloads.web.replicas', 'traffic.users.arrival.rate', 'services.web.spec.externalTrafficPolicy'])).toEqual(['replicas', 'rate', 'externalTrafficPolicy']);
    expect(labelKeys(['workloads.a.replicas', 'workloads.b.replicas'])).toEqual(['a.replicas', 'b.replicas']);
    expect(labelKeys(['x.a.b', 'y.a.b', 'c'])).toEqual(['x.a.b', 'y.a.b', 'c']);
  });

  it('values are written as in the file, joined by ;', () => {
    const v = variants(sweep('grid', '{path: workloads.web.replicas, values: [3, 6]}', '{path: traffic.users.arrival.rate, values: [1000/s, "2e3", 3e3, 1.50]}'));
    expect(v.map((x) => x.label)).toEqual([
      'replicas=3;rate=1000/s',
      'replicas=3;rate=2e3',
      'replicas=3;rate=3e3',
      'replicas=3;rate=1.50',
      'replicas=6;rate=1000/s',
      'replicas=6;rate=2e3',
      'replicas=6;rate=3e3',
      'replicas=6;rate=1.50',
    ]);
    expect(v[0].params).toEqual([
      { key: 'replicas', value: '3' },
      { key: 'rate', value: '1000/s' },
    ]);
    expect(v.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('without a sweep there is one variant, base, with no parameters', () => {
    const [only] = variants(base);
    expect(only.label).toBe('base');
    expect(only.params).toEqual([]);
    expect(only.index).toBe(0);
  });
});

describe('grid and zip', () => {
  it('grid: the first parameter varies slowest', () => {
    expect(combinations([2, 3], 'grid')).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
  });

  it('zip: the i-th values together', () => {
    const v = variants(sweep('zip', '{path: workloads.web.replicas, values: [2, 4]}', '{path: traffic.users.arrival.rate, values: [10, 20]}'));
    expect(v.map((x) => x.label)).toEqual(['replicas=2;rate=10', 'replicas=4;rate=20']);
    expect(v.map((x) => [x.scenario.workloads[0].replicas, valueAt(x.scenario, 'traffic.users.arrival.rate')])).toEqual([
      [2, 10],
      [4, 20],
    ]);
  });
});

describe('each variant is its own resolved scenario', () => {
  it('defaults that depend on a swept field follow it: placement, healthCheckNodePort, the preset’s health check', () => {
    const text = sweep('grid', '{path: workloads.web.replicas, values: [3, 6]}', '{path: services.web.spec.externalTrafficPolicy, values: [Cluster, Local]}').replace(
      'traffic:',
      'loadBalancers:\n  - {service: web, preset: aws-nlb}\ntraffic:',
    );
    const v = variants(text);
    const last = v[3].scenario;
    expect(v[3].label).toBe('replicas=6;externalTrafficPolicy=Local');
    expect(last.workloads[0].placement).toEqual({ 'a-0': 2, 'a-1': 1, b: 3 });
    expect(last.services[0].spec.healthCheckNodePort).toBe(30087);
    expect(last.loadBalancers[0].healthCheck?.timeout).toBe(6);
    expect(v[0].scenario.loadBalancers[0].healthCheck?.timeout).toBe(10);
    expect(v[0].scenario.services[0].spec.healthCheckNodePort).toBeUndefined();
  });

  it('a path may name a field left to its default, even a loadBalancers entry not written', () => {
    const v = variants(sweep('grid', '{path: loadBalancers.web.preset, values: [gke, azure]}', '{path: cluster.latency.sameZone, values: [0.1ms, 1ms]}'));
    expect(v.map((x) => [x.scenario.loadBalancers[0].preset, x.scenario.cluster.latency.sameZone])).toEqual([
      ['gke', { dist: 'constant', value: 0.0001 }],
      ['gke', { dist: 'constant', value: 0.001 }],
      ['azure', { dist: 'constant', value: 0.0001 }],
      ['azure', { dist: 'constant', value: 0.001 }],
    ]);
  });

  it('a value that makes a variant invalid is a problem naming the variant, at the value', () => {
    expect(problems(sweep('grid', '{path: workloads.web.replicas, values: [2, -1]}'))).toEqual(['web.yaml:30:50: workloads.web.replicas: in variant replicas=-1: must be ≥ 0, not -1']);
    const pinned = sweep('grid', '{path: workloads.web.replicas, values: [3, 4]}').replace('replicas: 3', 'replicas: 3\n    placement: {a-0: 3}');
    expect(problems(pinned)).toEqual(['web.yaml:12:16: workloads.web.placement: in variant replicas=4: places 3 pods but replicas is 4: the counts must add up to replicas']);
  });

  it('the first variant is the baseline, even when the file’s own value is another', () => {
    const v = variants(sweep('grid', '{path: workloads.web.replicas, values: [9, 3]}'));
    expect(v[0].scenario.workloads[0].replicas).toBe(9);
  });
});

describe('--set', () => {
  it('sets a value before validation, so units, rules and defaults apply', () => {
    const s = parseScenarioText(base, 'web.yaml', {
      set: ['workloads.web.replicas=5', 'simulation.duration=2m', 'traffic.users.arrival.rate=1000/s', 'services.web.spec.externalTrafficPolicy=Local'],
    }).scenario;
    expect([s.workloads[0].replicas, s.simulation.duration, valueAt(s, 'traffic.users.arrival.rate')]).toEqual([5, 120, 1000]);
    expect(s.workloads[0].placement).toEqual({ 'a-0': 2, 'a-1': 1, b: 2 });
    expect(s.services[0].spec.healthCheckNodePort).toBe(30087);
  });

  it('VALUE is YAML, so a whole distribution or a list can be set, also where the file has no such field', () => {
    const s = parseScenarioText(base, 'web.yaml', { set: ['cluster.latency.sameZone={dist: constant, value: 1ms}', 'workloads.0.ports=[{name: http, containerPort: 9090}]', 'loadBalancers.web.preset=gke'] }).scenario;
    expect(s.cluster.latency.sameZone).toEqual({ dist: 'constant', value: 0.001 });
    expect(s.workloads[0].ports).toEqual([{ name: 'http', containerPort: 9090 }]);
    expect(s.loadBalancers[0].preset).toBe('gke');
  });

  it('names the first segment that does not exist, at the place in the file where it was looked for', () => {
    expect(problems(base, ['workloads.wbe.replicas=3'])).toEqual(['web.yaml:10:3: --set workloads.wbe.replicas=3: no workload named "wbe" (have: web)']);
    expect(problems(base, ['workloads.web.replica=3'])).toEqual(['web.yaml:10:5: --set workloads.web.replica=3: workloads.web has no field "replica" (did you mean replicas?)']);
    expect(problems(base, ['simulation.duration.x=3'])).toEqual([
      'web.yaml:4:24: --set simulation.duration.x=3: simulation.duration is "10s", not a mapping or a list, so it has no "x"; set simulation.duration as a whole',
    ]);
    expect(problems(base, ['cluster.nodes.a-0.zone=x'])).toEqual([
      'web.yaml:7:5: --set cluster.nodes.a-0.zone=x: node a-0 comes from count expansion of cluster.nodes.a; a path names the entry as written (cluster.nodes.a), which sets every node of it',
    ]);
    expect(problems(base, ['failures.0.at=1s'])).toEqual(['web.yaml:1:1: --set failures.0.at=1s: failures has no failure 0: the list is empty']);
  });

  it('a malformed --set has no position; a bad value is reported as coming from --set', () => {
    expect(problems(base, ['replicas'])).toEqual(['web.yaml: --set replicas: expected PATH=VALUE, e.g. --set workloads.web.replicas=12']);
    expect(problems(base, ['workloads.web.replicas=[1'])).toEqual(['web.yaml: --set workloads.web.replicas=[1: VALUE is not valid YAML: Flow sequence must end with a ] (quote it, e.g. --set \'PATH="..."\')']);
    expect(problems(base, ['workloads.web.replicas=-2'])).toEqual(['web.yaml: workloads.web.replicas: must be ≥ 0, not -2 (set by --set workloads.web.replicas=-2)']);
  });

  it('a swept path cannot also be --set', () => {
    expect(problems(sweep('grid', '{path: workloads.web.replicas, values: [2, 4]}'), ['workloads.web.replicas=5'])).toEqual([
      "web.yaml:30:14: sweep.parameters.0.path: is also set by --set workloads.web.replicas=5; a swept path cannot be --set (change the sweep's values instead)",
    ]);
  });
});

describe('paths in a resolved scenario', () => {
  it('valueAt reads by name or index, nodes by their expanded names', () => {
    const s = parseScenarioText(base, 'web.yaml').scenario;
    expect(valueAt(s, 'services.web.spec.ports.http.nodePort')).toBe(30086);
    expect(valueAt(s, 'services.0.spec.ports.0.nodePort')).toBe(30086);
    expect(valueAt(s, 'cluster.nodes.a-1.zone')).toBe('za');
    expect(valueAt(s, 'loadBalancers.web.healthCheck.interval')).toBe(10);
    expect(valueAt(s, 'workloads.nope')).toBeUndefined();
  });
});

describe('sweeps of any YAML value', () => {
  it('values may be mappings and lists; a label shows them in compact flow form', () => {
    const v = variants(sweep('grid', '{path: traffic.users.from, values: [{zone: za}, {node: b}, {workload: web}]}', '{path: workloads.web.ports, values: [[{name: http, containerPort: 8080}]]}'));
    expect(v.map((x) => x.label)).toEqual([
      'from={zone: za};ports=[{name: http, containerPort: 8080}]',
      'from={node: b};ports=[{name: http, containerPort: 8080}]',
      'from={workload: web};ports=[{name: http, containerPort: 8080}]',
    ]);
    expect(v.map((x) => x.scenario.traffic[0].from)).toEqual([{ zone: 'za' }, { node: 'b' }, { workload: 'web' }]);
  });

  it('labels: next to values names them instead', () => {
    const v = variants(sweep('grid', '{path: traffic.users.from, values: [{zone: za}, external], labels: [in-cluster, outside]}'));
    expect(v.map((x) => x.label)).toEqual(['from=in-cluster', 'from=outside']);
    expect(v[0].params).toEqual([{ key: 'from', value: 'in-cluster' }]);
    expect(problems(sweep('grid', '{path: traffic.users.from, values: [{zone: za}, external], labels: [in-cluster]}'))).toEqual([
      'web.yaml:30:74: sweep.parameters.0.labels: has 1 label for 2 values: one label per value',
    ]);
  });

  it('null removes the field, so its default applies', () => {
    const v = variants(sweep('grid', '{path: traffic.users.timeout, values: [~, 1s]}', '{path: traffic.users.clients, values: [null]}'));
    expect(v.map((x) => x.label)).toEqual(['timeout=null;clients=null', 'timeout=1s;clients=null']);
    expect(v.map((x) => [x.scenario.traffic[0].timeout, x.scenario.traffic[0].clients])).toEqual([
      [undefined, 1000],
      [1, 1000],
    ]);
  });

  it('two variants with the same label are an error that asks for labels', () => {
    // Equal values are refused as such (safety's check); values that differ but print alike make equal labels.
    expect(problems(sweep('grid', '{path: traffic.users.timeout, values: [1, "1"]}'))).toEqual([
      'web.yaml:30:5: sweep.parameters: variants 0 and 1 are both labelled timeout=1: a variant is known by its label (--variant LABEL, the result tables); give the values distinct labels: with labels: [...] next to values',
    ]);
  });

  it('every kind of value round-trips through validate --resolved, labels included', () => {
    const text = sweep(
      'grid',
      '{path: traffic.users.from, values: [{zone: za}, external]}',
      '{path: traffic.users.handshake, values: [true, false]}',
      '{path: traffic.users.timeout, values: [~, 250ms, 1]}',
      '{path: workloads.web.ports, values: [[{name: http, containerPort: 8080}]], labels: [one]}',
    );
    const loaded = parseScenarioText(text, 'web.yaml');
    const before = expandVariants(loaded);
    const again = parseScenarioText(resolvedYaml(loaded, before), 'web.yaml');
    const after = expandVariants(again);
    expect(after.map((x) => x.label)).toEqual(before.map((x) => x.label));
    after.forEach((x, i) => expect(x.scenario, x.label).toEqual(before[i].scenario));
    expect(before).toHaveLength(12);
  });
});

describe('invalid combinations', () => {
  const fromVia = (mode: string) => sweep(mode, '{path: traffic.users.from, values: [{zone: za}, external]}', '{path: traffic.users.to.via, values: [clusterIP, loadBalancer]}');

  it('a grid leaves out a combination that is invalid only as a combination, with a warning naming it and the Kubernetes reason', () => {
    const loaded = parseScenarioText(fromVia('grid'), 'web.yaml');
    const v = expandVariants(loaded);
    expect(v.map((x) => [x.index, x.label])).toEqual([
      [0, 'from={zone: za};via=clusterIP'],
      [1, 'from={zone: za};via=loadBalancer'],
      [2, 'from=external;via=loadBalancer'],
    ]);
    expect(loaded.warnings.map(formatProblem)).toEqual([
      'web.yaml:31:45: traffic.users.to.via: variant from=external;via=clusterIP is left out of the grid (the other combinations run): a ClusterIP Service is only reachable from inside the cluster; use from: {zone: ...} or a NodePort/LoadBalancer Service',
    ]);
    expandVariants(loaded);
    expect(loaded.warnings).toHaveLength(1); // expanding again does not repeat it
  });

  it('in zip mode an invalid variant is an error before anything runs', () => {
    const text = sweep('zip', '{path: traffic.users.from, values: [{zone: za}, external]}', '{path: traffic.users.to.via, values: [loadBalancer, clusterIP]}');
    expect(problems(text)).toEqual([
      'web.yaml:31:59: traffic.users.to.via: in variant from=external;via=clusterIP: a ClusterIP Service is only reachable from inside the cluster; use from: {zone: ...} or a NodePort/LoadBalancer Service',
    ]);
  });

  it('a grid value that no valid variant uses is an error, as it always was', () => {
    expect(problems(sweep('grid', '{path: workloads.web.replicas, values: [2, -1]}', '{path: traffic.users.to.via, values: [loadBalancer, nodePort]}'))).toEqual([
      'web.yaml:30:50: workloads.web.replicas: in variant replicas=-1;via=loadBalancer: must be ≥ 0, not -1',
      'web.yaml:30:50: workloads.web.replicas: in variant replicas=-1;via=nodePort: must be ≥ 0, not -1',
    ]);
  });
});

describe('groups: a zip inside a grid', () => {
  it('parameters with the same group take their i-th values together, as one dimension at the place of the first', () => {
    const v = variants(
      sweep(
        'grid',
        '{path: workloads.web.replicas, values: [3, 6]}',
        '{path: traffic.users.from, values: [{zone: za}, external], group: entry}',
        '{path: services.web.spec.externalTrafficPolicy, values: [Cluster, Local]}',
        '{path: traffic.users.to.via, values: [clusterIP, loadBalancer], group: entry}',
      ),
    );
    expect(v.map((x) => x.label)).toEqual([
      'replicas=3;from={zone: za};externalTrafficPolicy=Cluster;via=clusterIP',
      'replicas=3;from={zone: za};externalTrafficPolicy=Local;via=clusterIP',
      'replicas=3;from=external;externalTrafficPolicy=Cluster;via=loadBalancer',
      'replicas=3;from=external;externalTrafficPolicy=Local;via=loadBalancer',
      'replicas=6;from={zone: za};externalTrafficPolicy=Cluster;via=clusterIP',
      'replicas=6;from={zone: za};externalTrafficPolicy=Local;via=clusterIP',
      'replicas=6;from=external;externalTrafficPolicy=Cluster;via=loadBalancer',
      'replicas=6;from=external;externalTrafficPolicy=Local;via=loadBalancer',
    ]);
  });

  it("a group's lists need the same length; group goes with grid mode", () => {
    expect(problems(sweep('grid', '{path: traffic.users.from, values: [{zone: za}, external], group: g}', '{path: traffic.users.to.via, values: [clusterIP], group: g}'))).toEqual([
      "web.yaml:31:44: sweep.parameters.1.values: has 1 value but parameter 0 of group g has 2: a group's parameters take their i-th values together, so the lists need the same length",
    ]);
    expect(problems(sweep('zip', '{path: workloads.web.replicas, values: [3], group: g}'))).toEqual([
      'web.yaml:30:58: sweep.parameters.0.group: goes with mode: grid, where the parameters of a group vary together; in zip mode every parameter already does',
    ]);
  });
});
