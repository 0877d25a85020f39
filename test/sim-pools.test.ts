/**
 * The attempt pool's contract with the simulation (src/sim/pools.ts
 * `Attempts.alloc`): a record comes back Free, with no connection and no
 * timeout event, so alloc does not write those three again. Every scenario
 * that ships, the golden fixtures that reach the failure forms, and an
 * overloaded one whose clients give up on attempts pods still hold (with
 * retries, queues, rejections and a crashed node) run with a check at every
 * release.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/scenario/load.js';
import { resolved } from '../src/scenario/resolved.js';
import type { Scenario } from '../src/scenario/schema.js';
import { Where } from '../src/sim/pools.js';
import { Simulation } from '../src/sim/simulation.js';
import { scenarioFrom, webService } from './helpers/scenario.js';

/** Simulated seconds per scenario file: 10 unless it needs longer to reach its failures and scaling. */
const LONGER: Record<string, number> = {
  'scenarios/autoscaling-spike.yaml': 420,
  'scenarios/cluster-autoscaler.yaml': 420,
  'scenarios/node-failure.yaml': 105,
  'scenarios/service-types.yaml': 20,
  'test/fixtures/golden/failures.yaml': 60,
};

/** Every bundled scenario and golden fixture, so that one added later is checked too. */
const files: [string, number][] = ['scenarios', 'test/fixtures/golden']
  .flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => `${dir}/${f}`))
  .map((file) => [file, LONGER[file] ?? 10]);

/** Twice the load its pods can serve, a client timeout shorter than the service time, retries, bounded queues and a node that crashes. */
const overloaded = () =>
  scenarioFrom({
    apiVersion: 'svcsim/v1',
    kind: 'Scenario',
    metadata: { name: 'overloaded' },
    simulation: { duration: 30, warmup: 2, replications: 1 },
    cluster: { nodes: [{ name: 'n', count: 3 }] },
    workloads: [{ name: 'web', replicas: 6, ports: [8080], concurrency: 2, queueCapacity: 4, serviceTime: { dist: 'exponential', mean: '20ms' } }],
    services: [webService({ type: 'LoadBalancer' })],
    traffic: [{ name: 'users', to: { service: 'web', port: 80, via: 'loadBalancer' }, arrival: { process: 'poisson', rate: 1200 }, clients: 100, requestsPerConnection: 3, timeout: '15ms', retries: 2, connectTimeout: '1s' }],
    failures: [{ at: 10, node: 'n-1' }],
  });

function checkReleases(s: Scenario): { released: number; abandoned: number; wrong: string[] } {
  const sim = new Simulation(resolved(s), { replication: 0, rootSeed: 7 });
  const att = sim.attempts;
  const release = att.release.bind(att);
  let released = 0;
  let abandoned = 0;
  const wrong: string[] = [];
  att.release = (a: number) => {
    released++;
    abandoned += att.abandoned[a];
    if ((att.where[a] !== Where.Free || att.conn[a] !== -1 || att.timeoutEvent[a] !== -1) && wrong.length < 5)
      wrong.push(`attempt ${a} at ${sim.now.toFixed(6)} s: where ${att.where[a]}, conn ${att.conn[a]}, timeoutEvent ${att.timeoutEvent[a]}`);
    release(a);
  };
  sim.run();
  return { released, abandoned, wrong };
}

describe('the attempt pool', () => {
  it.each(files)('%s: every attempt comes back Free, with no connection and no timeout event', (file, seconds) => {
    const s = loadScenario(file).scenario;
    s.simulation.duration = Math.min(s.simulation.duration, seconds);
    s.simulation.warmup = Math.min(s.simulation.warmup, s.simulation.duration / 2);
    const { released, wrong } = checkReleases(s);
    expect(wrong).toEqual([]);
    expect(released).toBeGreaterThan(1000);
  });

  it('under overload, with attempts abandoned while pods hold them, retries and a crashed node: the same', () => {
    const { released, abandoned, wrong } = checkReleases(overloaded());
    expect(wrong).toEqual([]);
    expect(released).toBeGreaterThan(10_000);
    // The path where a pod frees an attempt its client gave up on is reached.
    expect(abandoned).toBeGreaterThan(100);
  });
});
