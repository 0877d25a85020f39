/**
 * The worker pool takes the main thread's Node flags into its threads, but
 * not V8's, which Node refuses in a worker (they hold process-wide anyway):
 * `node --max-old-space-size=… svcsim run … --workers 2` must run, not die
 * with an internal error.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { withoutRefused } from '../src/runner/pool.js';
import { scratch } from './helpers/cli.js';

const run = promisify(execFile);
const { dir, file } = scratch('svcsim-pool-');

const SCENARIO = `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: pool}
simulation: {duration: 2s, warmup: 1s, replications: 2, seed: 7}
cluster:
  nodes: [{name: a}]
workloads:
  - {name: web, replicas: 2, ports: [8080], concurrency: 2, serviceTime: {dist: exponential, mean: 5ms}}
services:
  - {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}
traffic:
  - {name: users, to: {service: web, port: 80, via: clusterIP}, from: {node: a}, arrival: {process: poisson, rate: 100/s}}
`;

describe('the flags of the worker threads', () => {
  it('drops the flags Node lists as refused, with a value given as the next word, and keeps the others in order', () => {
    const message = 'Initiated Worker with invalid execArgv flags: --max-old-space-size=512, --single-threaded-gc, --stack-size';
    expect(withoutRefused(['--cpu-prof', '--max-old-space-size=512', '--single-threaded-gc', '--stack-size', '2000', '--import', 'tsx'], message)).toEqual(['--cpu-prof', '--import', 'tsx']);
  });

  it('runs replications on two workers under V8 flags of the main thread (--max-old-space-size, --single-threaded-gc), with the results of a plain run', async () => {
    const scenario = file('pool.yaml', SCENARIO);
    const svcsim = (flags: string[], out: string) =>
      run(process.execPath, [...flags, '--import', 'tsx', 'src/cli/bin.ts', 'run', scenario, '--workers', '2', '--no-charts', '--quiet', '--out', join(dir, out)], { cwd: join(import.meta.dirname, '..') });
    await svcsim(['--max-old-space-size=512', '--single-threaded-gc'], 'flags');
    await svcsim([], 'plain');
    const csv = (out: string) => readFileSync(join(dir, out, 'replications.csv'), 'utf8');
    expect(csv('flags')).toBe(csv('plain'));
    expect(csv('flags').trim().split('\n')).toHaveLength(1 + 2 * 2); // header, then 2 replications × scopes all and traffic:users
  }, 60_000);
});
