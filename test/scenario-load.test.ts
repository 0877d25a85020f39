/**
 * Loading a scenario: YAML mistakes, unknown and missing keys, wrong values,
 * every problem at once and in file order, files the scenario refers to, and
 * real `kubectl get svc -o yaml` output pasted in.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, ScenarioError } from '../src/scenario/errors.js';
import { loadScenario, parseScenarioText } from '../src/scenario/load.js';
import { base } from './helpers/baseScenario.js';


function problems(text: string, file = 'web.yaml'): string[] {
  try {
    parseScenarioText(text, file);
    return [];
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.problems.map(formatProblem);
  }
}

function loadProblems(file: string): string[] {
  try {
    loadScenario(file);
    return [];
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.message.split('\n');
  }
}

describe('the file and its YAML', () => {
  it('an unreadable file is one line without a position', () => {
    expect(loadProblems('no/such/web.yaml')).toEqual(['no/such/web.yaml: cannot read: no such file']);
    expect(loadProblems('test')).toEqual(['test: cannot read: is a folder, not a scenario file']);
  });

  it('a YAML syntax error is reported where the parser stopped', () => {
    expect(problems(base.replace('ports: [{name: http, containerPort: 8080}]', 'ports: [{name: http, containerPort: 8080}'))).toEqual([
      'web.yaml:13:5: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('a duplicate key is an error at the second one, reported with the other problems', () => {
    expect(problems(base.replace('{name: b, zone: zb}', '{name: b, zone: zb, zone: zc}').replace('replicas: 3', 'replicas: three'))).toEqual([
      'web.yaml:8:27: cluster.nodes.b.zone: duplicate key: zone is already given on line 8',
      'web.yaml:11:15: workloads.web.replicas: must be a number, not "three"',
    ]);
  });

  it('a scenario is a mapping', () => {
    expect(problems('- a\n- b\n')).toEqual(['web.yaml:1:1: a scenario is a YAML mapping that starts with apiVersion: svcsim/v1 and kind: Scenario']);
    expect(problems('')).toEqual(['web.yaml:1:1: a scenario is a YAML mapping that starts with apiVersion: svcsim/v1 and kind: Scenario']);
  });

  it('unknown tags, aliases to nothing and keys that are not names are errors', () => {
    expect(problems(base.replace('replicas: 3', 'replicas: !int 3'))).toEqual(['web.yaml:11:15: YAML: Unresolved tag: !int']);
    expect(problems('a: &x [1]\nb: *y\n')).toEqual(['web.yaml:1:1: YAML: Unresolved alias (the anchor must be set before the alias): y']);
    expect(problems(base.replace('replicas: 3', '? [a]\n    : 3'))).toEqual(['web.yaml:11:7: YAML: a key must be a plain name, not a list, a mapping or empty']);
  });

  it('anchors, aliases and merge keys work', () => {
    const text = base.replace('  - name: web\n', '  - &web\n    name: web\n').replace('services:', '  - {<<: *web, name: api}\nservices:');
    expect(parseScenarioText(text, 'web.yaml').scenario.workloads.map((w) => [w.name, w.replicas])).toEqual([
      ['web', 3],
      ['api', 3],
    ]);
  });
});

describe('keys and values', () => {
  it('an unknown key is an error at the key, with a suggestion and what is allowed', () => {
    expect(problems(base.replace('replicas: 3', 'replica: 3'))).toEqual([
      'web.yaml:10:5: workloads.web.replicas: required: a number',
      'web.yaml:11:5: workloads.web.replica: unknown field (did you mean replicas?); allowed here: name, labels, replicas, placement, ports, concurrency, queueCapacity, serviceTime, startupTime, terminationGracePeriod, calls, client, autoscaling',
    ]);
  });

  it('a missing key is an error at the mapping that lacks it', () => {
    expect(problems(base.replace('    serviceTime: 1ms\n', ''))).toEqual([
      'web.yaml:10:5: workloads.web.serviceTime: required: a Duration (a constant, e.g. 12ms) or an object with dist: (use one of constant, exponential, uniform, normal, lognormal, gamma, weibull, pareto, empirical, histogram)',
    ]);
    expect(problems(base.replace('{process: poisson, rate: 10}', '{rate: 10}'))).toEqual(['web.yaml:26:14: traffic.users.arrival.process: required: one of poisson, constant, schedule, trace']);
  });

  it('reports every problem at once, in file order', () => {
    const text = base
      .replace('duration: 10s', 'duration: 10 parsecs')
      .replace('rate: 10}', 'rate: fast}')
      .replace('via: nodePort', 'via: nodeport')
      .replace('selector: {app: web}', 'selector: {app: 3}');
    expect(problems(text)).toEqual([
      'web.yaml:4:24: simulation.duration: "10 parsecs" is not a Duration; use a number with a unit: 250ms, 1.5s, 2m, 1h, 50us, or a combination such as 6m30s (a bare number is seconds)',
      'web.yaml:20:23: services.web.spec.selector.app: must be a string, not 3',
      'web.yaml:25:39: traffic.users.to.via: must be one of loadBalancer, nodePort, clusterIP, not "nodeport"',
      'web.yaml:26:39: traffic.users.arrival.rate: "fast" is not a Rate; use a number per unit of time: 2000/s, 90/m, 3600/h (a bare number is per second)',
    ]);
  });

  it('names the accepted forms when a value fits none', () => {
    expect(problems(base.replace('    arrival:', '    from: {nod: a}\n    arrival:'))).toEqual([
      'web.yaml:26:11: traffic.users.from: must be external, {node: ...}, {zone: ...} or {workload: ...}, not {nod}',
    ]);
    expect(problems(base.replace('replicas: 3', 'replicas: 3\n    placement: sprad'))).toEqual(['web.yaml:12:16: workloads.web.placement: must be spread, packed or a mapping, not "sprad"']);
  });

  it('reports the mistake inside the one form a value was meant to be', () => {
    expect(problems(base.replace('targetPort: http', 'targetPort: 0'))).toEqual(['web.yaml:22:46: services.web.spec.ports.http.targetPort: must be ≥ 1, not 0']);
    expect(problems(base.replace('replicas: 3', 'replicas: 3\n    placement: {a-0: -1}'))).toEqual(['web.yaml:12:22: workloads.web.placement.a-0: must be ≥ 0, not -1']);
    expect(problems(base.replace('replicas: 3', 'replicas: 2.5'))).toEqual(['web.yaml:11:15: workloads.web.replicas: must be a whole number, not 2.5']);
  });

  it('says which form of a failure is wrong', () => {
    expect(problems(`${base}failures:\n  - {at: 1s}\n  - {node: a-0}\n  - {at: 1s, node: a-0, zone: za}\n`)).toEqual([
      'web.yaml:28:5: failures.0: a failure names one of node, pod, zone or random',
      'web.yaml:29:5: failures.1.at: a node failure needs at: (time from the start of the warm-up)',
      'web.yaml:30:5: failures.2: a failure names exactly one of node, pod, zone or random, not node and zone',
    ]);
  });

  it('only TCP Services, with DNS-1035 names', () => {
    expect(problems(base.replace('{name: http, port: 80,', '{name: http, protocol: UDP, port: 80,'))).toEqual([
      'web.yaml:22:34: services.web.spec.ports.http.protocol: svcsim simulates TCP Services only (not "UDP")',
    ]);
    expect(problems(base.replace('metadata: {name: web}', 'metadata: {name: 1web}'))).toEqual([
      'web.yaml:17:22: services.1web.metadata.name: must be a DNS-1035 label, as Kubernetes requires of Service names: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit',
    ]);
  });
});

describe('files the scenario refers to', () => {
  it('reads an empirical distribution and an arrival trace relative to the scenario file', () => {
    const s = loadScenario('test/fixtures/scenarios/with-files/files.yaml').scenario;
    expect(s.workloads[0].serviceTime).toEqual({ dist: 'empirical', file: 'data/service-times.csv', values: [0.004, 0.002, 0.01] });
    expect(s.traffic[0].arrival).toEqual({ process: 'trace', file: 'data/arrivals.csv', times: [0.1, 0.3, 0.5, 2] });
  });

  it('a missing or malformed file is an error at its file key', () => {
    const text = readFileSync('test/fixtures/scenarios/with-files/files.yaml', 'utf8').replace('data/service-times.csv', 'data/nope.csv').replace('data/arrivals.csv', 'data/bad.csv');
    expect(problems(text, 'test/fixtures/scenarios/with-files/copy.yaml')).toEqual([
      "test/fixtures/scenarios/with-files/copy.yaml:13:36: workloads.web.serviceTime.file: data/nope.csv: no such file (a path is relative to the scenario file's folder, test/fixtures/scenarios/with-files)",
      'test/fixtures/scenarios/with-files/copy.yaml:22:31: traffic.replay.arrival.file: data/bad.csv: line 2: "fast" is not a Duration; use a number with a unit: 250ms, 1.5s, 2m, 1h, 50us, or a combination such as 6m30s (a bare number is seconds)',
    ]);
  });
});

describe('Kubernetes Service objects', () => {
  it('kubectl get svc -o yaml output pastes in unchanged: status, uid, annotations, clusterIP, ipFamilies', () => {
    const service = readFileSync('test/fixtures/scenarios/kubectl-service.yaml', 'utf8');
    const indented = service
      .trimEnd()
      .split('\n')
      .map((line, i) => (i === 0 ? `  - ${line}` : `    ${line}`))
      .join('\n');
    const text = base.replace(/services:\n[\s\S]*?traffic:/, `services:\n${indented}\ntraffic:`).replace('via: nodePort', 'via: loadBalancer');
    const loaded = parseScenarioText(text, 'web.yaml');
    const spec = loaded.scenario.services[0].spec;
    expect(spec.type).toBe('LoadBalancer');
    expect(spec.ports[0]).toEqual({ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 31234 });
    expect(loaded.warnings).toEqual([]);
  });
});
