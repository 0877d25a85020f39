/**
 * Issue 10, point 1: `--out` replaces only what svcsim wrote. A folder of
 * anything else, a file, a symbolic link, the current folder or one above
 * it is refused with exit code 2 before anything runs, and nothing is
 * touched; an empty folder or an svcsim results folder is replaced.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { svcsim } from '../helpers/cli.js';

const scenario = resolve('test/fixtures/scenarios/tiny-sweep.yaml');
const home = process.cwd();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'svcsim-out-'));
});
afterEach(() => process.chdir(home));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (out: string) => svcsim('run', scenario, '--replications', '1', '--workers', '1', '--out', out, '--no-charts', '--quiet');
const merge = (out: string) => svcsim('merge', join(dir, 'ours'), '--out', out, '--no-charts');
const plan = (out: string) => svcsim('plan', scenario, '--vary', 'workloads.web.replicas=2..3', '--slo', 'latency_p99_ms<1000', '--replications', '2', '--workers', '1', '--out', out, '--no-charts', '--quiet');

/** A folder with one file of the user's in it. */
function precious(name: string): string {
  const p = join(dir, name);
  mkdirSync(p, { recursive: true });
  writeFileSync(join(p, 'precious.txt'), 'x\n');
  return p;
}

describe('--out never removes what svcsim did not write', () => {
  beforeAll(async () => {
    expect((await run(join(dir, 'ours'))).code).toBe(0);
  });

  it.each([
    ['run', run],
    ['merge', merge],
    ['plan', plan],
  ])('%s refuses a folder that holds something else, exits 2 and leaves it as it was', async (_name, command) => {
    const p = precious(`precious-${_name}`);
    const r = await command(p);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not an svcsim results folder');
    expect(readdirSync(p)).toEqual(['precious.txt']);
    expect(readFileSync(join(p, 'precious.txt'), 'utf8')).toBe('x\n');
  });

  it('refuses a file given as --out, and leaves it', async () => {
    const f = join(dir, 'notes.txt');
    writeFileSync(f, 'notes\n');
    const r = await run(f);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a file');
    expect(readFileSync(f, 'utf8')).toBe('notes\n');
  });

  it.each(['', '.', '..', './', join('..', '..')])('refuses --out %j (the current folder or one above it) and touches nothing', async (out) => {
    const cwd = precious('checkout/sub/work');
    process.chdir(cwd);
    const r = await run(out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out is empty|current folder or one above it/);
    expect(readdirSync(cwd)).toEqual(['precious.txt']);
    expect(readdirSync(join(dir, 'checkout'))).toEqual(['sub']);
  });

  it('refuses the current folder reached by an absolute path or through a symbolic link', async () => {
    const cwd = precious('by-path');
    symlinkSync(cwd, join(dir, 'link-to-cwd'));
    process.chdir(cwd);
    expect((await run(cwd)).code).toBe(2);
    expect((await run(join(dir, 'link-to-cwd'))).code).toBe(2);
    expect(readdirSync(cwd)).toEqual(['precious.txt']);
  });

  it('refuses a symbolic link given as --out, even to a results folder', async () => {
    const link = join(dir, 'link-to-ours');
    symlinkSync(join(dir, 'ours'), link);
    const r = await run(link);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('symbolic link');
    expect(existsSync(join(dir, 'ours', 'manifest.json'))).toBe(true);
  });

  it('replaces an svcsim results folder and an empty folder (exit 0)', async () => {
    const ours = join(dir, 'ours-again');
    expect((await run(ours)).code).toBe(0);
    writeFileSync(join(ours, 'stale.csv'), 'old\n');
    expect((await run(ours)).code).toBe(0);
    expect(existsSync(join(ours, 'stale.csv'))).toBe(false);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect((await run(empty)).code).toBe(0);
    expect(existsSync(join(empty, 'manifest.json'))).toBe(true);
  });
});
