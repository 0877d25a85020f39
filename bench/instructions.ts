/**
 * `npm run bench:instructions`: how many machine instructions one simulated
 * request costs on the hot path, counted rather than timed. These machines
 * are shared: the same build ran the reference scenario at 0.67 M and at
 * 1.12 M requests/s on two evenings, so a change of a few percent cannot be
 * seen in a time. An instruction count can: it is the same on every run.
 *
 * How: each scenario runs twice under valgrind's callgrind, in the same way
 * up to the measured replication (two warm-up replications, so the JIT has
 * settled) and then with N₁ or N₂ simulated requests. V8 writes where it put
 * each compiled function (`--perf-basic-prof`), callgrind counts the
 * instructions at every address (`--dump-instr=yes`); the two are joined to
 * give each JavaScript function's instructions, and the difference between
 * the two runs divided by N₂ − N₁ is that function's cost per request in the
 * steady state, set-up and warm-up cancelled out. With
 * `--no-concurrent-recompilation` (as `svcsim` runs) the JIT does the same
 * work in both runs, and these per-function counts agree to the instruction
 * from run to run; the total of the whole process also carries the
 * compiler's and the garbage collector's work, which moves by a few percent,
 * so the figure to compare is the hot path's: svcsim's own functions, the
 * packages they call and the V8 builtins they call (a Map's get and set,
 * Math.log …).
 *
 * Needs valgrind (`apt-get install valgrind`); two runs at a time, about a
 * minute per scenario on these machines.
 *
 *   node dist/bench/instructions.js [reference|mm4|affinity ...] [--top N]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runReplication } from '../src/sim/replication.js';
import { chainScenario } from './calls.js';
import { clusterScenario } from './cluster.js';
import { mm4, referenceScenario, resolvedScenario } from './reference.js';

const SELF = fileURLToPath(import.meta.url);

/** Each scenario at a size in simulated requests (on average); the first two run when none is named. */
const SCENARIOS: Record<string, { scenario: (requests: number) => object; warm: number; n1: number; n2: number }> = {
  reference: { scenario: (n) => referenceScenario(n / 20000), warm: 100_000, n1: 40_000, n2: 160_000 },
  mm4: { scenario: (n) => mm4(n), warm: 200_000, n1: 50_000, n2: 250_000 },
  // 1000 nodes, 3000 pods, ClientIP affinity, 10 000 clients at 20 000/s (npm run bench's affinity line).
  affinity: { scenario: (n) => clusterScenario({ nodes: 1000, pods: 3000, affinity: true, seconds: n / 20000 }), warm: 100_000, n1: 40_000, n2: 160_000 },
  // A chain of 1 and of 3 Services (npm run bench's calls line): cost per edge request.
  chain1: { scenario: (n) => chainScenario(1, n), warm: 100_000, n1: 40_000, n2: 160_000 },
  chain3: { scenario: (n) => chainScenario(3, n), warm: 100_000, n1: 40_000, n2: 160_000 },
};
const DEFAULT_SCENARIOS = ['reference', 'mm4'];

/** Child: two warm-up replications, then the measured one; prints its simulated requests. */
function child(name: string, requests: number): void {
  const { scenario, warm } = SCENARIOS[name];
  const run = (n: number) => runReplication(resolvedScenario(scenario(n), `${name}.yaml`), { variant: 0, replication: 0, rootSeed: 1 });
  run(warm);
  run(warm);
  console.log(`REQUESTS ${run(requests).simulatedRequests}`);
}

interface Counted {
  requests: number;
  /** Instructions by function: `JS name file:line` for compiled JavaScript, the symbol for native code. */
  byFunction: Map<string, number>;
  total: number;
}

/** Runs one child under callgrind and counts its instructions by function. */
async function counted(name: string, requests: number): Promise<Counted> {
  const out = join(tmpdir(), `svcsim-callgrind-${process.pid}-${name}-${requests}.out`);
  const args = ['--tool=callgrind', '--dump-instr=yes', `--callgrind-out-file=${out}`, process.execPath, '--no-concurrent-recompilation', '--perf-basic-prof', SELF, '--child', name, String(requests)];
  const stdout = await new Promise<string>((done, fail) => {
    const p = spawn('valgrind', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (text += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', fail);
    p.on('close', (code) => (code === 0 ? done(text) : fail(new Error(`valgrind exited ${code}: ${err.slice(-1500)}`))));
  });
  const simulated = Number(/REQUESTS (\d+)/.exec(stdout)?.[1]);
  const text = readFileSync(out, 'utf8');
  rmSync(out, { force: true });
  const pid = /^pid: (\d+)$/m.exec(text)?.[1];
  const mapFile = `/tmp/perf-${pid}.map`;
  const jit = existsSync(mapFile) ? readPerfMap(mapFile) : [];
  rmSync(mapFile, { force: true });
  const { byFunction, total } = byFunctionOf(text, jit);
  return { requests: simulated, byFunction, total };
}

interface JitCode {
  start: number;
  end: number;
  name: string;
}

/** V8's perf map: `start size name` per compiled function, sorted by start. */
function readPerfMap(file: string): JitCode[] {
  const codes: JitCode[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m) codes.push({ start: parseInt(m[1], 16), end: parseInt(m[1], 16) + parseInt(m[2], 16), name: m[3] });
  }
  return codes.sort((a, b) => a.start - b.start);
}

/** `JS:*run file:///…/dist/src/sim/simulation.js:134:8` → `JS run src/sim/simulation.js:134` (tiers and the folder up to `dist…/` dropped, so a copy of a build reads the same). */
function jsName(name: string): string {
  const m = /^JS:[*^~+]?(\S*) (?:file:\/\/)?(\S+?)(?::\d+)?$/.exec(name);
  if (!m) return name;
  const file = m[2].replace(/^.*\/dist[^/]*\//, '').replace(/^.*\/node_modules\//, '');
  return `JS ${m[1] || '(anonymous)'} ${file}`;
}

/**
 * Self instructions by function from a callgrind file written with
 * --dump-instr=yes: cost lines are `address line cost` (addresses absolute,
 * `+n`/`-n` relative to the last, or `*` the same); the line after `calls=`
 * is a call's inclusive cost and is not the caller's own. An address inside
 * JIT code is named from the perf map, any other by callgrind's `fn=`.
 */
function byFunctionOf(text: string, jit: JitCode[]): { byFunction: Map<string, number>; total: number } {
  const names = new Map<string, string>();
  const byFunction = new Map<string, number>();
  let fn = '';
  let address = 0;
  let afterCalls = false;
  let total = 0;
  let lastCode: JitCode | undefined;
  const codeAt = (a: number): JitCode | undefined => {
    if (lastCode && a >= lastCode.start && a < lastCode.end) return lastCode;
    let lo = 0;
    let hi = jit.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (jit[mid].start <= a) lo = mid + 1;
      else hi = mid - 1;
    }
    const c = hi >= 0 && a < jit[hi].end ? jit[hi] : undefined;
    if (c) lastCode = c;
    return c;
  };
  for (const line of text.split('\n')) {
    const c = line.charCodeAt(0);
    if (line.startsWith('fn=') || line.startsWith('cfn=')) {
      const m = /^c?fn=\((\d+)\)(?: (.*))?$/.exec(line);
      if (m?.[2] !== undefined) names.set(m[1], m[2]);
      if (line[0] === 'f' && m) fn = names.get(m[1]) ?? m[1];
      continue;
    }
    if (line.startsWith('calls=')) {
      afterCalls = true;
      continue;
    }
    // A cost line: digits (an absolute address), '+', '-' or '*'.
    if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42) {
      const space = line.indexOf(' ');
      const head = line.slice(0, space);
      address = head === '*' ? address : c === 43 ? address + Number(head.slice(1)) : c === 45 ? address - Number(head.slice(1)) : Number(head);
      if (afterCalls) {
        afterCalls = false;
        continue;
      }
      const cost = Number(line.slice(line.lastIndexOf(' ') + 1));
      total += cost;
      const code = codeAt(address);
      const key = code ? jsName(code.name) : fn;
      byFunction.set(key, (byFunction.get(key) ?? 0) + cost);
    }
  }
  return { byFunction, total };
}

/** svcsim's hot path: its own functions, the packages they call, the V8 builtins they call (Map, Math.log …). */
const onHotPath = (key: string) => (key.startsWith('JS ') && (key.includes('src/') || !key.includes('node:'))) || key.startsWith('Builtin:') || key.includes('ieee754');

async function measure(name: string, top: number): Promise<void> {
  const { n1, n2 } = SCENARIOS[name];
  const [a, b] = await Promise.all([counted(name, n1), counted(name, n2)]);
  const requests = b.requests - a.requests;
  const perRequest = new Map<string, number>();
  for (const key of new Set([...a.byFunction.keys(), ...b.byFunction.keys()])) perRequest.set(key, ((b.byFunction.get(key) ?? 0) - (a.byFunction.get(key) ?? 0)) / requests);
  const hot = [...perRequest].filter(([k]) => onHotPath(k));
  const hotTotal = hot.reduce((s, [, v]) => s + v, 0);
  console.log(`${name}: ${Math.round(hotTotal)} instructions per simulated request on the hot path (whole process: ${Math.round((b.total - a.total) / requests)}, with the compiler and the garbage collector); ${a.requests} and ${b.requests} requests`);
  for (const [k, v] of hot.sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${v.toFixed(0).padStart(6)}  ${k}`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3], Number(process.argv[4]));
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '15' } } });
  const names = positionals.length > 0 ? positionals : DEFAULT_SCENARIOS;
  for (const n of names) if (!(n in SCENARIOS)) throw new Error(`bench:instructions: no scenario ${n} (there are ${Object.keys(SCENARIOS).join(', ')})`);
  const probe = await new Promise<boolean>((done) => spawn('valgrind', ['--version'], { stdio: 'ignore' }).on('error', () => done(false)).on('close', (code) => done(code === 0)));
  if (!probe) {
    console.error('bench:instructions needs valgrind (Debian: apt-get install valgrind); nothing was measured.');
    process.exitCode = 1;
    return;
  }
  console.log(`svcsim instructions per request (node ${process.version}, callgrind)`);
  for (const n of names) await measure(n, Number(values.top));
}

await main();
