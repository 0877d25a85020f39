/**
 * scenarios/service-types.yaml: one traffic entry reaching one LoadBalancer
 * Service three ways (ClusterIP from a zone, NodePort and LoadBalancer from
 * outside) in one sweep group, crossed with externalTrafficPolicy. With
 * every hop constant, `svcsim run` shows the three types' mean latencies
 * differing by exactly the hops they add.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { svcsim } from './helpers/cli.js';
import { loadScenario } from '../src/scenario/load.js';
import { expandVariants } from '../src/scenario/sweep.js';

const dir = mkdtempSync(join(tmpdir(), 'svcsim-service-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scenarios/service-types.yaml', () => {
  it('makes six variants: the three ways as one group, crossed with the policy, labelled shortly', () => {
    const variants = expandVariants(loadScenario('scenarios/service-types.yaml'));
    expect(variants.map((v) => v.label)).toEqual([
      'from=pod;via=clusterIP;latency=0s;externalTrafficPolicy=Cluster',
      'from=pod;via=clusterIP;latency=0s;externalTrafficPolicy=Local',
      'from=internet;via=nodePort;latency=10ms;externalTrafficPolicy=Cluster',
      'from=internet;via=nodePort;latency=10ms;externalTrafficPolicy=Local',
      'from=internet;via=loadBalancer;latency=10ms;externalTrafficPolicy=Cluster',
      'from=internet;via=loadBalancer;latency=10ms;externalTrafficPolicy=Local',
    ]);
    const t = variants.map((v) => v.scenario.traffic[0]);
    expect(t.map((x) => [x.from, x.to.via, x.latency])).toEqual([
      [{ zone: 'zone-a' }, 'clusterIP', { dist: 'constant', value: 0 }],
      [{ zone: 'zone-a' }, 'clusterIP', { dist: 'constant', value: 0 }],
      ['external', 'nodePort', { dist: 'constant', value: 0.01 }],
      ['external', 'nodePort', { dist: 'constant', value: 0.01 }],
      ['external', 'loadBalancer', { dist: 'constant', value: 0.01 }],
      ['external', 'loadBalancer', { dist: 'constant', value: 0.01 }],
    ]);
    expect(variants.map((v) => v.scenario.services[0].spec.healthCheckNodePort !== undefined)).toEqual([false, true, false, true, false, true]);
  });

  it('with constant hops, the mean latencies differ by exactly the hops each type adds: 4 × the Internet leg, then 4 × the LB hop', async () => {
    // The handshake and the request each cross every hop both ways: 4 crossings per hop.
    const tiny = readFileSync('scenarios/service-types.yaml', 'utf8')
      .replace('simulation: {duration: 1m, warmup: 15s, replications: 4}', 'simulation: {duration: 5s, replications: 2}')
      .replace('cluster:\n', 'cluster:\n  latency: {sameNode: 0.1ms, sameZone: 0.1ms, crossZone: 0.1ms, proxy: 0.02ms}\n')
      .replace('serviceTime: {dist: gamma, mean: 5ms, cv: 1}', 'serviceTime: 1ms')
      .replace('concurrency: 8', 'concurrency: 1000')
      .replace('rate: 400/s', 'rate: 50/s')
      .replace('values: [Cluster, Local]', 'values: [Cluster]');
    const file = join(dir, 'tiny.yaml');
    writeFileSync(file, tiny);
    const out = join(dir, 'out');
    expect((await svcsim('run', file, '--out', out, '--no-charts', '--quiet', '--workers', '1')).code).toBe(0);
    const summary = readFileSync(join(out, 'summary.csv'), 'utf8').split('\n').map((l) => l.split(','));
    const header = summary[0];
    const mean = (via: string, metric: string) => {
      const r = summary.find((x) => x[header.indexOf('via')] === via && x[header.indexOf('scope')] === 'all' && x[header.indexOf('metric')] === metric);
      return Number(r?.[header.indexOf('mean')]);
    };
    for (const via of ['clusterIP', 'nodePort', 'loadBalancer']) expect([mean(via, 'failed'), mean(via, 'ok') > 0]).toEqual([0, true]);
    const [clusterIP, nodePort, loadBalancer] = ['clusterIP', 'nodePort', 'loadBalancer'].map((via) => mean(via, 'latency_mean_ms'));
    expect(nodePort - clusterIP).toBeCloseTo(4 * 10, 4); // traffic latency 10 ms instead of 0
    expect(loadBalancer - nodePort).toBeCloseTo(4 * 0.5, 4); // the LB's own hop, 0.5 ms
  });
});
