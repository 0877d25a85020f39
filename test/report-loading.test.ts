/**
 * vega, vega-lite and resvg take a while to load, so only a run that draws
 * charts loads them (it starts before the replications, see startCharts in
 * src/cli/common.ts): a `--no-charts` run never does. Watched from outside,
 * in a child process whose module loader names every module of those
 * packages it loads, and which says at exit whether resvg's native addon is
 * mapped into it (loaded by CommonJS `require`, on the PNG thread, where the
 * module loader's hooks do not look).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const scratch = mkdtempSync(join(tmpdir(), 'svcsim-report-loading-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const hook = join(scratch, 'hook.mjs');
writeFileSync(hook, `export async function load(url, context, next) {\n  if (/\\/node_modules\\/(vega|vega-lite|@resvg\\/resvg-js)\\//.test(url)) process.stderr.write('LOADED ' + url + '\\n');\n  return next(url, context);\n}\n`);
const register = join(scratch, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
const mapped = join(scratch, 'mapped.cjs');
writeFileSync(mapped, `process.on('exit', () => { if (require('node:fs').readFileSync('/proc/self/maps', 'utf8').includes('resvgjs.')) process.stderr.write('LOADED resvg addon /node_modules/@resvg/resvg-js/\\n'); });\n`);
const tsx = createRequire(import.meta.url).resolve('tsx');

/** `svcsim run` of a 1-second default scenario in a child process; its stderr lists the chart packages' modules it loaded. */
function run(out: string, ...extra: string[]) {
  const r = spawnSync(process.execPath, ['--import', tsx, '--import', register, '--require', mapped, 'src/cli/bin.ts', 'run', 'scenarios/default.yaml', '--set', 'simulation.duration=1s', '--replications', '1', '--quiet', '--out', out, ...extra], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, SVCSIM_NO_CACHE: '1' },
  });
  return { status: r.status, loaded: r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')) };
}

describe('loading the chart packages', () => {
  it('a --no-charts run never loads vega, vega-lite or resvg', () => {
    const out = join(scratch, 'no-charts');
    const r = run(out, '--no-charts');
    expect(r.status).toBe(0);
    expect(existsSync(join(out, 'summary.csv'))).toBe(true);
    expect(r.loaded).toEqual([]);
  });

  it('a run with charts loads all three and draws the charts', () => {
    const out = join(scratch, 'charts');
    const r = run(out);
    expect(r.status).toBe(0);
    expect(existsSync(join(out, 'charts', 'latency-cdf.png'))).toBe(true);
    for (const pkg of ['/vega/', '/vega-lite/', '/@resvg/resvg-js/']) expect(r.loaded.some((l) => l.includes(`/node_modules${pkg}`)), pkg).toBe(true);
  });
});
