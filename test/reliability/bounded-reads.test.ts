/**
 * Issue 10, point 4: files a scenario names, and scenario files themselves,
 * are read only if they are regular files under a size limit (the message
 * says which), with that bound; a scenario's files must lie under its own
 * folder (symbolic links resolved) unless SVCSIM_FILES_ROOT allows another.
 * No hang on a FIFO, no endless read of /dev/zero, nothing of /etc/passwd
 * echoed back.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.js';
import { MAX_DATA_FILE_BYTES, MAX_SCENARIO_BYTES } from '../../src/scenario/files.js';
import { loadScenario } from '../../src/scenario/load.js';
import { MAX_DATA_VALUES } from '../../src/scenario/units.js';
import { svcsim } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'svcsim-reads-'));
const scenarioDir = join(dir, 'scenario');
mkdirSync(scenarioDir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.SVCSIM_FILES_ROOT;
});

const base = `apiVersion: svcsim/v1
kind: Scenario
metadata: {name: reads}
simulation: {duration: 3s, warmup: 1s, replications: 2, seed: 1}
cluster: {nodes: [{name: n, zone: z1, count: 1}]}
services:
  - {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}
traffic:
  - {name: users, to: {service: web, port: 80, via: clusterIP}, from: {zone: z1}, arrival: {process: poisson, rate: 10/s}}
`;
/** A scenario in scenarioDir whose service time is the empirical distribution of `file`. */
function scenarioWith(file: string): string {
  const path = join(scenarioDir, 'web.yaml');
  writeFileSync(path, `${base}workloads:\n  - {name: web, replicas: 1, ports: [{containerPort: 8080}], serviceTime: {dist: empirical, file: ${JSON.stringify(file)}}}\n`);
  return path;
}

/** The problems of loading `path`, joined (empty when it loads). */
function problems(path: string): string {
  try {
    loadScenario(path);
    return '';
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.message;
  }
}

describe('the files a scenario refers to', () => {
  it('are refused when they are not regular files: a device, and a FIFO (no hang)', () => {
    process.env.SVCSIM_FILES_ROOT = '/dev';
    expect(problems(scenarioWith('/dev/zero'))).toContain('/dev/zero: not a regular file');
    execFileSync('mkfifo', [join(scenarioDir, 'fifo.csv')]);
    expect(problems(scenarioWith('fifo.csv'))).toContain('fifo.csv: not a regular file');
  });

  it('are refused beyond the size limit, which the message gives', () => {
    const big = join(scenarioDir, 'big.csv');
    writeFileSync(big, '');
    truncateSync(big, MAX_DATA_FILE_BYTES + 1);
    expect(problems(scenarioWith('big.csv'))).toContain(`big.csv: ${MAX_DATA_FILE_BYTES + 1} bytes: larger than svcsim reads (at most 32 MiB)`);
  });

  it('are refused beyond a million values', () => {
    writeFileSync(join(scenarioDir, 'many.csv'), '1ms\n'.repeat(MAX_DATA_VALUES + 1));
    expect(problems(scenarioWith('many.csv'))).toContain(`more than ${MAX_DATA_VALUES} values`);
  });

  it('must lie under the scenario folder: /etc/passwd is refused without reading it, as is a symbolic link out of the folder', () => {
    const message = problems(scenarioWith('/etc/passwd'));
    expect(message).toContain("/etc/passwd is outside the scenario's folder");
    expect(message).not.toContain('root:');
    symlinkSync('/etc/passwd', join(scenarioDir, 'innocent.csv'));
    expect(problems(scenarioWith('innocent.csv'))).toContain("innocent.csv is outside the scenario's folder");
    expect(problems(scenarioWith('../scenario/../../elsewhere.csv'))).toContain("is outside the scenario's folder");
  });

  it('may lie under another folder the user allows with SVCSIM_FILES_ROOT', () => {
    const other = join(dir, 'data');
    mkdirSync(other);
    writeFileSync(join(other, 'times.csv'), 'seconds\n0.001\n0.002\n');
    expect(problems(scenarioWith(join(other, 'times.csv')))).toContain("is outside the scenario's folder");
    process.env.SVCSIM_FILES_ROOT = other;
    expect(problems(scenarioWith(join(other, 'times.csv')))).toBe('');
  });
});

describe('scenario files', () => {
  it('are refused when they are not regular files, with exit 2 and no hang', async () => {
    const r = await svcsim('validate', '/dev/zero');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/dev/zero: cannot read: not a regular file');
    const fifo = join(dir, 'scenario.fifo');
    execFileSync('mkfifo', [fifo]);
    expect((await svcsim('validate', fifo)).code).toBe(2);
  });

  it('are refused beyond 4 MiB, saying where long lists belong', async () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `${base}# ${'x'.repeat(MAX_SCENARIO_BYTES)}\n`);
    const r = await svcsim('validate', big);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('larger than svcsim reads (at most 4 MiB); put long lists of values in a CSV file (file:)');
  });
});
