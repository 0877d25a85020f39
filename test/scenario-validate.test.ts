/**
 * The scenario format as users meet it: every Kubernetes rule with its exact
 * message and position, unknown keys, defaults, the resolved round trip,
 * sweeps and --set, and a loader that never throws anything but a
 * ScenarioError whatever it is fed.
 */
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { parse, stringify } from 'yaml';
import { resolvedYaml } from '../src/cli/validate.js';
import { scenarioJsonSchema } from '../src/cli/schema.js';
import { ScenarioError } from '../src/scenario/errors.js';
import { loadScenario, parseScenarioText } from '../src/scenario/load.js';
import { nodePortAllocator, spreadPlacement } from '../src/scenario/resolve.js';
import { expandVariants, labelKeys } from '../src/scenario/sweep.js';

const base = `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: t}
simulation: {duration: 10s}
cluster:
  nodes: [{name: n, count: 2}]
workloads:
  - {name: web, replicas: 2, ports: [{name: http, containerPort: 8080}], serviceTime: 1ms}
services:
  - apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      type: NodePort
      selector: {app: web}
      ports: [{name: http, port: 80, targetPort: http, nodePort: 30080}]
traffic:
  - name: users
    to: {service: web, port: 80, via: nodePort}
    arrival: {process: poisson, rate: 10}
`;

/** The problem lines a text produces (empty when valid). */
function problems(text: string, set?: string[]): string[] {
  try {
    parseScenarioText(text, 'web.yaml', { set });
    return [];
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.message.split('\n');
  }
}

describe('Kubernetes rules, each with its reason and position', () => {
  it('accepts the base scenario', () => {
    expect(problems(base)).toEqual([]);
  });

  it('a ClusterIP Service is only reachable from inside the cluster', () => {
    const text = base.replace('type: NodePort', 'type: ClusterIP').replace(', nodePort: 30080', '').replace('via: nodePort', 'via: clusterIP');
    expect(problems(text)).toEqual([
      'web.yaml:19:39: traffic.users.to.via: a ClusterIP Service is only reachable from inside the cluster; use from: {zone: ...} or a NodePort/LoadBalancer Service',
    ]);
  });

  it('via: nodePort needs a NodePort or LoadBalancer Service', () => {
    const text = base.replace('type: NodePort', 'type: ClusterIP').replace(', nodePort: 30080', '').replace('arrival:', 'from: {zone: zone-a}\n    arrival:');
    expect(problems(text)).toEqual(['web.yaml:19:39: traffic.users.to.via: Service web is of type ClusterIP: it has no nodePort; make it type NodePort or LoadBalancer']);
  });

  it('via: loadBalancer needs a LoadBalancer Service', () => {
    expect(problems(base.replace('via: nodePort', 'via: loadBalancer'))).toEqual([
      'web.yaml:19:39: traffic.users.to.via: Service web is of type NodePort: only a LoadBalancer Service has a load balancer; use via: nodePort',
    ]);
  });

  it('there is no clusterIP:nodePort: the port must be one the Service defines', () => {
    expect(problems(base.replace('port: 80, via', 'port: 30080, via'))).toEqual([
      'web.yaml:19:30: traffic.users.to.port: 30080 is the nodePort of Service web, not one of its ports: there is no clusterIP:nodePort; use port 80 (with via: nodePort the client dials <NodeIP>:30080)',
    ]);
    expect(problems(base.replace('port: 80, via', 'port: 81, via'))).toEqual(['web.yaml:19:30: traffic.users.to.port: Service web has no port 81 (ports: http=80)']);
  });

  it('a nodePort must be inside the range and unique', () => {
    expect(problems(base.replace('nodePort: 30080', 'nodePort: 8080'))).toEqual([
      'web.yaml:16:66: services.web.spec.ports.http.nodePort: nodePort 8080 is outside serviceNodePortRange 30000-32767',
    ]);
    const two = base.replace(
      'traffic:',
      `  - apiVersion: v1
    kind: Service
    metadata: {name: web2}
    spec: {type: NodePort, selector: {app: web}, ports: [{port: 81, targetPort: 8080, nodePort: 30080}]}
traffic:`,
    );
    expect(problems(two)).toEqual(['web.yaml:20:97: services.web2.spec.ports.0.nodePort: nodePort 30080 is already allocated to service web: every nodePort is unique in the cluster']);
  });

  it('a selector must match a workload, and targetPort a container port', () => {
    expect(problems(base.replace('selector: {app: web}', 'selector: {app: api}'))[0]).toMatch(/^web\.yaml:15:17: services\.web\.spec\.selector: selects no workload: a Service without endpoints refuses every connection/);
    expect(problems(base.replace('targetPort: http', 'targetPort: grpc'))).toEqual([
      'web.yaml:16:50: services.web.spec.ports.http.targetPort: targetPort grpc is not a container port of workload web (http=8080): connections would be refused',
    ]);
  });

  it('every node, zone, pod and workload named must exist', () => {
    const text = base.replace('arrival:', 'entryNode: n-7\n    arrival:') + 'failures:\n  - {at: 1s, pod: web-5}\n  - {at: 2s, zone: mars}\n';
    expect(problems(text)).toEqual([
      "web.yaml:20:16: traffic.users.entryNode: no node named n-7 (have: n-0, n-1)",
      'web.yaml:23:19: failures.0.pod: no pod named web-5: pods are named <workload>-<i> with i < replicas (web-0..web-1)',
      'web.yaml:24:20: failures.1.zone: no zone named mars (have: zone-a)',
    ]);
  });

  it('unknown keys are errors at the key, with what is allowed', () => {
    const [line] = problems(base.replace('replicas: 2,', 'replicas: 2, replica: 3,'));
    expect(line).toMatch(/^web\.yaml:8:30: workloads\.web\.replica: unknown field; allowed here: name, labels, replicas, placement, ports/);
  });

  it('reports every problem at once', () => {
    const text = base.replace('duration: 10s', 'duration: 10 parsecs').replace('rate: 10', 'rate: fast');
    expect(problems(text)).toHaveLength(2);
  });

  it('accepts kubectl get svc -o yaml output unchanged', () => {
    const text = base.replace(
      `    metadata: {name: web}
    spec:
      type: NodePort`,
      `    metadata:
      name: web
      namespace: shop
      uid: 4c1b2f3e-0000-4000-8000-000000000000
      resourceVersion: "12345"
      creationTimestamp: "2026-01-01T00:00:00Z"
      annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}
    status: {loadBalancer: {}}
    spec:
      clusterIP: 10.96.12.34
      clusterIPs: [10.96.12.34]
      ipFamilies: [IPv4]
      ipFamilyPolicy: SingleStack
      sessionAffinity: None
      type: NodePort`,
    );
    expect(problems(text)).toEqual([]);
  });
});

describe('defaults and the resolved scenario', () => {
  it('fills defaults: labels, spread placement, nodePorts from the upper band, the LB with its preset', () => {
    const text = base.replace('type: NodePort', 'type: LoadBalancer').replace(', nodePort: 30080', '').replace('via: nodePort', 'via: loadBalancer');
    const s = parseScenarioText(text, 'web.yaml').scenario;
    expect(s.cluster.nodes).toEqual([{ name: 'n-0', zone: 'zone-a' }, { name: 'n-1', zone: 'zone-a' }]);
    expect(s.workloads[0].labels).toEqual({ app: 'web' });
    expect(s.workloads[0].placement).toEqual({ 'n-0': 1, 'n-1': 1 });
    expect(s.services[0].spec.ports[0].nodePort).toBe(30086);
    expect(s.loadBalancers).toEqual([
      { service: 'web', preset: 'generic', algorithm: 'flowHash', targets: 'nodes', latency: { dist: 'constant', value: 0.0005 }, healthCheck: { interval: 10, timeout: 6, healthyThreshold: 3, unhealthyThreshold: 3 }, failOpen: true, crossZone: true },
    ]);
    expect(s.cluster.controlPlane.nodeMonitorGracePeriod).toBe(50);
    expect(s.traffic[0].connectTimeout).toBe(127);
  });

  it('round-trips every bundled scenario through --resolved', () => {
    for (const f of readdirSync('scenarios').filter((x) => x.endsWith('.yaml'))) {
      const first = loadScenario(`scenarios/${f}`).scenario;
      const again = parseScenarioText(resolvedYaml(first), `scenarios/${f}`).scenario;
      expect(again, f).toEqual(first);
    }
  });

  it('spreads pods over zones first, then nodes, ties by node order', () => {
    const nodes = [
      { name: 'a0', zone: 'a' },
      { name: 'a1', zone: 'a' },
      { name: 'b0', zone: 'b' },
    ];
    expect(Object.fromEntries(spreadPlacement(nodes, new Map(), 5))).toEqual({ a0: 2, b0: 2, a1: 1 });
  });

  it('allocates nodePorts deterministically, dynamic band first', () => {
    const next = nodePortAllocator('30000-32767', new Set([30086]));
    expect([next(), next()]).toEqual([30087, 30088]);
  });
});

describe('sweeps and --set', () => {
  it('labels variants by the shortest unique path suffix, first parameter slowest', () => {
    expect(labelKeys(['workloads.web.replicas', 'traffic.users.arrival.rate', 'services.web.spec.externalTrafficPolicy'])).toEqual(['replicas', 'rate', 'externalTrafficPolicy']);
    expect(labelKeys(['workloads.a.replicas', 'workloads.b.replicas'])).toEqual(['a.replicas', 'b.replicas']);
    const text = `${base}sweep:\n  parameters:\n    - {path: workloads.web.replicas, values: [2, 4]}\n    - {path: traffic.users.arrival.rate, values: [10/s, 20/s]}\n`;
    const variants = expandVariants(parseScenarioText(text, 'web.yaml'));
    expect(variants.map((v) => v.label)).toEqual(['replicas=2;rate=10/s', 'replicas=2;rate=20/s', 'replicas=4;rate=10/s', 'replicas=4;rate=20/s']);
    expect(variants[3].scenario.workloads[0].replicas).toBe(4);
    const rate = variants[3].scenario.traffic[0].arrival;
    expect(rate.process === 'poisson' && rate.rate).toBe(20);
  });

  it('zip mode takes the i-th values together and needs equal lengths', () => {
    const zip = `${base}sweep:\n  mode: zip\n  parameters:\n    - {path: workloads.web.replicas, values: [2, 4]}\n    - {path: traffic.users.arrival.rate, values: [10, 20]}\n`;
    expect(expandVariants(parseScenarioText(zip, 'web.yaml')).map((v) => v.label)).toEqual(['replicas=2;rate=10', 'replicas=4;rate=20']);
    expect(problems(zip.replace('values: [10, 20]', 'values: [10]'))[0]).toContain('zip mode takes the i-th values together');
  });

  it('--set overrides a field (units apply) and names the first segment that does not exist', () => {
    expect(parseScenarioText(base, 'web.yaml', { set: ['workloads.web.concurrency=12', 'simulation.duration=2m'] }).scenario.simulation.duration).toBe(120);
    expect(problems(base, ['workloads.wbe.replicas=3'])).toEqual(['(command line):1:1: --set workloads.wbe.replicas=3: workloads has no element named "wbe" (have: web)']);
    expect(problems(base, ['workloads.web.replicas=-1'])[0]).toMatch(/^web\.yaml:\d+:\d+: workloads\.web\.replicas: /);
  });
});

describe('the JSON Schema for editors', () => {
  it('describes the top-level fields', () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'simulation', 'cluster', 'workloads', 'services', 'traffic', 'failures', 'sweep']));
    expect(schema.required).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata', 'simulation', 'cluster', 'workloads', 'services', 'traffic']));
  });
});

describe('the loader never throws anything but a ScenarioError', () => {
  const onlyScenarioErrors = (text: string) => {
    try {
      parseScenarioText(text, 'fuzz.yaml');
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
    }
  };

  it('on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), onlyScenarioErrors), { numRuns: 300, seed: 7 });
  });

  it('on mutations of a valid scenario', () => {
    const doc = parse(base) as Record<string, unknown>;
    const value = fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }));
    const paths = [['simulation', 'duration'], ['cluster', 'nodes'], ['workloads', 0, 'replicas'], ['workloads', 0, 'serviceTime'], ['services', 0, 'spec'], ['services', 0, 'spec', 'ports', 0, 'targetPort'], ['traffic', 0, 'to'], ['traffic', 0, 'arrival'], ['metadata'], ['failures'], ['sweep']];
    fc.assert(
      fc.property(fc.constantFrom(...paths), value, (path, v) => {
        const copy = structuredClone(doc);
        let cur = copy as Record<string | number, unknown>;
        for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
        cur[path[path.length - 1]] = v;
        onlyScenarioErrors(stringify(copy));
      }),
      { numRuns: 400, seed: 11 },
    );
  });
});

describe('the validate and schema commands', () => {
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
    try {
      return { code: await main(args), out, err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it('validate prints every problem with file:line:column and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcsim-validate-'));
    const file = join(dir, 'web.yaml');
    writeFileSync(file, base.replace('via: nodePort', 'via: clusterIP'));
    const r = await run(['validate', file, 'scenarios/default.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:19:39: traffic.users.to.via: a ClusterIP Service is only reachable from inside the cluster`);
    expect(r.out).toContain('scenarios/default.yaml: ok (1 variant, 0 warnings)');
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    rmSync(dir, { recursive: true, force: true });
  });

  it('validate --resolved prints YAML that validates to the same scenario', async () => {
    const r = await run(['validate', 'scenarios/nodeport.yaml', '--resolved']);
    expect(r.code).toBe(0);
    expect(parseScenarioText(r.out, 'again.yaml').scenario).toEqual(loadScenario('scenarios/nodeport.yaml').scenario);
  });

  it('the committed svcsim.schema.json is what svcsim schema prints', async () => {
    const r = await run(['schema']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(readFileSync('svcsim.schema.json', 'utf8'));
  });
});
