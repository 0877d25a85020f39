/**
 * The cut-down chart fonts (src/report/fonts.ts) are only ever a shortcut:
 * every chart of the fixture folders drawn from them has exactly the pixels
 * it has from the whole DejaVu files; a chart with a character they lack is
 * drawn from the whole files; without a cache folder there are none.
 * (vitest.config.ts turns the cache off; these tests turn it on in a scratch folder.)
 */
import { Resvg } from '@resvg/resvg-js';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cutFonts, drawnByCutFonts } from '../src/report/fonts.js';
import { chartSpecs, readResultFiles } from '../src/report/index.js';
import { readManifest } from '../src/report/manifest.js';
import { FONT_FILES, toSvg } from '../src/report/render.js';

const scratch = mkdtempSync(join(tmpdir(), 'svcsim-fonts-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** RGBA pixels of an SVG drawn at 2×, as the report's PNGs are, with the given font files. */
const pixels = (svg: string, fontFiles: string[]) =>
  new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white', font: { fontFiles, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' } }).render().pixels;

describe('the cut-down chart fonts', () => {
  const before = { dir: process.env.SVCSIM_CACHE_DIR, off: process.env.SVCSIM_NO_CACHE };
  const restore = (name: string, value: string | undefined) => (value === undefined ? delete process.env[name] : (process.env[name] = value));
  beforeEach(() => {
    process.env.SVCSIM_CACHE_DIR = mkdtempSync(join(scratch, 'cache-'));
    delete process.env.SVCSIM_NO_CACHE;
  });
  afterEach(() => {
    restore('SVCSIM_CACHE_DIR', before.dir);
    restore('SVCSIM_NO_CACHE', before.off);
  });

  it('draw every chart of the fixtures with exactly the pixels of the whole font files, from files a tenth their size or less', async () => {
    expect(FONT_FILES.length).toBeGreaterThan(0);
    const cut = cutFonts(FONT_FILES)!;
    expect(cut).toHaveLength(FONT_FILES.length);
    cut.forEach((f, i) => expect(statSync(f).size).toBeLessThan(statSync(FONT_FILES[i]).size / 10));
    let compared = 0;
    for (const folder of ['test/fixtures/results-base', 'test/fixtures/results-sweep']) {
      for (const c of chartSpecs(readResultFiles(folder), readManifest(folder))) {
        const svg = await toSvg(c.spec);
        expect(drawnByCutFonts(svg), `${folder} ${c.name}`).toBe(true);
        expect(pixels(svg, cut).equals(pixels(svg, FONT_FILES)), `${folder} ${c.name}`).toBe(true);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('are made once and then read from the cache folder', () => {
    const first = cutFonts(FONT_FILES)!;
    const folder = readdirSync(process.env.SVCSIM_CACHE_DIR!);
    expect(folder.filter((f) => f.startsWith('fonts-'))).toHaveLength(1);
    expect(cutFonts(FONT_FILES)).toEqual(first);
  });

  it('leave a chart with a character they lack, or a character reference, to the whole files', () => {
    expect(drawnByCutFonts('<svg><text>p99 ≤ 200 ms – µs ± 3 → ok</text></svg>')).toBe(true);
    expect(drawnByCutFonts('<svg><text>Пропускная способность</text></svg>')).toBe(false);
    expect(drawnByCutFonts('<svg><text>web 🚀</text></svg>')).toBe(false);
    expect(drawnByCutFonts('<svg><text>&#1046;</text></svg>')).toBe(false);
  });

  it('are not made without a cache folder (SVCSIM_NO_CACHE=1)', () => {
    process.env.SVCSIM_NO_CACHE = '1';
    expect(cutFonts(FONT_FILES)).toBeUndefined();
  });
});
