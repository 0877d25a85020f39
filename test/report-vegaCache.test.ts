/**
 * The cache of compiled chart shapes (src/report/vegaCache.ts) is only ever
 * a shortcut: every chart of the fixture folders drawn through it — when it
 * compiles and when it reads the cached shape back — is byte for byte the
 * SVG of vega-lite's own compile, a cache file that is not JSON only means
 * compiling, and SVCSIM_CACHE_DIR=off writes nothing.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
  const before = process.env.SVCSIM_CACHE_DIR;
  beforeEach(() => {
    dir = mkdtempSync(join(scratch, 'cache-'));
    process.env.SVCSIM_CACHE_DIR = dir;
  });
  afterEach(() => {
    if (before === undefined) delete process.env.SVCSIM_CACHE_DIR;
    else process.env.SVCSIM_CACHE_DIR = before;
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

  it('compiles again when a cache file is not JSON, and draws the same chart', async () => {
    const c = specsOf('test/fixtures/results-base')[0];
    const want = await toSvg(c.spec);
    const [file] = cacheFiles(dir);
    writeFileSync(join(dir, file), '{ not json');
    expect(await toSvg(c.spec)).toBe(want);
  });

  it('writes nothing with SVCSIM_CACHE_DIR=off', async () => {
    process.env.SVCSIM_CACHE_DIR = 'off';
    const c = specsOf('test/fixtures/results-base')[0];
    expect(await toSvg(c.spec)).toBe(await compiledDirectly(c.spec));
    expect(cacheFiles(dir)).toEqual([]);
  });
});
