/**
 * Whole processes timed from outside, and paired: A and B run in turn
 * (A B A B …) and each figure is the median over the runs, the ratio A/B
 * taken pair by pair, so a machine whose speed drifts (it is shared) moves
 * both alike. Peak RSS and CPU seconds come from the process itself
 * (bench/exitStats.mjs, loaded with --import).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ProcessFigures {
  wallSeconds: number;
  cpuSeconds: number;
  peakMB: number;
}

const EXIT_STATS = fileURLToPath(new URL('../../bench/exitStats.mjs', import.meta.url));

/**
 * The Node flags of a script's `#!/usr/bin/env -S node …` line: a script is
 * timed as its command runs it (`svcsim` is the CLI bundle run by its `#!`
 * line, whose flags matter to its speed).
 */
function shebangFlags(script: string | undefined): string[] {
  if (script === undefined || !script.endsWith('.js')) return [];
  const fd = openSync(script, 'r');
  const head = Buffer.alloc(200);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const first = head.subarray(0, n).toString('utf8').split('\n')[0];
  const m = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  return m ? m[1].trim().split(' ').filter(Boolean) : [];
}

export function runProcess(args: string[]): ProcessFigures {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...shebangFlags(args[0]), '--import', EXIT_STATS, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const line = r.stderr.split('\n').find((l) => l.startsWith('BENCH '));
  if (r.status !== 0 || !line) throw new Error(`bench: ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const { peakMB, cpuSeconds } = JSON.parse(line.slice(6)) as { peakMB: number; cpuSeconds: number };
  return { wallSeconds, cpuSeconds, peakMB };
}

export const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export interface Paired {
  a: ProcessFigures;
  b: ProcessFigures;
  /** Medians of A/B pair by pair. */
  wallRatio: number;
  cpuRatio: number;
}

/** A and B as argument lists, or as functions of the run's number (e.g. a results folder of its own for each run). */
type Args = string[] | ((run: number) => string[]);

export function paired(a: Args, b: Args, runs: number): Paired {
  const argsOf = (x: Args, run: number) => (typeof x === 'function' ? x(run) : x);
  const as: ProcessFigures[] = [];
  const bs: ProcessFigures[] = [];
  runProcess(argsOf(a, 0)); // warm the file cache
  runProcess(argsOf(b, 0));
  for (let i = 1; i <= runs; i++) {
    as.push(runProcess(argsOf(a, i)));
    bs.push(runProcess(argsOf(b, i)));
  }
  const med = (xs: ProcessFigures[]): ProcessFigures => ({
    wallSeconds: median(xs.map((x) => x.wallSeconds)),
    cpuSeconds: median(xs.map((x) => x.cpuSeconds)),
    peakMB: median(xs.map((x) => x.peakMB)),
  });
  return {
    a: med(as),
    b: med(bs),
    wallRatio: median(as.map((x, i) => x.wallSeconds / bs[i].wallSeconds)),
    cpuRatio: median(as.map((x, i) => x.cpuSeconds / bs[i].cpuSeconds)),
  };
}

export const fmtProcess = (p: ProcessFigures): string => `${p.wallSeconds.toFixed(2)} s wall, ${p.cpuSeconds.toFixed(2)} s CPU, ${p.peakMB.toFixed(0)} MB peak`;
