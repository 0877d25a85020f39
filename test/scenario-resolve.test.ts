/**
 * The resolved scenario: every default filled in, placement as explicit
 * maps, nodePorts allocated the way Kubernetes does, load balancer presets;
 * and `validate --resolved` output that loads back to the same scenario and
 * the same variants.
 */
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadScenario, parseScenarioText } from '../src/scenario/load.js';
import { resolvedYaml } from '../src/scenario/print.js';
import { defaultLoadBalancer } from '../src/scenario/schema.js';
import { nodePortAllocator, packedPlacement, resolveScenario, spreadPlacement } from '../src/scenario/resolve.js';
import { expandVariants } from '../src/scenario/sweep.js';

const minimal = `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: t}
simulation: {duration: 10s}
cluster:
  nodes: [{name: n, count: 2}, {name: m, zone: zone-b}]
workloads:
  - {name: web, replicas: 3, ports: [8080], serviceTime: 1ms}
services:
  - apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80}]}
traffic:
  - {name: users, to: {service: web, port: 80, via: loadBalancer}, arrival: {process: poisson, rate: 10}}
`;
const web = minimal.replace('ports: [8080]', 'ports: [80]');

function resolved(text: string) {
  return parseScenarioText(text, 'web.yaml').scenario;
}

describe('defaults', () => {
  it('fills the simulation, cluster, workload, Service and traffic defaults of the format', () => {
    const s = resolved(web);
    expect(s.simulation).toEqual({ duration: 10, warmup: 0, replications: 10, seed: 1, timeBucket: 1, maxInFlight: 1_000_000, drainLimit: 60 });
    expect(s.cluster.proxyMode).toBe('iptables');
    expect(s.cluster.ipvsScheduler).toBe('rr');
    expect(s.cluster.serviceNodePortRange).toBe('30000-32767');
    expect(s.cluster.latency).toEqual({
      sameNode: { dist: 'constant', value: 0.05e-3 },
      sameZone: { dist: 'constant', value: 0.15e-3 },
      crossZone: { dist: 'constant', value: 0.8e-3 },
      proxy: { dist: 'constant', value: 0.02e-3 },
    });
    expect(s.cluster.controlPlane).toEqual({
      nodeMonitorGracePeriod: 50,
      nodeMonitorPeriod: 5,
      nodeLeaseInterval: 10,
      endpointPropagation: { dist: 'constant', value: 1 },
      proxyMinSyncPeriod: 1,
      podEvictionTimeout: 300,
      metricsResolution: 15,
    });
    const w = s.workloads[0];
    expect([w.concurrency, w.queueCapacity, w.startupTime, w.terminationGracePeriod]).toEqual([1, undefined, 5, 30]);
    const t = s.traffic[0];
    expect([t.from, t.entryNode, t.latency, t.clients, t.requestsPerConnection, t.handshake, t.timeout, t.connectTimeout, t.retries, t.retryBackoff]).toEqual([
      'external',
      'random',
      { dist: 'constant', value: 0 },
      1000,
      1,
      true,
      undefined,
      127,
      0,
      { dist: 'constant', value: 0 },
    ]);
    expect(s.services[0].spec).toMatchObject({ externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', sessionAffinity: 'None', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } });
  });

  it('expands node counts, gives workloads {app: name} labels and an explicit placement', () => {
    const s = resolved(web);
    expect(s.cluster.nodes).toEqual([
      { name: 'n-0', zone: 'zone-a', maxPods: 110 },
      { name: 'n-1', zone: 'zone-a', maxPods: 110 },
      { name: 'm', zone: 'zone-b', maxPods: 110 },
    ]);
    expect(s.workloads[0].labels).toEqual({ app: 'web' });
    expect(s.workloads[0].placement).toEqual({ 'n-0': 1, 'n-1': 1, m: 1 });
  });

  it('fills targetPort from port, a nodePort from the dynamic band, and the load balancer from its preset', () => {
    const s = resolved(web);
    expect(s.services[0].spec.ports).toEqual([{ protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30086 }]);
    expect(s.services[0].spec.healthCheckNodePort).toBeUndefined();
    expect(s.loadBalancers).toEqual([
      {
        service: 'web',
        preset: 'generic',
        algorithm: 'flowHash',
        targets: 'nodes',
        latency: { dist: 'constant', value: 0.0005 },
        healthCheck: { interval: 10, timeout: 6, healthyThreshold: 3, unhealthyThreshold: 3 },
        failOpen: true,
        crossZone: true,
      },
    ]);
  });

  it('allocates a healthCheckNodePort for LoadBalancer with externalTrafficPolicy: Local, after the Service’s ports', () => {
    const s = resolved(web.replace('spec: {type: LoadBalancer,', 'spec: {type: LoadBalancer, externalTrafficPolicy: Local,'));
    expect(s.services[0].spec.ports[0].nodePort).toBe(30086);
    expect(s.services[0].spec.healthCheckNodePort).toBe(30087);
  });

  it('a ClusterIP Service has no nodePort and no load balancer', () => {
    const s = resolved(web.replace('type: LoadBalancer, ', '').replace('via: loadBalancer}', 'via: clusterIP}, from: {zone: zone-a}'));
    expect(s.services[0].spec.ports[0].nodePort).toBeUndefined();
    expect(s.loadBalancers).toEqual([]);
  });

  it('resolving a resolved scenario changes nothing', () => {
    for (const f of bundled()) {
      const s = loadScenario(f).scenario;
      expect(resolveScenario(s, defaultLoadBalancer), f).toEqual(s);
    }
  });
});

describe('nodePort allocation, as in Kubernetes ≥ 1.29', () => {
  it('takes the dynamic band (30086–32767) first, lowest free port first, skipping ports in use', () => {
    const next = nodePortAllocator('30000-32767', new Set([30087]));
    expect([next(), next(), next()]).toEqual([30086, 30088, 30089]);
  });

  it('then the static band (the first min(max(16, size/32), 128) ports), then none', () => {
    const next = nodePortAllocator('30000-30099', new Set());
    const ports = Array.from({ length: 101 }, () => next());
    expect(ports.slice(0, 84)).toEqual(Array.from({ length: 84 }, (_, i) => 30016 + i));
    expect(ports.slice(84, 100)).toEqual(Array.from({ length: 16 }, (_, i) => 30000 + i));
    expect(ports[100]).toBeUndefined();
  });

  it('a range of fewer than 16 ports has no static band', () => {
    expect(nodePortAllocator('30000-30009', new Set())()).toBe(30000);
  });

  it('is deterministic: Services in order, each Service’s ports in order, user ports kept', () => {
    const two = web.replace(
      'traffic:',
      `  - apiVersion: v1
    kind: Service
    metadata: {name: api}
    spec: {type: NodePort, selector: {app: web}, ports: [{name: a, port: 80, nodePort: 30086}, {name: b, port: 81, targetPort: 80}]}
traffic:`,
    );
    const first = resolved(two).services.map((svc) => svc.spec.ports.map((p) => p.nodePort));
    expect(first).toEqual([[30087], [30086, 30088]]);
    expect(resolved(two).services.map((svc) => svc.spec.ports.map((p) => p.nodePort))).toEqual(first);
  });
});

describe('the spread rule', () => {
  const nodes = [
    { name: 'a0', zone: 'a' },
    { name: 'a1', zone: 'a' },
    { name: 'b0', zone: 'b' },
  ];

  it('puts each pod in the zone with the fewest, then on its node with the fewest, ties by node order', () => {
    // a0, b0 (zone b has fewer), a1 (zone tie → a; a1 has fewer than a0), b0, a0
    expect(spreadPlacement(nodes, new Map(), 5)).toEqual(new Map([['a0', 2], ['b0', 2], ['a1', 1]]));
  });

  it('balances zones, not nodes, when zones are uneven', () => {
    const uneven = [
      { name: 'a0', zone: 'a' },
      { name: 'a1', zone: 'a' },
      { name: 'a2', zone: 'a' },
      { name: 'b0', zone: 'b' },
    ];
    expect(Object.fromEntries(spreadPlacement(uneven, new Map(), 6))).toEqual({ a0: 1, a1: 1, a2: 1, b0: 3 });
  });

  it('orders zones by their first node in the list', () => {
    const interleaved = [
      { name: 'b0', zone: 'b' },
      { name: 'a0', zone: 'a' },
      { name: 'b1', zone: 'b' },
    ];
    expect(Object.fromEntries(spreadPlacement(interleaved, new Map(), 3))).toEqual({ b0: 1, a0: 1, b1: 1 });
  });

  it('adds to the pods already placed, which is how a replacement is rescheduled over the live nodes', () => {
    const existing = new Map([
      ['a0', 1],
      ['a1', 0],
      ['b0', 2],
    ]);
    // Zone a has 1, zone b 2: the new pod goes to zone a, on a1 (fewer than a0); every key of existing is kept.
    expect(spreadPlacement(nodes, existing, 1)).toEqual(new Map([['a0', 1], ['a1', 1], ['b0', 2]]));
  });

  it('skips nodes that are full', () => {
    const free = new Map([
      ['a0', 1],
      ['a1', 0],
      ['b0', 5],
    ]);
    expect(Object.fromEntries(spreadPlacement(nodes, new Map(), 4, free))).toEqual({ a0: 1, b0: 3 });
    expect(Object.fromEntries(spreadPlacement(nodes, new Map(), 9, free))).toEqual({ a0: 1, b0: 5 });
  });

  it('keeps zones within one pod of each other, and nodes of a zone too', () => {
    const arbitraryNodes = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 12 }).map((zones) => zones.map((zone, i) => ({ name: `n${i}`, zone })));
    fc.assert(
      fc.property(arbitraryNodes, fc.integer({ min: 0, max: 60 }), (ns, count) => {
        const placed = spreadPlacement(ns, new Map(), count);
        const total = [...placed.values()].reduce((a, b) => a + b, 0);
        const perZone = new Map<string, number[]>();
        for (const n of ns) perZone.set(n.zone, [...(perZone.get(n.zone) ?? []), placed.get(n.name) ?? 0]);
        const zoneTotals = [...perZone.values()].map((c) => c.reduce((a, b) => a + b, 0));
        const spreadOf = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
        return total === count && spreadOf(zoneTotals) <= 1 && [...perZone.values()].every((c) => spreadOf(c) <= 1);
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});

describe('packed placement and maxPods', () => {
  it('packed fills nodes in order, each up to the room it has', () => {
    expect(Object.fromEntries(packedPlacement([{ name: 'x' }, { name: 'y' }], 5))).toEqual({ x: 5 });
    expect(Object.fromEntries(packedPlacement([{ name: 'x' }, { name: 'y' }, { name: 'z' }], 5, new Map([['x', 2], ['y', 2], ['z', 2]])))).toEqual({ x: 2, y: 2, z: 1 });
  });

  it('packed puts a workload on the first node, up to its maxPods (110 by default, like the kubelet)', () => {
    expect(resolved(web.replace('replicas: 3,', 'replicas: 3, placement: packed,')).workloads[0].placement).toEqual({ 'n-0': 3 });
    expect(resolved(web.replace('{name: n, count: 2}', '{name: n, count: 2, maxPods: 2}').replace('replicas: 3,', 'replicas: 3, placement: packed,')).workloads[0].placement).toEqual({ 'n-0': 2, 'n-1': 1 });
  });

  it('explicit placements take their room first; spread workloads fill the rest', () => {
    const text = web
      .replace('{name: n, count: 2}', '{name: n, count: 2, maxPods: 2}')
      .replace('workloads:\n', 'workloads:\n  - {name: db, replicas: 2, placement: {n-0: 2}, ports: [5432], serviceTime: 1ms}\n');
    expect(resolved(text).workloads.map((w) => w.placement)).toEqual([{ 'n-0': 2 }, { 'n-1': 2, m: 1 }]);
  });

  it('a placement map is listed in cluster.nodes order, without zeros (pods are numbered in that order)', () => {
    expect(resolved(web.replace('replicas: 3,', 'replicas: 3, placement: {m: 1, n-1: 2, n-0: 0},')).workloads[0].placement).toEqual({ 'n-1': 2, m: 1 });
  });
});

describe('load balancer presets, by externalTrafficPolicy', () => {
  const lb = (preset: string, policy: string, extra = '') =>
    resolved(web.replace('spec: {type: LoadBalancer,', `spec: {type: LoadBalancer, externalTrafficPolicy: ${policy},`).replace('traffic:', `loadBalancers:\n  - {service: web, preset: ${preset}${extra}}\ntraffic:`)).loadBalancers[0];
  const summary = (x: ReturnType<typeof lb>) => [x.healthCheck, x.crossZone, x.failOpen];

  it('aws-nlb: TCP checks for Cluster, HTTP on healthCheckNodePort for Local, no cross-zone', () => {
    expect(summary(lb('aws-nlb', 'Cluster'))).toEqual([{ interval: 10, timeout: 10, healthyThreshold: 3, unhealthyThreshold: 3 }, false, true]);
    expect(summary(lb('aws-nlb', 'Local'))).toEqual([{ interval: 10, timeout: 6, healthyThreshold: 3, unhealthyThreshold: 3 }, false, true]);
  });

  it('gke: the shared kube-proxy check for Cluster, a fast one for Local', () => {
    expect(summary(lb('gke', 'Cluster'))).toEqual([{ interval: 8, timeout: 1, healthyThreshold: 1, unhealthyThreshold: 3 }, true, true]);
    expect(summary(lb('gke', 'Local'))).toEqual([{ interval: 3, timeout: 1, healthyThreshold: 1, unhealthyThreshold: 2 }, true, true]);
  });

  it('azure: 5 s and a threshold of 2 both ways; no new flows when every probe is down', () => {
    expect(summary(lb('azure', 'Cluster'))).toEqual([{ interval: 5, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 2 }, true, false]);
  });

  it('fields given by the user override the preset', () => {
    expect(summary(lb('aws-nlb', 'Cluster', ', healthCheck: {interval: 30s}, crossZone: true'))).toEqual([{ interval: 30, timeout: 10, healthyThreshold: 3, unhealthyThreshold: 3 }, true, true]);
  });
});

function bundled(): string[] {
  const dir = (d: string) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.yaml') && f !== 'kubectl-service.yaml')
      .map((f) => `${d}/${f}`);
  return [...dir('scenarios'), ...dir('test/fixtures/scenarios'), 'test/fixtures/scenarios/with-files/files.yaml'];
}

describe('validate --resolved round trip', () => {
  it.each(bundled())('%s: the printed scenario loads back to the same scenario and the same variants', (file) => {
    const loaded = loadScenario(file);
    const variants = expandVariants(loaded);
    const again = parseScenarioText(resolvedYaml(loaded, variants), file);
    expect(again.scenario).toEqual(loaded.scenario);
    const variantsAgain = expandVariants(again);
    expect(variantsAgain.map((v) => v.label)).toEqual(variants.map((v) => v.label));
    variantsAgain.forEach((v, i) => expect(v.scenario, v.label).toEqual(variants[i].scenario));
  });

  it('prints times as Durations and rates per second, as a user writes them', () => {
    const doc = parse(resolvedYaml(loadScenario('scenarios/default.yaml'))) as Record<string, Record<string, unknown>>;
    expect(doc.simulation).toMatchObject({ duration: '2m', warmup: '10s', timeBucket: 'auto', drainLimit: '1m' });
    expect((doc.cluster.latency as Record<string, unknown>).sameNode).toEqual({ dist: 'lognormal', median: '50us', p99: '200us' });
    expect((doc.traffic as unknown as { arrival: unknown }[])[0].arrival).toEqual({ process: 'poisson', rate: '3000/s' });
  });

  it('leaves what varies between variants as written: placement under a replicas sweep', () => {
    const loaded = loadScenario('scenarios/example-web.yaml');
    const doc = parse(resolvedYaml(loaded, expandVariants(loaded))) as { workloads: { placement: unknown }[] };
    expect(doc.workloads[0].placement).toBe('spread');
    expect((parse(resolvedYaml(loaded)) as { workloads: { placement: unknown }[] }).workloads[0].placement).toMatchObject({ 'az1-0': 2 });
  });

  it('a sweep of one value that differs from the file still round-trips', () => {
    const text = `${web}sweep:\n  parameters:\n    - {path: workloads.web.replicas, values: [5]}\n`;
    const loaded = parseScenarioText(text, 'web.yaml');
    const variants = expandVariants(loaded);
    const again = parseScenarioText(resolvedYaml(loaded, variants), 'web.yaml');
    expect(again.scenario).toEqual(loaded.scenario);
    expect(expandVariants(again)[0].scenario).toEqual(variants[0].scenario);
  });

  it('keeps data read from files in their files', () => {
    const text = resolvedYaml(loadScenario('test/fixtures/scenarios/with-files/files.yaml'));
    expect(text).toContain('serviceTime: {dist: empirical, file: data/service-times.csv}');
    expect(text).toContain('arrival: {process: trace, file: data/arrivals.csv}');
  });
});
