/**
 * The PNG thread (src/report/pngThread.ts): the PNG it writes is the one
 * resvg gives on the calling thread with the same options, charts drawn
 * one after another each get their own file, and an SVG resvg cannot read
 * fails its own draw with resvg's message, not the ones after it.
 */
import { Resvg } from '@resvg/resvg-js';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PngThread } from '../src/report/pngThread.js';
import { pngOptions, toSvg } from '../src/report/render.js';
import { chartSpecs, readResultFiles } from '../src/report/index.js';
import { readManifest } from '../src/report/manifest.js';

const scratch = mkdtempSync(join(tmpdir(), 'svcsim-pngthread-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function threeCharts(): Promise<string[]> {
  const dir = 'test/fixtures/results-base';
  const read = readResultFiles(dir);
  const specs = chartSpecs({ ...read, summary: read.summary! }, readManifest(dir)).slice(0, 3);
  expect(specs.length).toBe(3);
  return Promise.all(specs.map((c) => toSvg(c.spec)));
}

/** Each file holds the PNG resvg gives for its SVG on this thread, and no two are the same. */
function expectDrawn(svgs: string[], files: string[]): void {
  for (const [i, svg] of svgs.entries()) {
    const here = new Resvg(svg, pngOptions(svg)).render().asPng();
    expect(readFileSync(files[i]).equals(here)).toBe(true);
  }
  expect(readFileSync(files[0]).equals(readFileSync(files[1]))).toBe(false);
}

let runs = 0;
const filesFor = (svgs: string[]) => svgs.map((_, i) => join(scratch, `run-${runs}-chart-${i}.png`));

/** Three charts' SVGs, a thread for `capacity` PNGs and a file for each chart, fresh for each test; the thread is closed after `body`. */
async function withThread(capacity: number, body: (thread: PngThread, svgs: string[], files: string[]) => Promise<void>): Promise<void> {
  const svgs = await threeCharts();
  const thread = new PngThread(capacity);
  runs++;
  try {
    await body(thread, svgs, filesFor(svgs));
  } finally {
    await thread.close();
  }
}

describe('PngThread', () => {
  it('writes, chart after chart, the bytes resvg gives on this thread; a bad SVG fails alone', () =>
    withThread(4, async (thread, svgs, files) => {
      thread.warmUp(); // drawn first and thrown away: no file, no answer, the same PNGs after it
      const bad = thread.draw('<svg', join(scratch, 'bad.png'));
      const good = svgs.map((svg, i) => thread.draw(svg, files[i]));
      await expect(bad).rejects.toThrow(/./);
      await Promise.all(good);
      expectDrawn(svgs, files);
      expect(readdirSync(scratch).filter((f) => f.startsWith(`run-${runs}-`)).sort()).toEqual(files.map((f) => f.slice(scratch.length + 1)).sort());
    }));

  it('finish() draws here, from the last, what the thread has not started: the same bytes', () =>
    withThread(3, async (thread, svgs, files) => {
      const drawn = svgs.map((svg, i) => thread.draw(svg, files[i]));
      thread.finish();
      // The thread takes ≥ 10 ms to start: the last PNG, taken first, was drawn here, before any await.
      expect(existsSync(files[2])).toBe(true);
      await Promise.all(drawn);
      expectDrawn(svgs, files);
      await expect(thread.draw(svgs[0], join(scratch, 'one-too-many.png'))).rejects.toThrow(/more than 3 PNGs/);
    }));
});
