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
 * The cache is `$SVCSIM_CACHE_DIR`, in a folder per vega-lite and vega
 * version (with ON_BY_DEFAULT, else `$XDG_CACHE_HOME/svcsim`, else
 * `~/.cache/svcsim`; `SVCSIM_CACHE_DIR=off` turns it off). It is only ever a shortcut: a file
 * that cannot be read, written or parsed means compiling, and files are
 * written whole (a temporary file renamed), so concurrent runs never read
 * half of one. Drawn from the cache or not, a chart is the same bytes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, type Runtime } from 'vega';
import type { Spec } from './charts/common.js';

/** Beyond this many compiled shapes the cache stops growing (each is 20–150 kB). */
const MAX_ENTRIES = 500;
const MARK = '__svcsim_data__';

/** A package's version, from its package.json (which vega-lite's exports do not name), without loading it. */
function versionOf(name: string): string {
  const main = createRequire(import.meta.url).resolve(name);
  const pkg = JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as { name?: string; version?: string };
  if (pkg.name !== name || !pkg.version) throw new Error(`${name} has no version`);
  return pkg.version;
}

/** Whether the cache is used without SVCSIM_CACHE_DIR naming a folder (off until the lead decides: no state outside the results folder by default). */
const ON_BY_DEFAULT = false;

/** The cache folder of this vega-lite and vega, or undefined (turned off, or a version unknown). */
function cacheDir(): string | undefined {
  const own = process.env.SVCSIM_CACHE_DIR;
  if (own === 'off' || (!own && !ON_BY_DEFAULT)) return undefined;
  try {
    const base = own || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'svcsim');
    return join(base, `vega-lite-${versionOf('vega-lite')}-vega-${versionOf('vega')}`);
  } catch {
    return undefined;
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
  const file = dir && join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 32)}.json`);
  if (file)
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as { shape: string; runtime: Runtime };
      if (cached.shape === text) return withData(cached.runtime, datasets);
    } catch {
      // Not cached yet (or unreadable): compile.
    }
  const { compile } = await import('vega-lite');
  const entry = JSON.stringify({ shape: text, runtime: parse(compile(shape as Spec).spec) });
  // Read back as the cache would give it, so that a chart is drawn from the same runtime either way.
  const { runtime } = JSON.parse(entry) as { runtime: Runtime };
  if (!markersIntact(runtime, datasets.length)) return parse(compile(spec).spec);
  if (dir && file)
    try {
      mkdirSync(dir, { recursive: true });
      if (readdirSync(dir).length < MAX_ENTRIES) {
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, entry);
        renameSync(tmp, file);
      }
    } catch {
      // A cache that cannot be written only means compiling next time.
    }
  return withData(runtime, datasets);
}
