/**
 * Service call graphs (`calls` and `client` on workloads): defaults, the
 * engine's resolved form, and the rules: every call names a Service and one
 * of its ports, and the graph workload → Service → selected workloads has
 * no loop (named, at the call that closes it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { svcsim } from './helpers/cli.js';
import { callSteps, calledServices } from '../src/scenario/calls.js';
import { formatProblem, formatWarning, ScenarioError } from '../src/scenario/errors.js';
import { parseScenarioText } from '../src/scenario/load.js';
import { resolvedYaml } from '../src/scenario/print.js';
import { expandVariants } from '../src/scenario/sweep.js';

// Line numbers, for reading the expectations: 9 frontend · 14 its calls · 20 cart · 25 catalog · 30 services
const shop = (frontendCalls: string, cartCalls = '[]', catalogCalls = '[]') => `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: shop}
simulation: {duration: 1m}
cluster:
  nodes:
    - {name: a, zone: za, count: 2}
workloads:
  - name: frontend
    replicas: 2
    ports: [8080]
    serviceTime: 1ms
    client: {timeout: 300ms, retries: 1, retryBackoff: 10ms}
    calls: ${frontendCalls}
  - name: cart
    replicas: 2
    ports: [8080]
    serviceTime: 1ms
    calls: ${cartCalls}
  - name: catalog
    replicas: 2
    ports: [8080]
    serviceTime: 1ms
    calls: ${catalogCalls}
services:
  - {metadata: {name: web}, spec: {type: LoadBalancer, selector: {app: frontend}, ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]}}
  - {metadata: {name: cart}, spec: {selector: {app: cart}, ports: [{name: http, port: 80, targetPort: 8080}, {name: admin, port: 9090, targetPort: 8080}]}}
  - {metadata: {name: catalog}, spec: {selector: {app: catalog}, ports: [{port: 80, targetPort: 8080}]}}
traffic:
  - {name: users, to: {service: web, port: 80, via: loadBalancer}, arrival: {process: poisson, rate: 10}}
`;

function problems(text: string): string[] {
  try {
    expandVariants(parseScenarioText(text, 'shop.yaml'));
    return [];
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.problems.map(formatProblem);
  }
}

const load = (text: string) => parseScenarioText(text, 'shop.yaml').scenario;

describe('calls and client: defaults and the resolved form', () => {
  const text = shop('[{service: cart, port: http}, {parallel: [{service: catalog, port: 80, count: 3}, {service: cart, port: 9090, probability: 0.2, required: false}]}]');

  it('fills count 1, probability 1, required true, and the client defaults; a workload without calls has none', () => {
    const s = load(text);
    expect(s.workloads[0].calls).toEqual([
      { service: 'cart', port: 'http', count: 1, probability: 1, required: true },
      {
        parallel: [
          { service: 'catalog', port: 80, count: 3, probability: 1, required: true },
          { service: 'cart', port: 9090, count: 1, probability: 0.2, required: false },
        ],
      },
    ]);
    expect(s.workloads[0].client).toEqual({ timeout: 0.3, retries: 1, retryBackoff: { dist: 'constant', value: 0.01 }, connectTimeout: 127, connections: 'perRequest' });
    expect(s.workloads[1].client).toEqual({ retries: 0, retryBackoff: { dist: 'constant', value: 0 }, connectTimeout: 127, connections: 'perRequest' });
    expect(load(shop('[]').replace('    calls: []\n', '')).workloads[0].calls).toEqual([]);
  });

  it('connections: perRequest, or pooled with a size (1 unless given)', () => {
    const pooled = (c: string) => load(shop('[]').replace('retryBackoff: 10ms}', `retryBackoff: 10ms, connections: ${c}}`)).workloads[0].client.connections;
    expect(pooled('{pooled: {size: 4}}')).toEqual({ pooled: { size: 4 } });
    expect(pooled('{pooled: {}}')).toEqual({ pooled: { size: 1 } });
    expect(pooled('perRequest')).toBe('perRequest');
  });

  it('gives the engine every step as a list of calls, Services and ports resolved to indices and numbers', () => {
    const s = load(text);
    expect(callSteps(s, s.workloads[0])).toEqual([
      [{ service: 'cart', serviceIndex: 1, portIndex: 0, port: 80, count: 1, probability: 1, required: true }],
      [
        { service: 'catalog', serviceIndex: 2, portIndex: 0, port: 80, count: 3, probability: 1, required: true },
        { service: 'cart', serviceIndex: 1, portIndex: 1, port: 9090, count: 1, probability: 0.2, required: false },
      ],
    ]);
    expect(callSteps(s, s.workloads[2])).toEqual([]);
    expect([...calledServices(s)]).toEqual(['cart', 'catalog']);
  });

  it('validate --resolved prints them with every default and loads back the same', () => {
    const loaded = parseScenarioText(text, 'shop.yaml');
    const printed = resolvedYaml(loaded);
    expect((parse(printed) as { workloads: { client: unknown }[] }).workloads[1].client).toEqual({ retries: 0, retryBackoff: '0s', connectTimeout: '2m7s', connections: 'perRequest' });
    expect(parseScenarioText(printed, 'shop.yaml').scenario).toEqual(loaded.scenario);
  });
});

describe('calls: what Kubernetes needs', () => {
  it('a call names a Service of the scenario', () => {
    expect(problems(shop('[{service: carts, port: 80}]'))).toEqual(["shop.yaml:14:23: workloads.frontend.calls.carts.service: no Service named carts (have: web, cart, catalog); a call goes to a Service's clusterIP"]);
  });

  it('a call names a port the Service defines, by number or name; a nodePort is not one', () => {
    expect(problems(shop('[{service: cart, port: 8080}, {parallel: [{service: cart, port: https}]}]', '[]', '[{service: web, port: 30080}]'))).toEqual([
      'shop.yaml:14:35: workloads.frontend.calls.cart.port: Service cart has no port 8080 (ports: http=80, admin=9090); a call dials clusterIP:port',
      'shop.yaml:14:76: workloads.frontend.calls.1.parallel.cart.port: Service cart has no port named https (ports: http=80, admin=9090); a call dials clusterIP:port',
      'shop.yaml:24:34: workloads.catalog.calls.web.port: 30080 is a nodePort of Service web, not one of its ports: there is no clusterIP:nodePort; use port: http; a call dials clusterIP:port',
    ]);
  });

  it('count, probability and parallel are checked by the schema', () => {
    expect(problems(shop('[{service: cart, port: 80, count: 0, probability: 1.5}, {parallel: []}, {service: cart, port: 80, requird: false}]'))).toEqual([
      'shop.yaml:14:46: workloads.frontend.calls.cart.count: must be ≥ 1, not 0',
      'shop.yaml:14:62: workloads.frontend.calls.cart.probability: must be ≤ 1, not 1.5',
      'shop.yaml:14:79: workloads.frontend.calls.1.parallel: needs at least 1 entry',
      'shop.yaml:14:110: workloads.frontend.calls.cart.requird: unknown field (did you mean required?); allowed here: service, port, count, probability, required, parallel',
    ]);
  });

  it('a loop in the call graph is an error at the call that closes it, naming the loop', () => {
    expect(problems(shop('[{service: cart, port: 80}]', '[{service: catalog, port: 80}]', '[{service: web, port: 80}]'))).toEqual([
      'shop.yaml:24:23: workloads.catalog.calls.web.service: closes a loop in the call graph: frontend → cart → catalog → frontend (frontend calls Service cart, which selects cart; cart calls Service catalog, which selects catalog; catalog calls Service web, which selects frontend); a request would call itself again without end, each caller holding its slot while it waits, so svcsim takes call graphs without loops',
    ]);
  });

  it('names the loop by its workloads alone where each Service is named after its workload; a workload calling itself is a loop', () => {
    expect(problems(shop('[]', '[{service: catalog, port: 80}]', '[{parallel: [{service: catalog, port: 80}]}]'))).toEqual([
      'shop.yaml:24:35: workloads.catalog.calls.0.parallel.catalog.service: closes a loop in the call graph: catalog → catalog; a request would call itself again without end, each caller holding its slot while it waits, so svcsim takes call graphs without loops',
    ]);
  });

  it('calls that meet again without a loop (a diamond) are fine', () => {
    expect(problems(shop('[{service: cart, port: 80}, {service: catalog, port: 80}]', '[{service: catalog, port: 80}]'))).toEqual([]);
  });

  it('a Service that selects several workloads leads to each of them', () => {
    const text = shop('[{service: cart, port: 80}]', '[]', '[{service: web, port: 80}]').replace('{selector: {app: cart}', '{selector: {tier: back}').replace(/ {2}- name: (cart|catalog)\n/g, '  - name: $1\n    labels: {app: $1, tier: back}\n');
    expect(problems(text)).toEqual([expect.stringMatching(/^shop\.yaml:26:23: workloads\.catalog\.calls\.web\.service: closes a loop in the call graph: frontend → catalog → frontend \(frontend calls Service cart, which selects catalog; catalog calls Service web, which selects frontend\)/)]);
  });

  it('an SLO in scope service:<name> needs a Service that pods call', () => {
    const withSlo = (calls: string) => `${shop(calls)}slos:\n  - {expr: latency_p99_ms < 50, scope: "service:cart"}\n`;
    expect(problems(withSlo('[{service: cart, port: 80}]'))).toEqual([]);
    expect(problems(withSlo('[{service: catalog, port: 80}]'))).toEqual([
      'shop.yaml:32:40: slos.0.scope: no workload calls Service cart: summary.csv has a service:<name> scope for each Service that pods call (workloads[].calls) (called: catalog); traffic to it from outside is in its traffic:<name> scope',
    ]);
  });
});

describe('calls: warnings', () => {
  it('warns when a called Service with internalTrafficPolicy: Local has no endpoint on a node where the caller runs', () => {
    const text = shop('[{service: cart, port: 80}]').replace('{selector: {app: cart}', '{internalTrafficPolicy: Local, selector: {app: cart}').replace(/ {2}- name: cart\n {4}replicas: 2/, '  - name: cart\n    replicas: 1');
    expect(parseScenarioText(text, 'shop.yaml').warnings.map(formatWarning)).toEqual([
      'shop.yaml:14:23: workloads.frontend.calls.cart.service: warning: Service cart has internalTrafficPolicy: Local and no endpoint on a-1, where frontend runs pods: kube-proxy there drops these calls (they fail as failed_timeout)',
    ]);
    expect(parseScenarioText(text.replace('replicas: 1', 'replicas: 2'), 'shop.yaml').warnings).toEqual([]);
  });
});

describe('svcsim validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svcsim-calls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function validate(text: string): Promise<{ code: number; err: string }> {
    const path = join(dir, 'shop.yaml');
    writeFileSync(path, text);
    const { code, stderr } = await svcsim('validate', path);
    return { code, err: stderr };
  }

  it('exits 2 with the loop named at file:line:column, and with each unknown Service or port, never a stack trace', async () => {
    const loop = await validate(shop('[{service: cart, port: 80}]', '[{service: catalog, port: 80}]', '[{service: web, port: 80}]'));
    expect(loop.code).toBe(2);
    expect(loop.err).toMatch(/shop\.yaml:24:23: workloads\.catalog\.calls\.web\.service: closes a loop in the call graph: frontend → cart → catalog → frontend/);
    const unknown = await validate(shop('[{service: carts, port: 80}, {service: cart, port: 8080}]'));
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/shop\.yaml:14:23: workloads\.frontend\.calls\.carts\.service: no Service named carts/);
    expect(unknown.err).toMatch(/shop\.yaml:14:\d+: workloads\.frontend\.calls\.cart\.port: Service cart has no port 8080/);
    for (const err of [loop.err, unknown.err]) expect(err).not.toMatch(/\n\s+at /);
  });
});
