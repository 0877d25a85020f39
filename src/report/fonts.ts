/**
 * The fonts resvg draws chart text with: DejaVu Sans, cut down to the
 * characters charts use, kept in svcsim's cache folder.
 *
 * resvg-js 2.6 reads a font file whole every time it shapes or draws a run of
 * text (its font database holds file paths, not bytes): a 6-chart report
 * read the two 740 kB DejaVu files ≈ 2900 times, ≈ 2 GB copied on libuv's
 * pool, ≈ 0.2 s of CPU, and the memory it lands in is fresh pages as often as
 * not. The same faces with only the glyphs of Latin text, punctuation,
 * arrows and mathematical signs are ≈ 80 kB each.
 *
 * The cut is HarfBuzz's own subsetter (hb-subset, the harfbuzzjs package's
 * WebAssembly build, run once and then cached): every glyph keeps its number
 * (RETAIN_GIDS), and the layout tables (every feature and script), the names
 * and the metrics stay, so each kept character is shaped and drawn exactly as
 * from the whole file (a test compares every fixture chart's pixels). A chart
 * with any character outside those ranges, or a character reference, is
 * drawn from the whole files; so is every chart when there is no cache
 * folder (`SVCSIM_NO_CACHE=1`) or the cut cannot be made.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cacheBase } from './vegaCache.js';

/** The characters kept, as inclusive Unicode ranges. */
const KEPT: readonly (readonly [number, number])[] = [
  [0x20, 0x7e], // ASCII
  [0xa0, 0x17f], // Latin-1 Supplement, Latin Extended-A (± × µ · é …)
  [0x391, 0x3c9], // Greek letters (λ μ σ)
  [0x2010, 0x205e], // General Punctuation (– — ’ … ‰)
  [0x2070, 0x209c], // superscripts and subscripts
  [0x20ac, 0x20ac], // €
  [0x2100, 0x214f], // Letterlike Symbols
  [0x2190, 0x21ff], // Arrows
  [0x2200, 0x22ff], // Mathematical Operators (− ≤ ≥ ≈ ∞)
];

/** hb_subset_flags_t: keep glyph numbers and the .notdef outline. */
const FLAGS = 0x2 | 0x40;

/** Whether every character of an SVG is one the cut-down fonts have (markup included: it is ASCII). */
export function drawnByCutFonts(svg: string): boolean {
  if (svg.includes('&#')) return false;
  for (let i = 0; i < svg.length; i++) {
    const c = svg.charCodeAt(i);
    if ((c >= 0x20 && c <= 0x7e) || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (!KEPT.some(([a, b]) => c >= a && c <= b)) return false;
  }
  return true;
}

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Per cache folder, once a process: the cut-down files (in the order of the whole ones), or undefined when they cannot be had. */
const found = new Map<string, string[] | undefined>();

/** The cut-down copies of `files` (whole font files), from the cache or made now; undefined when there is no cache folder or they cannot be made. */
export function cutFonts(files: readonly string[]): string[] | undefined {
  const base = cacheBase();
  if (!base || files.length === 0) return undefined;
  if (!found.has(base)) found.set(base, findOrMake(base, files));
  return found.get(base);
}

function findOrMake(base: string, files: readonly string[]): string[] | undefined {
  try {
    const wasm = createRequire(import.meta.url).resolve('harfbuzzjs/dist/harfbuzz-subset.wasm');
    const stamp = (f: string) => {
      const s = statSync(f);
      return [f, s.size, s.mtimeMs];
    };
    // A new folder when the whole fonts, the subsetter or the ranges change.
    const dir = join(base, `fonts-${sha256(JSON.stringify([KEPT, FLAGS, stamp(wasm), ...files.map(stamp)])).slice(0, 16)}`);
    const cached = readCut(dir, files.length);
    if (cached) return cached;
    const cut = subset(readFileSync(wasm), files.map((f) => readFileSync(f)));
    mkdirSync(dir, { recursive: true });
    cut.forEach((bytes, i) => {
      const file = join(dir, `${i}-${sha256(bytes).slice(0, 16)}.ttf`);
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, file);
    });
    return readCut(dir, files.length);
  } catch {
    return undefined;
  }
}

/** The folder's cut-down files, each whole (the hash in its name matches), or undefined. */
function readCut(dir: string, count: number): string[] | undefined {
  try {
    const names = readdirSync(dir);
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const name = names.find((n) => n.startsWith(`${i}-`) && n.endsWith('.ttf') && sha256(readFileSync(join(dir, n))).startsWith(n.slice(`${i}-`.length, -'.ttf'.length)));
      if (!name) return undefined;
      out.push(join(dir, name));
    }
    return out;
  } catch {
    return undefined;
  }
}

/** The part of the WebAssembly global used here (this project's TypeScript libraries do not declare it). */
declare const WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object, imports: object) => { exports: unknown } };

/** The C functions of hb-subset used here (pointers and handles are numbers in the module's memory). */
interface HarfBuzz {
  memory: { buffer: ArrayBuffer };
  _initialize(): void;
  malloc(size: number): number;
  free(ptr: number): void;
  hb_blob_create(data: number, length: number, mode: number, userData: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_data(blob: number, length: number): number;
  hb_blob_get_length(blob: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_add(set: number, value: number): void;
  hb_set_clear(set: number): void;
  hb_set_invert(set: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_input_set(input: number, which: number): number;
  hb_subset_input_set_flags(input: number, flags: number): void;
  hb_subset_or_fail(face: number, input: number): number;
}

/** hb_subset_sets_t */
const SETS = { dropTables: 3, nameIds: 4, nameLanguages: 5, layoutFeatures: 6, layoutScripts: 7 };

/** Each font cut down to KEPT by hb-subset (harfbuzzjs's WebAssembly module, which imports nothing). */
function subset(wasm: Buffer, fonts: readonly Buffer[]): Buffer[] {
  const hb = new WebAssembly.Instance(new WebAssembly.Module(wasm), {}).exports as HarfBuzz;
  hb._initialize();
  return fonts.map((font) => {
    const at = hb.malloc(font.length);
    new Uint8Array(hb.memory.buffer, at, font.length).set(font);
    const blob = hb.hb_blob_create(at, font.length, 1 /* HB_MEMORY_MODE_READONLY */, 0, 0);
    const face = hb.hb_face_create(blob, 0);
    hb.hb_blob_destroy(blob);
    const input = hb.hb_subset_input_create_or_fail();
    try {
      const unicodes = hb.hb_subset_input_unicode_set(input);
      for (const [a, b] of KEPT) for (let c = a; c <= b; c++) hb.hb_set_add(unicodes, c);
      // Keep every table (none dropped, not even `kern`), and every name, language, feature and script.
      hb.hb_set_clear(hb.hb_subset_input_set(input, SETS.dropTables));
      for (const all of [SETS.nameIds, SETS.nameLanguages, SETS.layoutFeatures, SETS.layoutScripts]) {
        const set = hb.hb_subset_input_set(input, all);
        hb.hb_set_clear(set);
        hb.hb_set_invert(set);
      }
      hb.hb_subset_input_set_flags(input, FLAGS);
      const cut = hb.hb_subset_or_fail(face, input);
      if (!cut) throw new Error('hb-subset failed');
      const out = hb.hb_face_reference_blob(cut);
      const bytes = Buffer.from(new Uint8Array(hb.memory.buffer, hb.hb_blob_get_data(out, 0), hb.hb_blob_get_length(out)));
      hb.hb_blob_destroy(out);
      hb.hb_face_destroy(cut);
      return bytes;
    } finally {
      hb.hb_subset_input_destroy(input);
      hb.hb_face_destroy(face);
      hb.free(at);
    }
  });
}
