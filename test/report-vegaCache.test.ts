/**
 * The cache of compiled chart shapes (src/report/vegaCache.ts) is only ever
 * a shortcut: every chart of the fixture folders drawn through it — when it
 * compiles and when it reads the cached shape back — is byte for byte the
 * SVG of vega-lite's own compile; a cache file that is not JSON, or whose
 * runtime was changed, only means compiling; it keeps the 256 shapes used
 * last; SVCSIM_NO_CACHE=1 writes nothing. (vitest.config.ts turns the cache
 * off for every other test.)
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chartSpecs, readResultFiles } from '../src/report/index.js';
import { readManifest } from '../src/report/manifest.js';
import { toSvg } from '../src/report/render.js';
import type { Spec } from '../src/report/charts/common.js';

const scratch = mkdtempSync(join(tmpdir(), 'svcsim-vega-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const specsOf = (dir: string) => chartSpecs(readResultFiles(dir), readManifest(dir));

async function compiledDirectly(spec: Spec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Every cache file, wherever the version folder is. */
const cacheFiles = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));

describe('the cache of compiled chart shapes', () => {
  let dir: string;
  const before = { dir: process.env.SVCSIM_CACHE_DIR, off: process.env.SVCSIM_NO_CACHE };
  const restore = (name: string, value: string | undefined) => (value === undefined ? delete process.env[name] : (process.env[name] = value));
  beforeEach(() => {
    dir = mkdtempSync(join(scratch, 'cache-'));
    process.env.SVCSIM_CACHE_DIR = dir;
    delete process.env.SVCSIM_NO_CACHE;
  });
  afterEach(() => {
    restore('SVCSIM_CACHE_DIR', before.dir);
    restore('SVCSIM_NO_CACHE', before.off);
  });

  it('draws every chart of the fixtures byte for byte as vega-lite compiles it, compiling first and from the cache after', async () => {
    for (const folder of ['test/fixtures/results-base', 'test/fixtures/results-sweep']) {
      const specs = specsOf(folder);
      expect(specs.length).toBeGreaterThan(4);
      for (const c of specs) {
        const want = await compiledDirectly(c.spec);
        expect(await toSvg(c.spec), `${folder} ${c.name}, compiled`).toBe(want);
        expect(await toSvg(c.spec), `${folder} ${c.name}, from the cache`).toBe(want);
      }
    }
    // One file per shape: the 2nd drawing of each chart read its file.
    expect(cacheFiles(dir).length).toBeGreaterThan(4);
  });

  it('gives one shape with other numbers its own data: a cached shape drawn with new values shows the new values', async () => {
    const chart = (ys: number[]): Spec => ({ data: { values: ys.map((y, x) => ({ x, y })) }, mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
    await toSvg(chart([1, 2, 3]));
    expect(cacheFiles(dir)).toHaveLength(1);
    const other = chart([30, 10, 20]);
    expect(await toSvg(other)).toBe(await compiledDirectly(other));
    expect(cacheFiles(dir)).toHaveLength(1);
  });

  it('compiles again when a cache file is not JSON, or its runtime was changed, and draws the same chart', async () => {
    const c = specsOf('test/fixtures/results-base')[0];
    const want = await toSvg(c.spec);
    const [file] = cacheFiles(dir);
    const entry = readFileSync(join(dir, file), 'utf8');
    // A changed title in the runtime, hash left as it was: drawing it would change the chart.
    const { shape, sha256, runtime } = JSON.parse(entry) as { shape: string; sha256: string; runtime: unknown };
    const changed = JSON.stringify(runtime).replaceAll('End-to-end latency distribution', 'End-to-end latency distributioN');
    expect(changed).not.toBe(JSON.stringify(runtime));
    writeFileSync(join(dir, file), JSON.stringify({ shape, sha256, runtime: JSON.parse(changed) as unknown }));
    expect(await toSvg(c.spec)).toBe(want);
    writeFileSync(join(dir, file), '{ not json');
    expect(await toSvg(c.spec)).toBe(want);
  });

  it('keeps the 256 shapes used last: writing one more drops the oldest file', async () => {
    const c = specsOf('test/fixtures/results-base')[0];
    await toSvg(c.spec);
    const [first] = cacheFiles(dir);
    const folder = join(dir, first, '..');
    for (let i = 0; i < 255; i++) {
      const f = join(folder, `old-${String(i).padStart(3, '0')}.json`);
      writeFileSync(f, '{}');
      utimesSync(f, new Date(1_000_000 + i * 1000), new Date(1_000_000 + i * 1000));
    }
    expect(cacheFiles(dir)).toHaveLength(256);
    await toSvg(specsOf('test/fixtures/results-base')[1].spec);
    const left = cacheFiles(dir).map((f) => f.split('/').pop());
    expect(left).toHaveLength(256);
    expect(left).not.toContain('old-000.json');
    expect(left).toContain('old-001.json');
  });

  it('writes nothing with SVCSIM_NO_CACHE=1', async () => {
    process.env.SVCSIM_NO_CACHE = '1';
    const c = specsOf('test/fixtures/results-base')[0];
    expect(await toSvg(c.spec)).toBe(await compiledDirectly(c.spec));
    expect(cacheFiles(dir)).toEqual([]);
  });
});
