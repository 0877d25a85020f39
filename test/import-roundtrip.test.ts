/**
 * `svcsim import`: the committed `kubectl get nodes,deployments,services,hpa
 * -A -o yaml` List of examples/ (3 nodes in 2 zones, 2 Deployments, one
 * Service of each type, one HPA) becomes a scenario that validates as written,
 * checked field by field; every guessed value is a placeholder that validate
 * warns about until it is replaced; other kinds are skipped with a note; a
 * malformed file is exit code 2 with its position; namespaces and selectors
 * limit what is imported.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/scenario/load.js';
import { allowedKeys } from '../src/scenario/shape.js';
import { workloadSchema } from '../src/scenario/schema.js';
import { scratch, svcsim } from './helpers/cli.js';

const { dir, file } = scratch('svcsim-import-');
const CLUSTER = join(import.meta.dirname, '..', 'examples', 'cluster.yaml');

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- the imported file is read as plain YAML and checked field by field, as a user would read it */
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a parsed YAML document, checked field by field below

describe('svcsim import of the example cluster', async () => {
  const out = join(dir, 'shop.yaml');
  const result = await svcsim('import', CLUSTER, '--out', out);
  const text = readFileSync(out, 'utf8');
  const s = parse(text) as Obj;

  it('exits 0 and writes a scenario that validates as written', () => {
    expect(result.code).toBe(0);
    expect(s.metadata.name).toBe('shop');
    expect(() => loadScenario(out)).not.toThrow();
  });

  it('nodes keep their zones and maxPods from status.allocatable.pods, named as DNS labels', () => {
    expect(s.cluster.nodes).toEqual([
      { name: 'ip-10-0-1-23-eu-west-1-compute-internal', zone: 'eu-west-1a', maxPods: 58 },
      { name: 'ip-10-0-1-87-eu-west-1-compute-internal', zone: 'eu-west-1a', maxPods: 58 },
      { name: 'ip-10-0-2-41-eu-west-1-compute-internal', zone: 'eu-west-1b', maxPods: 110 },
    ]);
  });

  it("Deployments become workloads with replicas, the pod template's labels, TCP container ports, and startupTime from the readiness probe", () => {
    const [web, cart] = s.workloads as Obj[];
    expect(web.name).toBe('web');
    expect(web.replicas).toBe(3);
    expect(web.labels).toEqual({ 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'shop' });
    expect(web.ports).toEqual([
      { name: 'http', containerPort: 8080 },
      { name: 'metrics', containerPort: 9102 },
    ]);
    // initialDelaySeconds 10, then successThreshold 2 probes 5 s apart: ready at 15 s.
    expect(web.startupTime).toBe('15s');
    expect(cart).toMatchObject({ name: 'cart', replicas: 2, labels: { 'app.kubernetes.io/name': 'cart' }, ports: [{ name: 'grpc', containerPort: 9090 }] });
  });

  it('Services are kept as they are (one of each type), without status and kubectl bookkeeping', () => {
    const services = s.services as Obj[];
    expect(services.map((x) => [x.metadata.name, x.spec.type])).toEqual([
      ['web', 'LoadBalancer'],
      ['web-direct', 'NodePort'],
      ['cart', 'ClusterIP'],
    ]);
    const [web, direct, cart] = services;
    expect(web.status).toBeUndefined();
    expect(web.metadata).toEqual({
      name: 'web',
      namespace: 'shop',
      labels: { 'app.kubernetes.io/name': 'web' },
      annotations: {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      },
    });
    expect(web.spec).toMatchObject({ externalTrafficPolicy: 'Local', healthCheckNodePort: 32417, selector: { 'app.kubernetes.io/name': 'web' }, ports: [{ name: 'http', nodePort: 31380, port: 80, protocol: 'TCP', targetPort: 'http' }] });
    expect(direct.spec.ports).toEqual([{ name: 'http', nodePort: 30080, port: 8080, protocol: 'TCP', targetPort: 8080 }]);
    expect(cart.spec).toMatchObject({ trafficDistribution: 'PreferClose', ports: [{ name: 'grpc', port: 9090, protocol: 'TCP', targetPort: 'grpc' }] });
  });

  it("the LoadBalancer Service gets the aws-nlb preset from its annotations, and the choice is noted on stderr", () => {
    expect(s.loadBalancers).toEqual([{ service: 'web', preset: 'aws-nlb' }]);
    expect(result.stderr).toMatch(/examples\/cluster\.yaml:\d+:3: note: load balancer of Service web: preset aws-nlb, from annotation service\.beta\.kubernetes\.io\/aws-load-balancer-type/);
  });

  it('the HPA becomes the autoscaling of its workload: its spec without scaleTargetRef', () => {
    const expected = { behavior: { scaleDown: { stabilizationWindowSeconds: 300 } }, maxReplicas: 12, metrics: [{ resource: { name: 'cpu', target: { averageUtilization: 60, type: 'Utilization' } }, type: 'Resource' }], minReplicas: 3 };
    const web = (s.workloads as Obj[])[0];
    if ((allowedKeys(workloadSchema) ?? []).includes('autoscaling')) {
      expect(web.autoscaling).toEqual(expected);
    } else {
      // Until the schema has workloads[].autoscaling, the same object is written as a comment under the workload.
      const comment = String((parseDocument(text).getIn(['workloads', 0], true) as { comment?: string }).comment);
      const body = comment.split('\n').slice(1).map((l) => l.slice(1)).join('\n');
      expect(parse(body)).toEqual({ autoscaling: expected });
    }
  });

  it('what a cluster cannot tell is a marked placeholder: a comment above it, listed on stderr, and in the annotation', () => {
    const guessed = ['workloads.web.concurrency', 'workloads.web.serviceTime', 'workloads.cart.concurrency', 'workloads.cart.serviceTime', 'workloads.cart.startupTime', 'traffic.web-clients.arrival.rate', 'traffic.web-clients.latency', 'traffic.cart-clients.from', 'cluster.latency.crossZone', 'simulation.duration'];
    const annotation = String(s.metadata.annotations['svcsim/placeholders']);
    for (const path of guessed) {
      expect(annotation).toContain(`${path} = `);
      expect(result.stderr).toContain(`  ${path} = `);
    }
    expect(text).toMatch(/# PLACEHOLDER: measure it: e\.g\. \{dist: histogram, file: latency\.txt\}.*\n\s+serviceTime: \{dist: exponential, mean: 10ms\}/);
    expect(result.stderr).toMatch(/17 placeholders to replace in .*shop\.yaml/);
    // Traffic: one entry per Service, by the way its type is reached.
    expect((s.traffic as Obj[]).map((t) => [t.name, t.to.via])).toEqual([
      ['web-clients', 'loadBalancer'],
      ['web-direct-clients', 'nodePort'],
      ['cart-clients', 'clusterIP'],
    ]);
  });

  it('validate warns about every placeholder at its line until the value is replaced', async () => {
    const before = await svcsim('validate', out);
    expect(before.code).toBe(0);
    const lines = before.stderr.split('\n').filter((l) => l.includes('warning: placeholder:'));
    expect(lines).toHaveLength(17);
    const line = text.split('\n').findIndex((l) => l.includes('serviceTime: {dist: exponential')) + 1;
    expect(lines).toContain(`${out}:${line}:18: workloads.web.serviceTime: warning: placeholder: svcsim import guessed this value (a cluster does not tell it); replace it with a measured one (see the # PLACEHOLDER comment)`);
    // Replace web's service time (the first one in the file): its warning goes, the others stay.
    const replaced = file('shop-measured.yaml', text.replace('serviceTime: {dist: exponential, mean: 10ms}', 'serviceTime: {dist: lognormal, median: 12ms, p99: 80ms}'));
    const after = await svcsim('validate', replaced);
    const left = after.stderr.split('\n').filter((l) => l.includes('warning: placeholder:'));
    expect(left).toHaveLength(16);
    expect(left.some((l) => l.includes('workloads.web.serviceTime'))).toBe(false);
    expect(left.some((l) => l.includes('workloads.cart.serviceTime'))).toBe(true);
  });
});

describe('svcsim import: inputs, filters and refusals', () => {
  const manifests = {
    'app/deploy.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: prod, labels: {tier: backend}}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: staging, labels: {tier: backend}}
spec:
  replicas: 1
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: prod}
spec: {}
`,
    'app/svc.yaml': `apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: prod
  labels: {tier: backend}
  annotations: {cloud.google.com/l4-rbs: enabled}
spec:
  type: LoadBalancer
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}, {name: dns, port: 53, protocol: UDP}]
---
apiVersion: v1
kind: Service
metadata: {name: kubernetes, namespace: default}
spec: {ports: [{name: https, port: 443, targetPort: 6443}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: prod}
data: {a: b}
`,
    'app/hpa.yml': `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: prod}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70}
`,
    'app/README.md': 'not a manifest',
  };
  for (const [name, text] of Object.entries(manifests)) file(name, text);

  it('reads a folder of manifests; other kinds are skipped with a note at their place; a Service without selector is skipped with why', async () => {
    const { code, stdout: out, stderr: err } = await svcsim('import', join(dir, 'app'), '--name', 'api');
    expect(code).toBe(0);
    expect(err).toMatch(/app\/deploy\.yaml:18:1: note: skipped StatefulSet db: svcsim imports Node, Deployment, Service, HorizontalPodAutoscaler/);
    expect(err).toMatch(/app\/svc\.yaml:18:1: note: skipped ConfigMap settings/);
    expect(err).toMatch(/note: skipped Service kubernetes: no selector/);
    expect(err).toMatch(/note: Service api: UDP and SCTP ports left out/);
    const s = parse(out) as Obj;
    // The same name in two namespaces: the second is named with its namespace.
    expect((s.workloads as Obj[]).map((w) => w.name)).toEqual(['api', 'staging-api']);
    // No Node objects: a placeholder pool.
    expect(s.cluster.nodes).toEqual([{ name: 'node', count: 3, zone: 'zone-a' }]);
    expect(s.loadBalancers).toEqual([{ service: 'api', preset: 'gke' }]);
    expect(s.services[0].spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
  });

  it('--namespace keeps one namespace; --selector keeps the Deployments and Services whose labels match', async () => {
    const prod = parse((await svcsim('import', join(dir, 'app'), '--name', 'api', '--namespace', 'prod')).stdout) as Obj;
    expect((prod.workloads as Obj[]).map((w) => w.name)).toEqual(['api']);
    const autoscaling = { minReplicas: 2, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] };
    if ((allowedKeys(workloadSchema) ?? []).includes('autoscaling')) expect(prod.workloads[0].autoscaling).toEqual(autoscaling);
    const none = await svcsim('import', join(dir, 'app'), '--name', 'api', '--namespace', 'prod', '--selector', 'tier!=backend');
    expect(none.stderr).toMatch(/skipped Deployment api: its labels do not match the selector tier!=backend/);
    expect(none.code).toBe(2); // nothing left to simulate: the scenario would not validate
  });

  it('a malformed file is exit code 2 with file:line:column, and so is an item that is not an object', async () => {
    const broken = await svcsim('import', file('broken.yaml', 'kind: List\nitems:\n  - {apiVersion: v1, kind: Node\n'));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.yaml:4:1: YAML: /);
    const notObject = await svcsim('import', file('scalar.yaml', 'apiVersion: v1\nkind: List\nitems:\n  - just a string\n'));
    expect(notObject.code).toBe(2);
    expect(notObject.stderr).toBe(`${join(dir, 'scalar.yaml')}:4:5: expected a Kubernetes object (a mapping with apiVersion, kind and metadata)\n`);
    const missing = await svcsim('import', join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml: cannot read: no such file or folder/);
  });
});

describe('the worked example of docs/import.md', () => {
  it('examples/shop.yaml (the import with measured service times, concurrency and web traffic) validates; only the values still guessed are warned about', async () => {
    const { code, stderr: err } = await svcsim('validate', join(import.meta.dirname, '..', 'examples', 'shop.yaml'));
    expect(code).toBe(0);
    const warned = err.split('\n').filter((l) => l.includes('warning: placeholder:')).map((l) => l.split(': ')[1]);
    expect(warned).toHaveLength(11);
    for (const measured of ['workloads.web.serviceTime', 'workloads.cart.serviceTime', 'workloads.web.concurrency', 'workloads.cart.concurrency', 'traffic.web-clients.arrival.rate', 'simulation.duration']) expect(warned).not.toContain(measured);
    expect(warned).toContain('cluster.latency.crossZone');
    const loaded = loadScenario(join(import.meta.dirname, '..', 'examples', 'shop.yaml'));
    const arrival = loaded.scenario.traffic[0].arrival;
    expect(arrival.process === 'schedule' ? arrival.steps?.length : 0).toBe(31);
  });
});
