/**
 * One renderer for every chart: vega-lite spec → vega → SVG (in Node, no
 * canvas) → PNG with resvg. Text needs a font: DejaVu Sans is loaded from its
 * files, because without one resvg drops text silently.
 *
 * A report's charts are drawn on two threads (drawCharts) when the machine
 * has a core to spare: this one and a chart worker (workers/render.ts) take
 * the next chart in turn, so that vega's work, most of a small what-if's
 * time, uses a second core. The same code gives the same bytes in either
 * thread, so where a chart was drawn never shows.
 */
import { renderAsync, Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { Spec } from './charts/common.js';

const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF', '/usr/share/fonts/dejavu-sans-fonts'];
export const FONT_FILES = FONT_DIRS.flatMap((d) => ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => `${d}/${f}`)).filter((f) => existsSync(f));

const resvgOptions = (scale: number): ResvgRenderOptions => ({
  fitTo: { mode: 'zoom', value: scale },
  background: 'white',
  // System fonts only when DejaVu is missing: the PNG then still has text, in another face.
  font: { fontFiles: FONT_FILES, loadSystemFonts: FONT_FILES.length === 0, defaultFontFamily: 'DejaVu Sans' },
});

export async function toSvg(spec: Spec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const escapeXml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The SVG with a text alternative: role="img", an aria-label, and <title>/<desc> as its first children. */
export function withTextAlternative(svg: string, title: string, description: string): string {
  return svg.replace(
    /^<svg([^>]*)>/,
    (_, attrs: string) => `<svg${attrs} role="img" aria-label="${escapeXml(`${title}. ${description}`)}"><title>${escapeXml(title)}</title><desc>${escapeXml(description)}</desc>`,
  );
}

export function toPng(svg: string, scale = 2): Buffer {
  return new Resvg(svg, resvgOptions(scale)).render().asPng();
}

/**
 * The same PNG as toPng, drawn on a thread of libuv's pool: resvg's Rust code
 * runs while this thread goes on with the next chart's SVG (vega), so a
 * report's PNGs cost about no wall time on a second core.
 */
export async function toPngInBackground(svg: string, scale = 2): Promise<Buffer> {
  return (await renderAsync(svg, resvgOptions(scale))).asPng();
}

/** Raw RGBA pixels of an SVG drawn at scale 1 (for checks that text was drawn). */
export function toPixels(svg: string): { width: number; height: number; pixels: Buffer } {
  const image = new Resvg(svg, resvgOptions(1)).render();
  return { width: image.width, height: image.height, pixels: image.pixels };
}

/** A chart for the chart worker to draw, by its place in the list. */
export interface DrawRequest {
  index: number;
  spec: Spec;
}

/** What the chart worker sends back: the chart, or why it could not draw it. */
export type DrawAnswer = { index: number; svg: string; png: Uint8Array } | { index: number; error: string };

/** A chart drawn: the SVG as vega wrote it, and its PNG. */
export interface Drawn {
  svg: string;
  png: Uint8Array;
}

/** Below this many charts a second thread would not be ready before this one is done. */
const WORKER_FROM = 3;

/**
 * Whether a second thread would find a core to run on: the machine's load
 * (the last minute's average) leaves one idle. On a busy machine the worker
 * would only add its own start-up (vega loaded twice) to the same cores.
 */
function idleCore(): boolean {
  return loadavg()[0] <= availableParallelism() - 1;
}

/** The chart worker next to this module: compiled JS in dist/, or TypeScript under tsx/vitest. */
function chartWorker(): Worker {
  const js = fileURLToPath(new URL('../../workers/render.js', import.meta.url));
  if (existsSync(js)) return new Worker(js, { execArgv: [...process.execArgv] });
  return new Worker(fileURLToPath(new URL('../../workers/render.ts', import.meta.url)), { execArgv: [...process.execArgv, '--import', 'tsx'] });
}

/**
 * Draws every chart, in order of the list. This thread and (from
 * WORKER_FROM charts) a chart worker each take the next chart not yet
 * taken; a chart the worker could not draw (or that it held when it died)
 * is drawn here, so the worker only ever saves time.
 */
export async function drawCharts(specs: Spec[]): Promise<Drawn[]> {
  const out: Promise<Drawn>[] = [];
  const retry: number[] = [];
  let next = 0;
  let worker: Worker | undefined;
  let held: number | undefined;
  let workerDone = () => {};
  const finished = new Promise<void>((resolve) => (workerDone = resolve));
  const stop = () => {
    if (held !== undefined) retry.push(held);
    held = undefined;
    if (worker) void worker.terminate();
    worker = undefined;
    workerDone();
  };
  const feed = () => {
    if (!worker || next >= specs.length) return stop();
    held = next++;
    worker.postMessage({ index: held, spec: specs[held] } satisfies DrawRequest);
  };
  if (specs.length >= WORKER_FROM && idleCore()) {
    try {
      worker = chartWorker();
      worker.on('message', (answer: DrawAnswer | 'ready') => {
        if (answer !== 'ready') {
          held = undefined;
          if ('error' in answer) retry.push(answer.index);
          else out[answer.index] = Promise.resolve({ svg: answer.svg, png: answer.png });
        }
        feed();
      });
      worker.on('error', stop);
      worker.on('exit', stop);
    } catch {
      stop();
    }
  } else stop();
  try {
    while (next < specs.length) {
      const i = next++;
      const svg = await toSvg(specs[i]);
      out[i] = toPngInBackground(svg).then((png) => ({ svg, png }));
    }
    // Wait for the chart the worker holds; draw here any it gave back.
    await finished;
    for (const i of retry) {
      const svg = await toSvg(specs[i]);
      out[i] = Promise.resolve({ svg, png: toPng(svg) });
    }
  } finally {
    stop();
  }
  return Promise.all(out);
}
