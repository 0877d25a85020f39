/**
 * The fonts resvg draws chart text with: DejaVu Sans, cut down to the
 * characters charts use, kept in svcsim's cache folder.
 *
 * resvg-js 2.6 reads a font file whole, into freshly zeroed memory, for
 * every glyph it draws (its font database holds file paths, not bytes): the
 * what-if's 6 charts read the two 740 kB DejaVu files ≈ 2900 times, ≈ 2 GB
 * zeroed and copied on libuv's pool, most of the PNGs' CPU. The same faces
 * with only the glyphs of the characters below are ≈ 40 kB each.
 *
 * The cut is HarfBuzz's own subsetter (hb-subset, the harfbuzzjs package's
 * WebAssembly build, run once and then cached): outlines, metrics, names
 * and every layout feature and script of the kept glyphs stay, hinting
 * instructions (resvg does not hint) go, so each kept character is shaped
 * and drawn exactly as from the whole file (a test compares every fixture
 * chart's pixels; so were the charts of every bundled scenario). A chart
 * with any other character, or a character reference, is drawn from the
 * whole files; so is every chart when there is no cache folder
 * (`SVCSIM_NO_CACHE=1`) or the cut cannot be made.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { cacheBase } from './vegaCache.js';

/**
 * The characters kept, as inclusive Unicode ranges: what chart text is
 * written in (labels, units, numbers, names) with room to spare. Each is a
 * glyph read again for every glyph drawn, so the list stays short.
 */
const KEPT: readonly (readonly [number, number])[] = [
  [0x20, 0x7e], // ASCII
  [0xa0, 0xff], // Latin-1 Supplement (± × µ · ° é)
  [0x391, 0x3a9], // Greek capitals (Δ Σ)
  [0x3b1, 0x3c9], // Greek small letters (λ μ σ)
  [0x2010, 0x2027], // dashes, quotation marks, bullet, ellipsis (– — ’ …)
  [0x2030, 0x203a], // per mille, primes, angle quotation marks
  [0x20ac, 0x20ac], // €
  [0x2190, 0x2195], // arrows (← ↑ → ↓ ↔ ↕)
  [0x21d0, 0x21d4], // double arrows (⇒ ⇔)
  [0x2206, 0x2206], // ∆
  [0x2211, 0x2212], // ∑ −
  [0x221a, 0x221a], // √
  [0x221e, 0x221e], // ∞
  [0x2248, 0x2248], // ≈
  [0x2260, 0x2265], // ≠ ≡ ≤ ≥
];

/** hb_subset_flags_t: keep the .notdef outline, leave out hinting instructions (resvg does not hint). */
const FLAGS = 0x40 | 0x1;

/** A character the cut-down fonts lack (markup is ASCII, so the whole SVG may be searched), or a character reference. */
const LACKED = new RegExp(`[^\\t\\n\\r${KEPT.map(([a, b]) => `\\u{${a.toString(16)}}-\\u{${b.toString(16)}}`).join('')}]|&#`, 'u');

/** Whether every character of an SVG is one the cut-down fonts have. */
export function drawnByCutFonts(svg: string): boolean {
  return !LACKED.test(svg);
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
  // Compiled once by V8's baseline compiler only: it runs for 0.1 s, once per machine, and
  // otherwise V8 goes on optimising all 680 kB of it on other threads (≈ 0.5 s of CPU).
  setFlagsFromString('--liftoff-only');
  let module: object;
  try {
    module = new WebAssembly.Module(wasm);
  } finally {
    // Back, and the two flags --liftoff-only turns off back to their defaults as well: without these, V8's
    // flag hash stayed changed, the code caches the launcher saves at exit carried it, and the next run
    // rejected them and compiled everything again (the second run after a new cache folder; checked: a
    // script's cache made after these lines is taken by a fresh process, one made without them is not).
    setFlagsFromString('--no-liftoff-only');
    setFlagsFromString('--wasm-tier-up');
    setFlagsFromString('--wasm-dynamic-tiering');
  }
  const hb = new WebAssembly.Instance(module, {}).exports as HarfBuzz;
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
