/**
 * Issue 10, point 5: what cannot run is refused up front, with exit code 2
 * and the limit in the message — never a crash minutes or gigabytes later,
 * never a stack trace. (Each of these ran out of memory, crashed V8, or
 * passed validation and failed at run time.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { svcsim } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'svcsim-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scenario = 'test/fixtures/scenarios/tiny-sweep.yaml';
const out = join(dir, 'out');

const head = `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: limits}
cluster: {nodes: [{name: n, zone: z1, count: 1}]}
workloads: [{name: web, replicas: 1, ports: [{containerPort: 8080}], serviceTime: SERVICE}]
services:
  - {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}
traffic:
  - {name: users, to: {service: web, port: 80, via: clusterIP}, from: {zone: z1}, arrival: {process: poisson, rate: 10/s}}
`;
let files = 0;
function scenarioFile(simulation: string, rest = '', service = '5ms'): string {
  const f = join(dir, `s${files++}.yaml`);
  writeFileSync(f, `${head.replace('SERVICE', service)}simulation: ${simulation}\n${rest}`);
  return f;
}

async function refused(args: string[], says: string | RegExp): Promise<void> {
  const r = await svcsim(...args);
  expect(r.code, r.stderr).toBe(2);
  if (typeof says === 'string') expect(r.stderr).toContain(says);
  else expect(r.stderr).toMatch(says);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('refused up front, with the limit in the message', () => {
  it('a zip sweep of more than 1000 variants', async () => {
    const values = Array.from({ length: 1001 }, (_, i) => i + 1).join(', ');
    const f = scenarioFile('{duration: 3s}', `sweep: {mode: zip, parameters: [{path: workloads.web.replicas, values: [${values}]}, {path: workloads.web.concurrency, values: [${values}]}]}\n`);
    await refused(['validate', f], 'has more than 1000 values: svcsim runs at most 1000 variants');
  });

  it('--replications beyond a million, and more than ten million replications in all', async () => {
    await refused(['run', scenario, '--replications', '1000000000', '--out', out], '--replications 1000000000: at most 1000000');
    const values = Array.from({ length: 11 }, (_, i) => i + 1).join(', ');
    const f = scenarioFile('{duration: 3s, replications: 1000000}', `sweep: {parameters: [{path: workloads.web.replicas, values: [${values}]}]}\n`);
    await refused(['run', f, '--out', out], '11 variants × 1000000 replications: at most 10000000 replications in one run');
  });

  it('--workers beyond four per core', async () => {
    await refused(['run', scenario, '--workers', '500', '--out', out], `--workers 500: at most ${4 * availableParallelism()}`);
  });

  it('a --seed beyond the integers a double holds exactly', async () => {
    await refused(['run', scenario, '--seed', '99999999999999999999', '--out', out], 'option --seed takes a whole number from 0 to 9007199254740991');
  });

  it('a --replication the run does not have', async () => {
    await refused(['run', scenario, '--variant', 'replicas=3', '--replication', '1000000000000000', '--out', out], 'the run has replications 0 to 3');
  });

  it.each([
    ['a bare-number string that overflows to Infinity', '{duration: "1e400"}', 'is not a Duration: it is not a finite number'],
    ['a duration beyond 1e7 s', '{duration: 1e300}', 'svcsim simulates at most 10000000 s'],
    ['a duration of 0', '{duration: 0s}', 'must be a Duration > 0'],
    ['a time bucket that makes millions of buckets', '{duration: 10h, timeBucket: 1ms}', 'makes 36000000 time buckets over warmup + duration; at most 100000'],
  ])('%s', async (_what, simulation, says) => {
    await refused(['validate', scenarioFile(simulation)], says);
  });

  it('a gamma distribution whose cv makes its shape vanish', async () => {
    await refused(['validate', scenarioFile('{duration: 3s}', '', '{dist: gamma, mean: 5ms, cv: 1e300}')], 'must be at most 100');
  });
});
