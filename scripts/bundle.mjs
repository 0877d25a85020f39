// The second half of `npm run build`: bundles the command line and the worker
// entry with esbuild, over the files tsc wrote. Node loads ~170 project
// modules plus zod, yaml, commander … one by one (resolve, read,
// compile each: ≈ 0.3 s of every run, and again in every worker thread); a
// bundle is a few files. tsc's output stays in dist/ for `npm run bench`
// (bench/ imports src/ directly) and as the type check; only the two
// entries are replaced, and the scripts the first one runs are added:
//
//   dist/src/cli/bin.js           the `svcsim` command (package.json "bin"):
//                                 scripts/launcher.cjs, which runs
//   dist/src/chunks/cli.cjs       the command line, one CommonJS file, and
//   dist/src/chunks/report.cjs    the report (vega, vega-lite, resvg), loaded
//                                 only to draw, both with V8's code cache
//                                 (see scripts/launcher.cjs)
//   dist/workers/replication.js   the worker thread's entry (src/runner/pool.ts)
//   dist/src/chunks/*.js          chunks the worker entry would share (none
//                                 today: one entry makes one file)
//
// The command line is CommonJS because Node 20 has a code cache only for
// scripts (vm.Script's cachedData), none for ES modules. What differs in
// CommonJS is taken care of here: `import.meta.url` becomes the URL of the
// .cjs file (defined in its first line), dynamic imports become `require`
// (supported: dynamic-import off), and the report is a second script that
// the launcher's `require` loads with its own cache.
//
// Every output sits at the depth of src/runner/, so that pool.ts's path to
// the worker (../../workers/replication.js from its own file) holds in a
// chunk too; the build checks it.
//
// Left outside the bundle, loaded from node_modules at run time: piscina (its
// thread runs its own worker.js, which must share piscina's module instances
// with our worker for move() to work), @resvg/resvg-js (a native addon) and
// cli-progress (required with createRequire, only to draw a bar on a
// terminal: src/runner/progress.ts). hdr-histogram-js is bundled where it
// is imported (a `require` made with createRequire is left to run time).
//
// vega draws text with node-canvas when the optional package `canvas` can be
// imported, and measures it by estimate otherwise. svcsim does not depend on
// it, so the bundle gives vega a vega-canvas that finds no canvas (what
// vega-canvas does in Node when `canvas` is not installed; its own file
// imports `canvas` with a top-level await, which CommonJS cannot hold):
// charts never change with what else happens to be installed, and the
// runtime image needs only the dependencies package.json lists.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const chunks = 'dist/src/chunks';
rmSync(chunks, { recursive: true, force: true });

// The versions of the packages that compile and parse charts, which
// src/report/vegaCache.ts names its cache folder after: found here as it
// finds them at run time outside the bundle (vega-lite and vega from
// src/report/, the others from vega), so that a run does not read the same
// six package.json files every time.
const chartPackages = [];
{
  const packageDir = (name, from) => {
    for (let dir = dirname(createRequire(from).resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).name === name) return dir;
    }
    throw new Error(`bundle: no package.json of ${name}`);
  };
  const from = resolve('src/report/vegaCache.ts');
  const vega = createRequire(from).resolve('vega');
  for (const [name, at] of [['vega-lite', from], ['vega', from], ...['vega-parser', 'vega-functions', 'vega-expression', 'vega-util'].map((n) => [n, vega])]) {
    const dir = packageDir(name, at);
    chartPackages.push({ name, version: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version });
  }
}
const chartCodeVersions = chartPackages.map((p) => `${p.name}@${p.version}`).join(' ');

/**
 * A plugin that rewrites one file of a package as it is bundled, each
 * [from, to] once; the build fails, naming the plugin, when the file no
 * longer holds a `from` (a new version of the package).
 */
function rewrite(name, filter, edits) {
  return {
    name,
    setup(b) {
      b.onLoad({ filter }, (args) => {
        let source = readFileSync(args.path, 'utf8');
        for (const [from, to] of edits) {
          if (!source.includes(from)) throw new Error(`bundle: ${args.path} no longer has what the ${name} plugin rewrites: ${from.split('\n')[0].trim()}`);
          source = source.replace(from, to);
        }
        return { contents: source, loader: 'js' };
      });
    },
  };
}

const plugins = [
  {
    // zod's 49 translations of its own messages are half of its code (360 KB
    // to compile at every start); svcsim words its messages itself, in
    // English (zod's `en` is imported on its own and stays).
    name: 'no-zod-locales',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'no-zod-locales' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'no-zod-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
    },
  },
  // commander requires node:child_process when it loads, for subcommands
  // that are executables of their own, which svcsim has none of: loading it
  // took ≈ 4 ms of every command. It is required on first use instead.
  rewrite('lazy-child-process', /[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/, [
    ["const childProcess = require('node:child_process');", "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"],
  ]),
  // vega compiles each expression of a chart's dataflow with Function() when
  // the chart's View is made, and the charts of a report repeat them (the
  // what-if: 699 compiled, 203 different; ≈ 14 ms of its main thread). Each
  // is compiled once a process here, and bound to the View's functions as
  // before (every View has them: the function itself is never handed out,
  // so nothing set on one View's function reaches another's).
  rewrite('vega-expressions-once', /[\\/]node_modules[\\/]vega-runtime[\\/]build[\\/]vega-runtime\.js$/, [
    ['function expression(ctx, args, code) {', 'const compiledExpressions = new Map();\nfunction expression(ctx, args, code) {'],
    [
      `  const fn = Function(...args.concat(code));
  return ctx && ctx.functions ? fn.bind(ctx.functions) : fn;`,
      `  if (!(ctx && ctx.functions)) return Function(...args.concat(code));
  const key = args.join(',') + '\\n' + code;
  let fn = compiledExpressions.get(key);
  if (fn === undefined) compiledExpressions.set(key, (fn = Function(...args.concat(code))));
  return fn.bind(ctx.functions);`,
    ],
  ]),
  {
    name: 'no-node-canvas',
    setup(b) {
      b.onResolve({ filter: /^vega-canvas$/ }, () => ({ path: 'vega-canvas', namespace: 'no-node-canvas' }));
      b.onLoad({ filter: /.*/, namespace: 'no-node-canvas' }, () => ({
        contents: 'const none = () => null; export { none as canvas, none as domCanvas, none as nodeCanvas, none as image };',
        loader: 'js',
      }));
    },
  },
];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  charset: 'ascii',
  sourcemap: true,
  external: ['piscina', '@resvg/resvg-js'],
  define: { __SVCSIM_CHART_CODE_VERSIONS__: JSON.stringify(chartCodeVersions) },
  metafile: true,
  logLevel: 'warning',
};

// The worker thread's entry: an ES module and the chunks it imports.
const { metafile } = await build({
  ...common,
  entryPoints: ['workers/replication.ts'],
  outdir: 'dist',
  outbase: '.',
  chunkNames: 'src/chunks/[name]-[hash]',
  splitting: true,
  format: 'esm',
  // Bundled CommonJS code requires Node's own modules; an ES module has no `require` of its own.
  banner: { js: "import { createRequire as __svcsimCreateRequire } from 'node:module'; const require = __svcsimCreateRequire(import.meta.url);" },
  plugins,
});

/**
 * Rewrites a bundled file ASCII only and returns its text. V8 holds a source
 * with any other character as two bytes a character (decoded from UTF-8);
 * an ASCII one the launcher reads as Latin-1, a plain copy. esbuild escapes
 * every string and identifier (charset: ascii), so what is left are comments
 * it keeps, whose characters become '?' (one for one: the source map holds).
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8').replace(/[\u0080-\uffff]/g, '?');
  writeFileSync(file, text);
  return text;
}

// A worker thread then compiles a one-byte source too.
for (const file of Object.keys(metafile.outputs).filter((f) => f.endsWith('.js'))) asciiOnly(file);

// The command line and the report: two CommonJS scripts. The command line's
// imports of the report become `require('./report.cjs')`, which the
// launcher's `require` answers.
const toReport = {
  name: 'report-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/report\/index\.js$/ }, (args) => (/[\\/]src[\\/]cli[\\/]/.test(args.importer) ? { path: './report.cjs', external: true } : undefined));
  },
};
const scripts = {};
/** Node's CommonJS wrapper (Module.wrap), which the launcher's Script runs the bundle in. */
const MODULE_WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n});'];
if (createRequire(import.meta.url)('node:module').wrap('') !== MODULE_WRAPPER.join('')) throw new Error("bundle: Node's module wrapper is not the one scripts/bundle.mjs writes");
for (const [name, entry, extra] of [
  ['cli.cjs', 'src/cli/bin.ts', [toReport]],
  ['report.cjs', 'src/report/index.ts', []],
]) {
  const out = join(chunks, name);
  const result = await build({
    ...common,
    entryPoints: [entry],
    outfile: out,
    format: 'cjs',
    supported: { 'dynamic-import': false },
    define: { ...common.define, 'import.meta.url': '__svcsimModuleUrl' },
    // Written already wrapped as Node wraps a CommonJS module (Module.wrap), which the launcher would
    // otherwise do: the joined copy of the whole text, flattened for V8, was 1.9 MB more to allocate.
    banner: { js: `${MODULE_WRAPPER[0]}const __svcsimModuleUrl = require('node:url').pathToFileURL(__filename).href;` },
    footer: { js: MODULE_WRAPPER[1] },
    plugins: [...plugins, ...extra],
  });
  const text = asciiOnly(out);
  if (text.startsWith('#!')) throw new Error(`bundle: ${out} starts with a #! line, which a script compiled by the launcher cannot hold`);
  const loose = Object.values(result.metafile.outputs).flatMap((o) => o.imports).filter((i) => i.external && /^\.\.?\//.test(i.path) && i.path !== './report.cjs');
  if (loose.length > 0) throw new Error(`bundle: ${name} requires ${loose.map((i) => i.path).join(', ')}, which the launcher does not load`);
  scripts[name] = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const inputs = Object.keys(result.metafile.inputs).join(' ');
  if (name === 'cli.cjs' && /= require\("node:child_process"\)/.test(text)) throw new Error('bundle: cli.cjs requires node:child_process when it loads (see the lazy-child-process plugin)');
  if (name === 'cli.cjs' && /node_modules\/vega/.test(inputs)) throw new Error("bundle: cli.cjs holds the report's code (vega): a command that draws nothing would compile it");
}

// The `svcsim` command itself: the launcher, with each script's content hash
// (its code cache is named after it, so a new build never reads an old cache).
// It is CommonJS, at the path package.json's "bin" names: its folder gets a
// package.json of its own that says so, and loses tsc's ES modules of
// src/cli/, which that would misread (the bundle holds their code; nothing
// in dist/ imports them).
const launcher = readFileSync('scripts/launcher.cjs', 'utf8').replace('__SVCSIM_SCRIPT_HASHES__', JSON.stringify(scripts));
if (!launcher.includes(JSON.stringify(scripts))) throw new Error('bundle: scripts/launcher.cjs has no __SVCSIM_SCRIPT_HASHES__ to fill in');
rmSync('dist/src/cli', { recursive: true, force: true });
mkdirSync('dist/src/cli');
writeFileSync('dist/src/cli/package.json', '{ "type": "commonjs" }\n');
writeFileSync('dist/src/cli/bin.js', launcher);
chmodSync('dist/src/cli/bin.js', 0o755);

// pool.ts finds the worker at ../../workers/replication.js from the file it is in.
for (const dir of [chunks, 'dist/src/runner']) {
  const worker = resolve(dir, '../../workers/replication.js');
  if (!existsSync(worker)) throw new Error(`bundle: the worker entry is not at ${worker}, where ${dir}/ looks for it`);
}
for (const name of Object.keys(scripts)) if (!existsSync(join(chunks, name))) throw new Error(`bundle: no ${name} in ${chunks}`);

// What a worker thread loads before its first replication: the files the
// worker entry imports, statically, all the way down. The only package among
// them may be hdr-histogram-js, with its own dependencies: zod and yaml are
// the main thread's (building the scenario schema cost each worker ≈ 0.1 s).
const loaded = new Set();
const visit = (file) => {
  if (loaded.has(file)) return;
  loaded.add(file);
  for (const i of metafile.outputs[file].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
};
visit('dist/workers/replication.js');
const hdr = JSON.parse(readFileSync('node_modules/hdr-histogram-js/package.json', 'utf8'));
const allowed = new Set(['hdr-histogram-js', ...Object.keys(hdr.dependencies ?? {})]);
const packageOf = (input) => input.split('/').slice(1, input.startsWith('node_modules/@') ? 3 : 2).join('/');
const packages = new Set([...loaded].flatMap((f) => Object.keys(metafile.outputs[f].inputs)).filter((input) => input.startsWith('node_modules/')).map(packageOf));
const unwanted = [...packages].filter((p) => !allowed.has(p));
if (unwanted.length > 0) throw new Error(`bundle: the worker thread would load ${unwanted.join(', ')} (see which source imports it: a worker needs none)`);
