/**
 * One thread that draws, encodes and writes a report's PNGs, one after
 * another, while the main thread makes the next chart's SVG with vega; once
 * the SVGs are done, the main thread draws those the thread has not started
 * (finish), so that both cores work to the end.
 *
 * Why a thread of our own, and one: resvg-js draws on libuv's pool
 * (renderAsync) but encodes the PNG on the calling thread (asPng: ≈ 25 ms a
 * chart at 2×, on the what-if's critical path), and its allocator (mimalloc,
 * inside the addon) keeps memory per thread and hands freed pages back to
 * the system 10 ms after a free. Each chart at 2× needs two pixmaps and the
 * encoder's buffers (≈ 7 MB each), so every chart drawn on one of the pool's
 * four threads touched fresh pages: ≈ 15 000 page faults for the 6 charts of
 * a what-if, at 10–20 µs each on a virtual machine. Here every chart is drawn
 * and encoded on the same thread, and `MIMALLOC_PURGE_DELAY=-1` (set by the
 * launcher, scripts/launcher.cjs, before the addon loads: mimalloc reads
 * it then) keeps the freed pages for the next chart.
 *
 * The thread's code is a few lines of CommonJS given as text (no file of
 * its own to find from the bundle or from the sources under vitest); it
 * loads resvg-js from where this module finds it. The PNGs are the bytes
 * resvg's sync and async paths both give (the same `render().asPng()`).
 */
import type { ResvgRenderOptions } from '@resvg/resvg-js';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { drawPng, pngOptions } from './render.js';

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeFileSync } = require('node:fs');
const { setFlagsFromString } = require('node:v8');
const { runInNewContext } = require('node:vm');
const { Resvg } = require(workerData.resvg);
const claims = new Int32Array(workerData.claims);
// V8's gc(), taken from a context made while --expose-gc holds, then the flag
// back as it was (V8's code caches carry a hash of its flags).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
setFlagsFromString('--no-expose-gc');
const queue = [];
let pumping = false;
function draw({ id, svg, options, file }) {
  if (id < 0) {
    // The warm-up: drawn and thrown away.
    new Resvg(svg, options).render().asPng();
    return;
  }
  // Drawn here only if the main thread has not taken it meanwhile (PngThread.finish).
  if (Atomics.compareExchange(claims, id, 0, 1) !== 0) return;
  try {
    writeFileSync(file, new Resvg(svg, options).render().asPng());
    parentPort.postMessage({ id });
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
}
// One PNG a turn of the event loop, a (young-generation) collection after
// each: the image's pixels are freed only when its object is collected, by a
// finalizer that runs on the next turn; then the next PNG draws into the
// same memory (without it, ≈ 1 200–1 800 more page faults a chart).
function pump() {
  const job = queue.shift();
  if (job === undefined) {
    pumping = false;
    return;
  }
  draw(job);
  gc({ type: 'minor' });
  setImmediate(pump);
}
parentPort.on('message', (job) => {
  queue.push(job);
  if (!pumping) {
    pumping = true;
    setImmediate(pump);
  }
});
`;

/** The largest chart's size at scale 1 (the what-if's are 976–1124 × 202–411). */
const WARM_WIDTH = 1130;
const WARM_HEIGHT = 420;

interface Done {
  id: number;
  error?: string;
}

interface Job {
  svg: string;
  options: ResvgRenderOptions;
  file: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class PngThread {
  private readonly worker: Worker;
  /** Per job: 0 waiting, 1 taken by the thread, 2 taken by this thread (finish). */
  private readonly claims: Int32Array;
  private readonly jobs: Job[] = [];
  private readonly waiting = new Map<number, Job>();
  private failure: Error | undefined;

  /** A thread for at most `capacity` PNGs. */
  constructor(readonly capacity: number) {
    const claims = new SharedArrayBuffer(4 * capacity);
    this.claims = new Int32Array(claims);
    this.worker = new Worker(SOURCE, {
      eval: true,
      // No flags of the main thread's: this thread only runs resvg's native code.
      execArgv: [],
      workerData: { resvg: createRequire(import.meta.url).resolve('@resvg/resvg-js'), claims },
    });
    this.worker.on('message', ({ id, error }: Done) => {
      const job = this.waiting.get(id);
      this.waiting.delete(id);
      if (error === undefined) job?.resolve();
      else job?.reject(new Error(error));
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const job of this.waiting.values()) job.reject(err);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the PNG thread exited (code ${code})`)));
    // A thread started ahead (warmUp) must not keep the process alive if no report comes (a failed run): held only once it has PNGs to draw.
    this.worker.unref();
  }

  /**
   * Has the thread draw a blank chart as large as the largest one, with text
   * in both faces, and throw it away: the memory of the PNGs to come is
   * touched and resvg's code read in while there is a core to spare (during
   * the replications), not while the charts are drawn.
   */
  warmUp(): void {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WARM_WIDTH}" height="${WARM_HEIGHT}"><rect width="100%" height="100%" fill="#eee"/><text x="20" y="40" font-family="DejaVu Sans" font-size="13">latency p99 (ms) 0123456789</text><text x="20" y="80" font-family="DejaVu Sans" font-size="13" font-weight="bold">Traffic over time</text></svg>`;
    this.worker.postMessage({ id: -1, svg, options: pngOptions(svg), file: '' });
  }

  /** Draws `svg` at `scale` and writes the PNG to `file`; resolves once it is written. */
  draw(svg: string, file: string, scale = 2): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.jobs.length;
    if (id >= this.capacity) return Promise.reject(new Error(`more than ${this.capacity} PNGs asked of the PNG thread`));
    const options = pngOptions(svg, scale);
    return new Promise<void>((resolve, reject) => {
      const job = { svg, options, file, resolve, reject };
      this.jobs.push(job);
      this.waiting.set(id, job);
      this.worker.ref();
      this.worker.postMessage({ id, svg, options, file });
    });
  }

  /**
   * Once the caller has nothing else to do: draws here, from the last, the
   * PNGs the thread has not started, but for the first of them, so that both
   * cores work to the end instead of this one waiting on the thread's queue.
   * The first is left to the thread, which draws it sooner than this one
   * would (here resvg must first load, ≈ 20 ms, and draw into fresh pages).
   */
  finish(): void {
    let first = 0;
    while (first < this.jobs.length && Atomics.load(this.claims, first) !== 0) first++;
    for (let id = this.jobs.length - 1; id > first; id--) {
      if (Atomics.compareExchange(this.claims, id, 0, 2) !== 0) continue;
      const job = this.jobs[id];
      this.waiting.delete(id);
      try {
        writeFileSync(job.file, drawPng(job.svg, job.options));
        job.resolve();
      } catch (err) {
        job.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  /** Ends the thread (after the PNGs asked for have been awaited). */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
