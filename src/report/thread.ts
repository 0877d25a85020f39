/**
 * The chart thread: a worker that loads vega, vega-lite and resvg as soon as
 * a command knows it will draw charts, so that loading them (≈ 0.2–0.3 s)
 * overlaps the replications instead of following them, on a core the
 * simulation leaves idle when it runs in the main thread. The report is then
 * drawn there (writeReport, the same code and files as in this thread), and
 * PNG encoding never holds up this one. vega is loaded in that thread only:
 * this module imports nothing of the report's.
 *
 * When the worker file is missing (a bundle that left it out) the caller
 * draws in its own thread instead.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { PlanAnswer } from './manifest.js';

/** What the chart thread is asked, and what it answers. */
export interface DrawRequest {
  dir: string;
  plan?: PlanAnswer;
}
export type DrawAnswer = { charts: string[] } | { error: string };

/**
 * The line of script the thread starts with: it imports the compiled worker
 * file next to this module, or under tsx/vitest (TypeScript sources) the
 * TypeScript one after registering tsx in the thread (vitest's transform
 * does not reach worker threads, and Node 20 applies no `--import` hooks to
 * a worker's entry). Undefined when neither file is there.
 */
function threadScript(): string | undefined {
  const js = new URL('./chartThread.js', import.meta.url);
  if (existsSync(js)) return `import(${JSON.stringify(js.href)})`;
  const ts = new URL('./chartThread.ts', import.meta.url);
  if (!existsSync(ts)) return undefined;
  const tsx = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ts.href)}); })`;
}

export class ChartThread {
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    // Loading must never keep a process alive that has nothing left to draw.
    worker.unref();
    worker.on('error', (err) => (this.failure = err));
  }

  /** Starts the thread (it begins loading vega at once), or undefined without a worker file. */
  static start(): ChartThread | undefined {
    const script = threadScript();
    // The main thread's flags (--cpu-prof, …) apply to this thread too.
    return script === undefined ? undefined : new ChartThread(new Worker(script, { eval: true, execArgv: [...process.execArgv] }));
  }

  /** Draws the report of a results folder in the thread (see writeReport), then stops the thread. */
  async draw(request: DrawRequest): Promise<{ charts: string[] }> {
    const worker = this.worker;
    worker.ref();
    try {
      const answer = await new Promise<DrawAnswer>((resolve, reject) => {
        if (this.failure) return reject(this.failure);
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the chart thread stopped (exit code ${code}) before it drew the report`)));
        worker.postMessage(request);
      });
      if ('error' in answer) throw new Error(answer.error);
      return answer;
    } finally {
      await worker.terminate();
    }
  }
}
