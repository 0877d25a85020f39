// Makes docs/scenario-reference.md from the zod schema of the scenario
// (src/scenario/schema.ts), through the same JSON Schema that `svcsim schema`
// gives editors: every field's type, default and description (its
// `.describe()` text) comes from there, so the reference, the editors' hover
// help and the validation can never disagree. Runs under tsx (it imports the
// TypeScript sources):
//
//   node --import tsx scripts/docs-reference.mjs           rewrite docs/scenario-reference.md and svcsim.schema.json (npm run docs:reference)
//   node --import tsx scripts/docs-reference.mjs --check   exit 1 if either committed file differs from what the schema gives
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema } from '../src/cli/schema.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(repo, 'docs/scenario-reference.md');
const SCHEMA = join(repo, 'svcsim.schema.json');
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The schema node a `$ref` points at (only local `#/$defs/...` references occur). */
function deref(root, node) {
  let n = node;
  while (n && n.$ref) {
    const target = n.$ref.replace('#/$defs/', '');
    const { $ref: _ref, ...rest } = n;
    n = { ...root.$defs[target], ...rest, $defName: target };
  }
  return n;
}

const code = (v) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

/** A short type: `Duration`, `integer ≥ 1`, `` `a` \| `b` ``, `list of …`, `map of string → …`. */
function typeOf(root, raw) {
  if (raw.$ref) return raw.$ref.replace('#/$defs/', '');
  const n = raw;
  if (n.const !== undefined) return code(n.const);
  if (n.enum) return n.enum.map(code).join(' | ');
  if (n.anyOf || n.oneOf) {
    const parts = (n.anyOf ?? n.oneOf).map((o) => (o.type === 'object' && o.properties ? objectLabel(o) : typeOf(root, o)));
    return [...new Set(parts)].join(' or ');
  }
  const t = Array.isArray(n.type) ? n.type.join(' or ') : n.type;
  if (t === 'array') return `list of ${n.items ? typeOf(root, n.items) : 'any'}`;
  if (t === 'object') {
    if (n.properties) return 'object';
    if (n.additionalProperties && typeof n.additionalProperties === 'object') return `map of string → ${typeOf(root, n.additionalProperties)}`;
    return 'object';
  }
  if (t === 'integer' || t === 'number') {
    const bounds = [];
    if (n.minimum !== undefined) bounds.push(`≥ ${n.minimum}`);
    if (n.exclusiveMinimum !== undefined) bounds.push(`> ${n.exclusiveMinimum}`);
    if (n.maximum !== undefined && n.maximum < MAX_SAFE) bounds.push(`≤ ${n.maximum}`);
    if (n.exclusiveMaximum !== undefined) bounds.push(`< ${n.exclusiveMaximum}`);
    return [t, ...bounds].join(' ');
  }
  if (t === 'string' && n.pattern) return 'string';
  return t ?? 'any';
}

/** An object alternative of a union, named by its discriminator or its required keys: `{process: schedule}`, `{node}`. */
function objectLabel(o) {
  const discriminator = Object.entries(o.properties).find(([, p]) => p.const !== undefined);
  if (discriminator) return `{${discriminator[0]}: ${discriminator[1].const}}`;
  return `{${(o.required ?? Object.keys(o.properties)).join(', ')}}`;
}

/**
 * The rows of one section: every field under `node`, depth first, as
 * [path, type, default, required, description]. Lists of objects continue as
 * `path[].field`, object alternatives of a union as `path{process: x}.field`.
 */
function rows(root, node, path, out, required = false) {
  const n = deref(root, node);
  const direct = node.$ref ? typeOf(root, node) : typeOf(root, n);
  const description = node.description ?? (node.$ref ? '' : n.description) ?? '';
  // A Duration default given as a bare number is in seconds: say so.
  const def = typeof n.default === 'number' && (direct === 'Duration' || direct === 'Distribution') ? `${n.default}s` : n.default;
  if (path) out.push([path, direct, def, required, description]);
  const recurse = (obj, prefix) => {
    const req = new Set(obj.required ?? []);
    for (const [k, v] of Object.entries(obj.properties ?? {})) rows(root, v, `${prefix}${prefix ? '.' : ''}${k}`, out, req.has(k));
  };
  if (n.$defName) return; // Duration, Rate, Distribution: described once, under Units.
  if (n.type === 'object' && n.properties) recurse(n, path);
  if (n.type === 'array' && n.items) {
    const item = deref(root, n.items);
    if (item.type === 'object' && item.properties) recurse(item, `${path}[]`);
    for (const alt of item.anyOf ?? item.oneOf ?? []) if (alt.type === 'object' && alt.properties) recurse(alt, `${path}[]${objectLabel(alt)}`);
  }
  for (const alt of n.anyOf ?? n.oneOf ?? []) {
    const a = deref(root, alt);
    if (a.type === 'object' && a.properties && Object.keys(a.properties).length > 1) recurse(a, `${path}${objectLabel(a)}`);
  }
}

// Markdown table cells: no bare | or line break, and <name> shown as text rather than taken for an HTML tag.
const cell = (s) => String(s).replaceAll('|', '\\|').replaceAll('\n', ' ').replaceAll('<', '&lt;');

export function generate() {
  const root = scenarioJsonSchema();
  const lines = [
    '<!-- Generated by `npm run docs:reference` from the zod schema in src/scenario/schema.ts: edit the .describe() texts there, not this file. -->',
    '',
    '# Scenario reference',
    '',
    `${root.description} This page lists every field of a scenario file: its type, its default (a field`,
    'without one and marked **required** must be written), and what it means, with the Kubernetes',
    'behaviour it follows. The same text is in `svcsim.schema.json` (`svcsim schema`), so an editor with',
    'the YAML language server shows it on hover; see `scenarios/` for commented examples, and',
    '[model.md](model.md) for the model behind the fields.',
    '',
    'Paths are written as in `--set` and `sweep`: `cluster.nodes[].zone` is the `zone` of each entry of',
    '`cluster.nodes` (`--set` names an entry by its `name`: `cluster.nodes.edge.zone`);',
    '`traffic[].arrival{process: schedule}.steps` is a field of the `schedule` form of `arrival`.',
    '',
    '## Units',
    '',
    '| type | written as |',
    '|---|---|',
  ];
  for (const [name, def] of Object.entries(root.$defs ?? {})) lines.push(`| ${name} | ${cell(def.description ?? '')} |`);
  lines.push('');
  // The object forms of a Distribution, one row per field, so that each parameter is described here too.
  const forms = (root.$defs?.Distribution?.anyOf ?? []).filter((f) => f.properties?.dist?.const !== undefined);
  if (forms.length) {
    lines.push('### Distribution forms', '');
    lines.push('A Distribution written as an object names its kind in `dist`; lognormal, empirical and histogram have two forms each, told apart by the fields given.', '');
    lines.push('| dist | field | type | meaning |', '|---|---|---|---|');
    for (const form of forms) {
      const required = new Set(form.required ?? []);
      for (const [field, node] of Object.entries(form.properties).filter(([k]) => k !== 'dist')) {
        lines.push(`| \`${form.properties.dist.const}\` | \`${field}\`${required.has(field) ? '' : ' (optional)'} | ${cell(typeOf(root, node))} | ${cell(node.description ?? '')} |`);
      }
    }
    lines.push('');
  }
  const req = new Set(root.required ?? []);
  for (const [key, node] of Object.entries(root.properties)) {
    const out = [];
    rows(root, node, key, out, req.has(key));
    const [head, ...fields] = out;
    lines.push(`## \`${key}\``, '');
    lines.push(`${head[3] ? '**Required.** ' : ''}${head[1]}${head[2] !== undefined ? `, default ${code(head[2])}` : ''}.${head[4] ? ` ${cell(head[4])}` : ''}`, '');
    if (fields.length) {
      lines.push('| field | type | default | meaning |', '|---|---|---|---|');
      for (const [path, type, def, required, description] of fields) {
        lines.push(`| \`${path}\` | ${cell(type)} | ${def !== undefined ? cell(code(def)) : required ? '**required**' : ''} | ${cell(description)} |`);
      }
      lines.push('');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

export function schemaText() {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = [
    [OUT, generate()],
    [SCHEMA, schemaText()],
  ];
  if (process.argv.includes('--check')) {
    const stale = files.filter(([f, text]) => readFileSync(f, 'utf8') !== text).map(([f]) => f);
    if (stale.length) {
      process.stderr.write(`docs-reference: ${stale.join(' and ')} differ from what src/scenario/schema.ts gives: run \`npm run docs:reference\` and commit\n`);
      process.exitCode = 1;
    } else process.stderr.write('docs-reference: docs/scenario-reference.md and svcsim.schema.json are what the schema gives\n');
  } else {
    for (const [f, text] of files) writeFileSync(f, text);
    process.stderr.write(`docs-reference: wrote ${files.map(([f]) => f).join(' and ')}\n`);
  }
}
