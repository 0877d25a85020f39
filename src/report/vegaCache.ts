/**
 * vega-lite → vega → vega's dataflow description ("runtime"), made once per
 * chart shape. A chart's vega-lite spec is its shape (marks, encodings,
 * scales, titles) plus inline data; neither vega-lite nor vega's parser
 * reads inline data (vega-lite only compares data sets, to share equal ones;
 * the parser hands them to the dataflow to ingest when it runs), so the
 * runtime of a shape serves every data set drawn in it. Repeated what-ifs of
 * one scenario draw the same shapes with new numbers: the parsed shapes are
 * kept on disk, and a run whose shapes are all known neither loads vega-lite
 * nor compiles nor parses (together ≈ 0.06 s a chart in a fresh process,
 * and 0.06 s to load vega-lite).
 *
 * The cache is `$SVCSIM_CACHE_DIR`, else `$XDG_CACHE_HOME/svcsim`, else
 * `~/.cache/svcsim` (when the home folder exists), in a folder per set of
 * versions of the packages that compile and parse; `SVCSIM_NO_CACHE=1`
 * turns it off. It keeps the 256 shapes used last (by file time). It is
 * only ever a shortcut: files are written whole (a temporary file renamed)
 * and carry a hash of their runtime, and a file that cannot be read or
 * written, is not JSON or does not match its hash means compiling. Drawn
 * from the cache or not, a chart is the same bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, type Runtime } from 'vega';
import type { Spec } from './charts/common.js';

/** How many shapes the cache keeps (each file is 20–150 kB); writing one more drops the oldest. */
const MAX_ENTRIES = 256;
const MARK = '__svcsim_data__';
/** What comes between a cache file's hash and its runtime. */
const RUNTIME_KEY = '","runtime":';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The versions of the code a runtime comes from: vega-lite (compile) and
 * vega's parser with the expression code generator it uses, read from their
 * package.json files (vega-lite's exports name no package.json: found next
 * to its entry). Undefined when one cannot be found: no cache then.
 */
function codeVersions(): string | undefined {
  if (versionsFound === null) versionsFound = typeof __SVCSIM_CHART_CODE_VERSIONS__ === 'string' ? __SVCSIM_CHART_CODE_VERSIONS__ : findVersions();
  return versionsFound;
}
/**
 * The same string, found by scripts/bundle.mjs when it bundles these
 * packages (reading six package.json files at run time took ≈ 10 ms);
 * undeclared outside the bundle (tests, tsc's dist/).
 */
declare const __SVCSIM_CHART_CODE_VERSIONS__: string | undefined;
/** Looked up once per process (null: not yet). */
let versionsFound: string | undefined | null = null;

function findVersions(): string | undefined {
  const versionOf = (name: string, from: string): string => {
    const entry = createRequire(from).resolve(name);
    for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return `${name}@${pkg.version}`;
    }
    throw new Error(`no version of ${name}`);
  };
  try {
    const vega = createRequire(import.meta.url).resolve('vega');
    return [versionOf('vega-lite', import.meta.url), versionOf('vega', import.meta.url), ...['vega-parser', 'vega-functions', 'vega-expression', 'vega-util'].map((n) => versionOf(n, vega))].join(' ');
  } catch {
    return undefined;
  }
}

/**
 * svcsim's cache folder: `$SVCSIM_CACHE_DIR`, else `$XDG_CACHE_HOME/svcsim`,
 * else `~/.cache/svcsim` when the home folder exists; undefined when
 * `SVCSIM_NO_CACHE=1` or there is none. Chart shapes (here) and chart fonts
 * (fonts.ts) each have folders of their own in it; so has the code cache of
 * scripts/launcher.cjs, whose cacheFolder() is this function's twin (a test
 * holds the two to the same folder).
 */
export function cacheBase(): string | undefined {
  if (process.env.SVCSIM_NO_CACHE === '1') return undefined;
  const home = (): string | undefined => {
    try {
      const dir = homedir();
      return existsSync(dir) ? dir : undefined;
    } catch {
      return undefined;
    }
  };
  const own = process.env.SVCSIM_CACHE_DIR || (process.env.XDG_CACHE_HOME && join(process.env.XDG_CACHE_HOME, 'svcsim'));
  const fallback = own ? undefined : home();
  return own || (fallback && join(fallback, '.cache', 'svcsim')) || undefined;
}

/** The cache folder for this code, or undefined (turned off, no home folder, versions unknown). */
function cacheDir(): string | undefined {
  const base = cacheBase();
  const versions = base && codeVersions();
  return versions && join(base, `runtimes-${sha256(versions).slice(0, 16)}`);
}

/**
 * The cached runtime of a shape, if its file is there, whole and unchanged
 * (its hash matches). The file is `{"shape":…,"sha256":"…","runtime":…}` as
 * writeEntry lays it out, so the shape is compared as text and the hash is
 * taken over the runtime's own text, which is the only part parsed: no
 * second JSON.stringify of the runtime to check it (≈ 3 ms a chart).
 */
function readEntry(file: string, shape: string): Runtime | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    const head = `{"shape":${JSON.stringify(shape)},"sha256":"`;
    const runtimeAt = head.length + 64 + RUNTIME_KEY.length;
    if (!text.startsWith(head) || !text.startsWith(RUNTIME_KEY, runtimeAt - RUNTIME_KEY.length) || !text.endsWith('}')) return undefined;
    const runtimeText = text.slice(runtimeAt, -1);
    if (sha256(runtimeText) !== text.slice(head.length, head.length + 64)) return undefined;
    const runtime = JSON.parse(runtimeText) as Runtime;
    try {
      // Used now: the last to be dropped (a read-only cache is still read).
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // Dropped sooner, no more.
    }
    return runtime;
  } catch {
    return undefined;
  }
}
/** Writes an entry whole (temporary file renamed), then drops the oldest beyond MAX_ENTRIES; every error ignored. */
function writeEntry(dir: string, file: string, shape: string, runtimeText: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `{"shape":${JSON.stringify(shape)},"sha256":"${sha256(runtimeText)}${RUNTIME_KEY}${runtimeText}}`);
    renameSync(tmp, file);
    const entries = readdirSync(dir).filter((f) => f.endsWith('.json'));
    if (entries.length <= MAX_ENTRIES) return;
    const byAge = entries.map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => a.t - b.t || (a.f < b.f ? -1 : 1));
    for (const { f } of byAge.slice(0, entries.length - MAX_ENTRIES)) rmSync(join(dir, f), { force: true });
  } catch {
    // A cache that cannot be written only means compiling next time.
  }
}

/** Equality as vega-lite's own deepEqual (fast-deep-equal) sees it: the data sets it would share. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (a.constructor !== b.constructor) return false;
    if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a !== a && b !== b;
}

/**
 * The spec's shape: every inline `values` array replaced by a marker row
 * naming its data set (equal data sets, one marker), and the data sets.
 */
function shapeOf(spec: Spec): { shape: unknown; datasets: unknown[][] } {
  const datasets: unknown[][] = [];
  const marker = (values: unknown[]) => {
    let i = datasets.findIndex((d) => deepEqual(d, values));
    if (i < 0) i = datasets.push(values) - 1;
    return [{ [MARK]: i }];
  };
  const walk = (x: unknown, key?: string): unknown => {
    if (Array.isArray(x)) return x.map((y) => walk(y));
    if (!x || typeof x !== 'object') return x;
    if (key === 'data' && Array.isArray((x as { values?: unknown }).values)) {
      const { values, ...rest } = x as { values: unknown[] };
      return { ...(walk(rest) as object), values: marker(values) };
    }
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v, k)]));
  };
  return { shape: walk(spec), datasets };
}

/** The data set a marker row stands for, if `values` is one. */
function markerOf(values: unknown): number | undefined {
  if (!Array.isArray(values) || values.length !== 1) return undefined;
  const row = values[0] as Record<string, unknown> | null;
  return row && typeof row === 'object' && typeof row[MARK] === 'number' && Object.keys(row).length === 1 ? row[MARK] : undefined;
}

/** The rows a data operator ingests: `{ type: 'collect', value: { $ingest: rows } }`. */
const ingested = (op: Runtime['operators'][number]): unknown => (op.value && typeof op.value === 'object' ? (op.value as { $ingest?: unknown }).$ingest : undefined);

/** The runtime with each marker row replaced by its data set (the arrays themselves, as the parser would have put them). */
function withData(runtime: Runtime, datasets: readonly unknown[][]): Runtime {
  return {
    ...runtime,
    operators: runtime.operators.map((op) => {
      const i = markerOf(ingested(op));
      return i === undefined ? op : { ...op, value: { ...(op.value as object), $ingest: datasets[i] } };
    }),
  };
}

/** Every data set is ingested by an operator, and no marker is anywhere else. */
function markersIntact(runtime: Runtime, datasets: number): boolean {
  const placed = runtime.operators.flatMap((op) => {
    const i = markerOf(ingested(op));
    return i === undefined ? [] : [i];
  });
  const anywhere = JSON.stringify(runtime).split(`"${MARK}"`).length - 1;
  return anywhere === placed.length && new Set(placed).size === datasets;
}

/** vega's runtime of a vega-lite spec: the cached parse of its shape, or vega-lite's compile and vega's parse (then cached). */
export async function runtimeOf(spec: Spec): Promise<Runtime> {
  const { shape, datasets } = shapeOf(spec);
  const dir = cacheDir();
  const text = JSON.stringify(shape);
  const file = dir && join(dir, `${sha256(text).slice(0, 32)}.json`);
  const cached = file && readEntry(file, text);
  if (cached) return withData(cached, datasets);
  const { compile } = await import('vega-lite');
  const runtimeText = JSON.stringify(parse(compile(shape as Spec).spec));
  // Read back as the cache would give it, so that a chart is drawn from the same runtime either way.
  const runtime = JSON.parse(runtimeText) as Runtime;
  if (!markersIntact(runtime, datasets.length)) return parse(compile(spec).spec);
  if (dir && file) writeEntry(dir, file, text, runtimeText);
  return withData(runtime, datasets);
}
