#!/usr/bin/env -S node --no-concurrent-recompilation --max-semi-space-size=1
// The `svcsim` command (dist/src/cli/bin.js, written by scripts/bundle.mjs
// from this file). It runs the command line, dist/src/chunks/cli.cjs, and
// when charts are drawn the report, dist/src/chunks/report.cjs, each with
// V8's code cache.
//
// Code cache: compiling the command line's 1.8 MB at every start, and then
// each function the first time it runs, cost ≈ 0.06 s of every command
// (≈ 0.1 s more to draw charts). V8 can instead take back the bytecode it
// compiled in an earlier run (vm.Script's cachedData; Node 20 has this for
// scripts only, not for ES modules, hence the .cjs files). After a command's
// first run the launcher saves what that run compiled, in the cache folder
// of svcsim (`$SVCSIM_CACHE_DIR`, else `$XDG_CACHE_HOME/svcsim`, else
// `~/.cache/svcsim`; none with `SVCSIM_NO_CACHE=1`), under code/, one file
// per script and command, named after the script's content hash, Node's
// version and the machine's architecture: a new build or a new Node never
// reads an old cache. V8 checks the rest (its own version and flags) and
// rejects a cache that does not fit; the launcher then compiles as without
// one and saves a new cache. Nothing of the output depends on the cache; a
// folder that cannot be written only means no cache.
//
// `--no-concurrent-recompilation` (the `#!` line): V8 compiles hot functions
// for its optimising tier on a thread of its own while the code runs on,
// slower, in the meantime. A replication's hot functions take ≈ 0.1 s of such
// compiling; when no core is free for that thread (worker threads, a shared
// machine) the first replication in the main thread ran up to 0.3 s slower
// than the next. Compiled on the spot, it is as fast as the others. The flag
// must be given when Node starts; worker threads get it from pool.ts.
//
// `--max-semi-space-size=1` (the `#!` line): V8's young generation starts
// at two semi-spaces of 1 MB and doubles them, up to 8 MB each here, when
// many objects survive a collection, as they do while a command starts
// (schemas, the scenario, the code cache). On the virtual machines svcsim
// is measured on, touching a page of memory for the first time costs
// ≈ 13 µs (a fault through to the host; 0.1–0.3 µs on bare metal), so
// growing the young generation to 16 MB cost ≈ 4 000 faults, ≈ 50 ms, in
// every command, for collections that then found almost nothing alive
// (a replication's steady state allocates ≈ 270 bytes a request, all dead
// by the next collection). Kept at 1 MB, the collections are more
// frequent, as short, and reuse pages already touched: M/M/4 (10⁶
// requests) 0.96–0.98× wall, the 1-second what-if with charts 0.95×
// (12 pairs each; 2 MB was 1.03× worse for the what-if).
//
// CommonJS (dist/src/cli/package.json says so, written by scripts/bundle.mjs
// beside it): an ES module entry starts Node's ES module loader, which reads
// the entry with fs/promises and, for `import … from 'node:fs'`, builds a
// facade that touches every export of fs, loading its streams too (≈ 12 ms
// of every command, 1.11× a bare start's wall time in 20 pairs).
'use strict';
const { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire, Module } = require('node:module');
const { homedir } = require('node:os');
const { join } = require('node:path');
const { Script } = require('node:vm');

/** Each script's content hash, filled in by scripts/bundle.mjs. */
const HASHES = JSON.parse('__SVCSIM_SCRIPT_HASHES__');
const CHUNKS = join(__dirname, '../chunks');
/** Caches kept per script and command: the newest few (two installs of svcsim on one machine keep theirs). */
const KEEP = 3;

/**
 * src/report/vegaCache.ts's cacheBase(), plus code/; undefined when there is
 * none. Its twin, rule for rule: this file runs before the bundle that holds
 * that one is loaded, and is plain JavaScript outside the TypeScript build.
 */
function cacheFolder() {
  if (process.env.SVCSIM_NO_CACHE === '1') return undefined;
  const home = () => {
    try {
      const dir = homedir();
      return existsSync(dir) ? dir : undefined;
    } catch {
      return undefined;
    }
  };
  const own = process.env.SVCSIM_CACHE_DIR || (process.env.XDG_CACHE_HOME && join(process.env.XDG_CACHE_HOME, 'svcsim'));
  const fallback = own ? undefined : home();
  const base = own || (fallback && join(fallback, '.cache', 'svcsim'));
  return base ? join(base, 'code') : undefined;
}

const folder = cacheFolder();
// The command's first word (run, validate, plan …): each command compiles other functions, so each has its cache.
const command = /^[a-z]{1,16}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
/** Scripts that ran without a usable cache, to save at exit. */
const unsaved = [];
const loaded = new Map();

/**
 * The file's bytes, read into `buffer` when they fit (the script's bytes, no
 * longer needed once its text is made: a cache is smaller than its script),
 * else into a buffer of their own. Every megabyte of memory that a process
 * touches for the first time costs ≈ 3 ms on the virtual machines svcsim is
 * measured on (see `--max-semi-space-size` above).
 */
function readReusing(path, buffer) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > buffer.length) return readFileSync(fd);
    const into = buffer.subarray(0, size);
    let n = 0;
    while (n < size) {
      const got = readSync(fd, into, n, size - n, n);
      if (got === 0) break;
      n += got;
    }
    return into.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function load(name) {
  const done = loaded.get(name);
  if (done) return done.exports;
  const file = join(CHUNKS, name);
  const bytes = readFileSync(file);
  const source = bytes.toString('latin1'); // ASCII (scripts/bundle.mjs makes it so); a copy of its own
  const prefix = `${name}.${name === 'cli.cjs' ? command : 'all'}.`;
  const cacheFile = folder && join(folder, `${prefix}${HASHES[name]}-${process.version}-${process.arch}.v8`);
  let cachedData;
  if (cacheFile) {
    try {
      cachedData = readReusing(cacheFile, bytes);
    } catch {
      cachedData = undefined;
    }
  }
  // The script is its module's function already (scripts/bundle.mjs writes Module.wrap's text around it).
  const script = new Script(source, { filename: file, cachedData });
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) unsaved.push({ script, cacheFile, prefix });
  const module = new Module(file, null);
  module.filename = file;
  module.paths = Module._nodeModulePaths(CHUNKS);
  loaded.set(name, module);
  const own = createRequire(file);
  // The command line requires the report as './report.cjs'; everything else is Node's or node_modules'.
  const chunkRequire = Object.assign((id) => (id === './report.cjs' ? load('report.cjs') : own(id)), { resolve: own.resolve, cache: own.cache, main: own.main });
  script.runInThisContext()(module.exports, chunkRequire, module, file, CHUNKS);
  module.loaded = true;
  return module.exports;
}

// Saved at exit, after the run: the cache then holds every function the run compiled, not just the top level.
// The report's only after a command that succeeded: a run that loaded it and then failed drew no chart, and
// its cache, kept until the next build, would leave every later run compiling the charts' code again.
process.once('exit', (code) => {
  for (const { script, cacheFile, prefix } of unsaved) {
    if (code !== 0 && prefix.startsWith('report.cjs.')) continue;
    // Written aside and renamed: another svcsim starting meanwhile reads the old cache or the new one, never half of one.
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      mkdirSync(folder, { recursive: true });
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
      const old = readdirSync(folder)
        .filter((f) => f.startsWith(prefix) && f.endsWith('.v8'))
        .map((f) => ({ f, t: statSync(join(folder, f)).mtimeMs }))
        .sort((a, b) => b.t - a.t)
        .slice(KEEP);
      for (const { f } of old) rmSync(join(folder, f), { force: true });
    } catch {
      // No cache this time; the next run compiles and tries again.
      try {
        rmSync(tmp, { force: true });
      } catch {
        // Nothing was written there.
      }
    }
  }
});

// Memory for the PNGs: resvg (a native addon) allocates with mimalloc, which
// hands freed pages back to the system 10 ms after a free, so each chart's
// PNG at 2× (two pixmaps and the encoder's buffers, ≈ 7 MB each) touched
// fresh pages, ≈ 15 000 page faults for a what-if's 6 charts at 10–20 µs each
// on a virtual machine. Kept, they serve the next chart drawn on the same
// thread (src/report/pngThread.ts). mimalloc reads this when the addon loads,
// after this line; a value the user set stays.
process.env.MIMALLOC_PURGE_DELAY ??= '-1';

load('cli.cjs');
