/**
 * The built `svcsim` command (dist/src/cli/bin.js, scripts/launcher.cjs):
 * it runs the bundled command line with V8's code cache. The cache is saved
 * after a command's first run and taken back by the next; a damaged cache is
 * rejected and replaced; results never depend on it; exit codes and messages
 * pass through; `SVCSIM_NO_CACHE=1` writes none.
 *
 * It runs the build that `npm ci` (its `prepare`) and `npm run build` make.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheBase } from '../src/report/vegaCache.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'dist/src/cli/bin.js');
const work = mkdtempSync(join(tmpdir(), 'svcsim-launcher-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function svcsim(args: string[], env: Record<string, string>) {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
  const r = spawnSync(process.execPath, ['--no-concurrent-recompilation', BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SVCSIM_NO_CACHE: '', ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const run = (out: string, env: Record<string, string>) =>
  svcsim(['run', 'scenarios/default.yaml', '--set', 'simulation.duration=2s', '--replications', '1', '--no-charts', '--quiet', '--out', join(work, out)], env);

const tables = (out: string) => Object.fromEntries(['summary.csv', 'timeseries.csv', 'latency_cdf.csv', 'replications.jsonl'].map((f) => [f, readFileSync(join(work, out, f), 'utf8')]));

describe('svcsim (the built command) and its code cache', () => {
  const cache = join(work, 'cache');
  const env = { SVCSIM_CACHE_DIR: cache };
  const runCaches = () => (existsSync(join(cache, 'code')) ? readdirSync(join(cache, 'code')).filter((f) => f.startsWith('cli.cjs.run.')) : []);

  it('saves the cache after the first run, takes it back unchanged on the next, and replaces a damaged one; the results are the same bytes each time', () => {
    expect(run('first', env).code).toBe(0);
    const saved = runCaches();
    expect(saved).toHaveLength(1);
    const file = join(cache, 'code', saved[0]);
    const bytes = readFileSync(file);
    // More than the top level: the functions the run compiled are in it (the bundle is 1.7 MB).
    expect(bytes.length).toBeGreaterThan(200_000);
    const written = statSync(file).mtimeMs;

    expect(run('second', env).code).toBe(0);
    expect(statSync(file).mtimeMs).toBe(written); // accepted, so not written again
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(tables('second')).toEqual(tables('first'));

    writeFileSync(file, Buffer.concat([bytes.subarray(0, 64), Buffer.alloc(4096, 7)]));
    // Caches of older builds, for the pruning that follows a save: the newest three stay.
    const stale = ['0000000000000001', '0000000000000002', '0000000000000003', '0000000000000004'].map((h, i) => {
      const f = join(cache, 'code', saved[0].replace(/\.run\.[0-9a-f]{16}-/, `.run.${h}-`));
      writeFileSync(f, 'old');
      utimesSync(f, new Date(2020, 0, 1 + i), new Date(2020, 0, 1 + i));
      return f;
    });
    expect(run('third', env).code).toBe(0);
    expect(readFileSync(file).length).toBeGreaterThan(200_000); // rejected by V8, and saved anew
    expect(tables('third')).toEqual(tables('first'));
    expect(runCaches().sort()).toEqual([saved[0], ...stale.slice(2).map((f) => f.split('/').pop()!)].sort());
    expect(readdirSync(join(cache, 'code')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);

  it('keeps the caches of a first run that drew charts (and cut the fonts) for the next run', () => {
    const fresh = { SVCSIM_CACHE_DIR: join(work, 'fresh-cache') };
    const draw = (out: string) => svcsim(['run', 'scenarios/default.yaml', '--set', 'simulation.duration=1s', '--replications', '1', '--quiet', '--out', join(work, out)], fresh);
    expect(draw('charts-first').code).toBe(0);
    const code = join(fresh.SVCSIM_CACHE_DIR, 'code');
    expect(readdirSync(fresh.SVCSIM_CACHE_DIR).some((f) => f.startsWith('fonts-'))).toBe(true);
    const written = Object.fromEntries(readdirSync(code).map((f) => [f, readFileSync(join(code, f))]));
    expect(Object.keys(written).sort()).toEqual([expect.stringMatching(/^cli\.cjs\.run\./), expect.stringMatching(/^report\.cjs\.all\./)]);
    expect(draw('charts-second').code).toBe(0);
    // Taken back, so not written again (the cutting of the fonts left V8's flags as they were).
    for (const [f, bytes] of Object.entries(written)) expect(readFileSync(join(code, f)).equals(bytes), f).toBe(true);
  }, 120_000);

  it('keeps one cache per command, in the chart cache\'s folder, and none with SVCSIM_NO_CACHE=1', () => {
    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: svcsim/v1\nkind: Scenario\nfoo: 1\n');
    const r = svcsim(['validate', bad], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:3:1: foo: unknown field`);
    expect(readdirSync(join(cache, 'code')).some((f) => f.startsWith('cli.cjs.validate.'))).toBe(true);

    // The same folder as the chart cache's (src/report/vegaCache.ts), found by the same rules.
    const xdg = join(work, 'xdg');
    const rules: Record<string, string> = { SVCSIM_NO_CACHE: '', SVCSIM_CACHE_DIR: '', XDG_CACHE_HOME: xdg };
    expect(svcsim(['--version'], rules).code).toBe(0);
    const saved = Object.fromEntries(Object.keys(rules).map((k) => [k, process.env[k]]));
    Object.assign(process.env, rules);
    const base = cacheBase();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    expect(base).toBe(join(xdg, 'svcsim'));
    expect(readdirSync(join(base!, 'code')).some((f) => f.startsWith('cli.cjs.other.'))).toBe(true);

    const none = join(work, 'no-cache');
    expect(run('uncached', { SVCSIM_CACHE_DIR: none, SVCSIM_NO_CACHE: '1' }).code).toBe(0);
    expect(existsSync(none)).toBe(false);
    expect(tables('uncached')).toEqual(tables('first'));
  }, 120_000);

  it('ends a run with charts whose replication crashed at once, with exit code 1: the PNG thread started ahead holds nothing', () => {
    const t0 = Date.now();
    const r = svcsim(['run', 'scenarios/default.yaml', '--set', 'simulation.duration=1s', '--replications', '1', '--quiet', '--out', join(work, 'crashed')], { ...env, SVCSIM_TEST_CRASH: 'base:0' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('injected crash');
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 120_000);

  it('saves the report\'s cache only after a command that succeeded: a failed run loaded it but drew nothing', () => {
    const own = join(work, 'report-cache');
    const reportCaches = () => (existsSync(join(own, 'code')) ? readdirSync(join(own, 'code')).filter((f) => f.startsWith('report.cjs.')) : []);
    const args = (out: string) => ['run', 'scenarios/default.yaml', '--set', 'simulation.duration=1s', '--replications', '1', '--quiet', '--out', join(work, out)];
    expect(svcsim(args('failed'), { SVCSIM_CACHE_DIR: own, SVCSIM_TEST_CRASH: 'base:0' }).code).toBe(1);
    expect(readdirSync(join(own, 'code')).some((f) => f.startsWith('cli.cjs.run.'))).toBe(true);
    expect(reportCaches()).toEqual([]);
    expect(svcsim(args('drawn'), { SVCSIM_CACHE_DIR: own }).code).toBe(0);
    expect(existsSync(join(work, 'drawn', 'charts', 'latency-cdf.png'))).toBe(true);
    expect(reportCaches()).toHaveLength(1);
  }, 120_000);

  it('gives the same results with and without the preflight that warms V8 before the first replication (SVCSIM_NO_PREFLIGHT=1)', () => {
    // A warm-up, a node failure, retries: the preflight runs every common path with a seed of its own, then is dropped.
    const args = (out: string) => ['run', 'scenarios/node-failure.yaml', '--set', 'simulation.duration=40s', '--replications', '2', '--no-charts', '--quiet', '--out', join(work, out)];
    expect(svcsim(args('preflight'), env).code).toBe(0);
    expect(svcsim(args('no-preflight'), { ...env, SVCSIM_NO_PREFLIGHT: '1' }).code).toBe(0);
    expect(tables('preflight')).toEqual(tables('no-preflight'));
  }, 120_000);
});
