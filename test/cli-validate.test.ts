/**
 * `svcsim validate` and `svcsim schema` through the real command line entry
 * (`main` of src/cli/main.ts): exit codes, what goes to stdout and to stderr,
 * the --resolved round trip, and the JSON Schema for editors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/scenario/load.js';
import { expandVariants } from '../src/scenario/sweep.js';
import { scratch, svcsim } from './helpers/cli.js';

const { file } = scratch('svcsim-validate-');

const web = `apiVersion: svcsim/v1
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
      type: ClusterIP
      selector: {app: web}
      ports: [{name: http, port: 80, targetPort: http}]
traffic:
  - name: users
    to: {service: web, port: 80, via: clusterIP}
    arrival: {process: poisson, rate: 10}
`;

describe('svcsim validate', () => {
  it('prints every problem of a bad file on stderr as file:line:column: path: message and exits 2', async () => {
    const bad = file('bad.yaml', web.replace('replicas: 2', 'replicas: two').replace('rate: 10', 'rate: 10/day'));
    const r = await svcsim('validate', bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `${bad}:8:27: workloads.web.replicas: must be a number, not "two"\n` +
        `${bad}:20:39: traffic.users.arrival.rate: "10/day" is not a Rate; use a number per unit of time: 2000/s, 90/m, 3600/h (a bare number is per second)\n`,
    );
  });

  it('reports the rules once the file passes the schema', async () => {
    const bad = file('rules.yaml', web);
    const r = await svcsim('validate', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${bad}:19:39: traffic.users.to.via: a ClusterIP Service is only reachable from inside the cluster; use from: {zone: ...} or a NodePort/LoadBalancer Service\n`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('checks every file: a good one is ok on stdout, a bad one makes the exit code 2', async () => {
    const good = file('good.yaml', web.replace('arrival:', 'from: {zone: zone-a}\n    arrival:'));
    const r = await svcsim('validate', good, 'scenarios/etp-local-vs-cluster.yaml', 'missing.yaml');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(`${good}: ok (1 variant, 0 warnings)\nscenarios/etp-local-vs-cluster.yaml: ok (2 variants, 0 warnings)\n`);
    expect(r.stderr).toBe('missing.yaml: cannot read: no such file\n');
  });

  it('prints warnings on stderr and still exits 0', async () => {
    const warned = file('warned.yaml', web.replace('nodes:', 'ipvsScheduler: lc\n  nodes:').replace('arrival:', 'from: {zone: zone-a}\n    arrival:'));
    const r = await svcsim('validate', warned);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${warned}: ok (1 variant, 1 warning)\n`);
    expect(r.stderr).toBe(`${warned}:6:18: cluster.ipvsScheduler: warning: only used with proxyMode: ipvs; in iptables mode kube-proxy picks endpoints uniformly at random\n`);
  });

  it('--set applies to the file, and a path that does not exist is bad input', async () => {
    expect((await svcsim('validate', 'scenarios/default.yaml', '--set', 'workloads.web.replicas=12')).code).toBe(0);
    const r = await svcsim('validate', 'scenarios/default.yaml', '--set', 'workloads.wbe.replicas=3');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('scenarios/default.yaml:36:3: --set workloads.wbe.replicas=3: no workload named "wbe" (have: web)\n');
  });

  it('every bundled scenario validates', async () => {
    const r = await svcsim(
      'validate',
      'scenarios/default.yaml',
      'scenarios/clusterip-internal.yaml',
      'scenarios/nodeport.yaml',
      'scenarios/loadbalancer.yaml',
      'scenarios/etp-local-vs-cluster.yaml',
      'scenarios/node-failure.yaml',
      'scenarios/example-web.yaml',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(7);
  });
});

describe('svcsim validate --resolved', () => {
  it('prints YAML that validates again to the same scenario and the same variants', async () => {
    for (const f of ['scenarios/default.yaml', 'scenarios/example-web.yaml']) {
      const r = await svcsim('validate', f, '--resolved');
      expect(r.code).toBe(0);
      const again = file('again.yaml', r.stdout);
      expect((await svcsim('validate', again)).code).toBe(0);
      const original = loadScenario(f);
      const loaded = loadScenario(again);
      expect(loaded.scenario).toEqual(original.scenario);
      expect(expandVariants(loaded).map((v) => [v.label, v.scenario])).toEqual(expandVariants(original).map((v) => [v.label, v.scenario]));
    }
  });

  it('fills the defaults the file left out', async () => {
    const r = await svcsim('validate', 'scenarios/nodeport.yaml', '--resolved');
    expect(r.stdout).toContain('    - {name: node-0, zone: zone-a, maxPods: 110}');
    expect(r.stdout).toContain('        - {protocol: TCP, port: 80, targetPort: 8080, nodePort: 30080}');
    expect(r.stdout).toContain('    labels: {app: shop}');
    expect(r.stdout).toContain('  nodeMonitorGracePeriod: 50s');
  });

  it('prints one YAML document per file', async () => {
    const r = await svcsim('validate', 'scenarios/default.yaml', 'scenarios/nodeport.yaml', '--resolved');
    expect(r.stdout.match(/^---$/gm)).toHaveLength(1);
  });
});

describe('svcsim schema', () => {
  it('prints the JSON Schema of the scenario format for editors', async () => {
    const r = await svcsim('schema');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { $schema: string; title: string; properties: Record<string, unknown>; required: string[]; $defs?: Record<string, unknown> };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toContain('svcsim');
    expect(Object.keys(schema.properties)).toEqual(['apiVersion', 'kind', 'metadata', 'simulation', 'cluster', 'workloads', 'services', 'loadBalancers', 'traffic', 'failures', 'sweep', 'slos']);
    expect(schema.required).toEqual(['apiVersion', 'kind', 'metadata', 'simulation', 'cluster', 'workloads', 'services', 'traffic']);
    expect(Object.keys(schema.$defs ?? {})).toEqual(expect.arrayContaining(['Duration', 'Rate', 'Distribution']));
    expect(r.stdout).toContain('"maxPods"');
    expect(r.stdout).toContain('"externalTrafficPolicy"');
  });

  it('matches the committed svcsim.schema.json that the bundled scenarios point editors at', async () => {
    const r = await svcsim('schema');
    expect(r.stdout).toBe(readFileSync('svcsim.schema.json', 'utf8'));
  });
});
