/**
 * Loading a scenario file, in the order a user's mistakes can be found:
 *
 * 1. the file is read (`web.yaml: cannot read: no such file`, without a
 *    position; only a regular file of at most 4 MiB, files.ts) and parsed as YAML with the line and column of every node;
 *    a syntax error, an unknown tag, a key that is not a plain name or a
 *    duplicate key is a problem (a duplicate is reported with everything else;
 *    the others stop here, since the document is not what the user meant);
 * 2. `--set PATH=VALUE` overrides are applied to the document as written
 *    (see paths.ts), so units and every check below apply to them;
 * 3. the zod schema checks types, units, unknown keys and missing keys;
 *    sweep paths are checked against the document and the schema;
 * 4. on a schema-valid document only: the Kubernetes rules (rules.ts), and
 *    the files the scenario refers to (empirical distributions and arrival
 *    traces, relative to the scenario file, under its folder, bounded:
 *    files.ts) are read;
 * 5. the defaults that depend on other fields are filled (resolve.ts).
 *
 * Every problem found up to the first step that fails is thrown at once as
 * one ScenarioError, in file order; the loader throws nothing else for any
 * input (a bug inside it becomes a problem that says so).
 */
import { createHash } from 'node:crypto';
import { FileLimitError, MAX_DATA_FILE_BYTES, MAX_SCENARIO_BYTES, OutsideRootsError, outsideRoots, readBoundedFile } from './files.js';
import { dirname, resolve as resolveOnDisk } from 'node:path';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ScenarioError, sortProblems, type Problem, type Warning } from './errors.js';
import { assign, closest, displayPath, flowText, getAt, locate, overlaps, PathError, type Located, type Segment } from './paths.js';
import { resolveScenario } from './resolve.js';
import { checkRules, type Finding } from './rules.js';
import { loadMessage, offeredLoads } from './load-estimate.js';
import { defaultLoadBalancer, scenarioSchema, type Scenario } from './schema.js';
import { allowedKeys, discriminator, literalValues, schemaAt, unionOptions, kindOf } from './shape.js';
import { placeholderFindings } from './placeholders.js';
import { openBucketFindings, parseHistogramFile, parseScheduleFile } from './promFiles.js';
import { loadEmpiricalFile, UnitError } from './units.js';

export interface LoadedScenario {
  /** The file name as the user gave it. */
  file: string;
  /** SHA-256 of the file's bytes as read (hex). */
  sha256: string;
  text: string;
  /** The resolved scenario: every default filled (resolve.ts lists what the engine may rely on). */
  scenario: Scenario;
  /** The scenario as the schema parsed it, before resolution and without the files' data. */
  parsed: Scenario;
  /** The document as written, after `--set`: what sweep values are applied to. */
  raw: unknown;
  warnings: Warning[];
  /** Sweep values as written in the file, per parameter (for variant labels). */
  sweepText: string[][];
  /** Where each sweep parameter's path points in `raw`. */
  sweepTargets: Located[];
}

export interface LoadOptions {
  /** `PATH=VALUE` overrides, applied in order. */
  set?: string[];
}

/** Maps concrete segments to the line and column of their node in the YAML document. */
export class Positions {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /**
   * The node at `segs`: its value, or its key with `atKey`. Where the path
   * leaves the document (a missing key), the deepest node that exists: the
   * mapping that lacks the key.
   */
  at(segs: readonly Segment[], atKey = false): { line: number; column: number } {
    let node: unknown = this.doc.contents;
    let pos = rangeStart(node) ?? 0;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        if (atKey && i === segs.length - 1) {
          pos = rangeStart(pair.key) ?? pos;
          break;
        }
        node = pair.value;
        pos = rangeStart(node) ?? rangeStart(pair.key) ?? pos;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        node = node.items[seg];
        pos = rangeStart(node) ?? pos;
      } else break;
    }
    const { line, col } = this.lines.linePos(pos);
    return { line, column: col };
  }

  /** The source text of the node at `segs`, if it is a plain (unquoted) scalar. */
  plainText(segs: readonly Segment[], text: string): string | undefined {
    const node = this.doc.getIn(segs as Segment[], true) as Node | undefined;
    if (!isScalar(node) || node.type !== 'PLAIN' || !node.range) return undefined;
    return text.slice(node.range[0], node.range[1]).trim();
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/** Where a problem at `segs` is reported: its line and column, or line 0 and a note when the value is not from the file. */
export type Place = (segs: readonly Segment[], atKey?: boolean) => { line: number; column: number; note?: string };

function problemAt(file: string, raw: unknown, place: Place, segs: Segment[], message: string, atKey = false): Problem {
  const { line, column, note } = place(segs, atKey);
  return { file, line, column, path: displayPath(raw, segs), message: note ? `${message} (${note})` : message };
}

// -------------------------------------------------------------------- YAML

interface Parsed {
  doc: Document;
  positions: Positions;
  raw: Record<string, unknown>;
  /** Duplicate keys: reported with the rest. */
  duplicates: Problem[];
}

/** Parses YAML text; throws a ScenarioError for anything that keeps it from being a mapping of plain keys. */
/** The YAML parser recurses per level: a document nested thousands deep overflows its stack. Said in the user's words. */
const tooDeep = (message: string) => (/call stack/i.test(message) ? 'nested too deeply (a scenario is at most 200 levels deep)' : message);

function readYaml(text: string, file: string): Parsed {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false, strict: true, merge: true });
  const problems: Problem[] = [];
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  for (const e of [...doc.errors, ...doc.warnings]) {
    problems.push({ file, ...at(e.pos[0]), path: '', message: `YAML: ${tooDeep(e.message.split('\n')[0])}` });
  }
  if (problems.length) throw new ScenarioError(problems);

  // Keys must be plain scalars (a mapping as a key has no place in a scenario); duplicates are collected.
  const duplicates: { offset: number; segs: Segment[]; key: string; firstLine: number }[] = [];
  const visit = (node: unknown, segs: Segment[], depth: number) => {
    if (depth > 200) {
      problems.push({ file, ...at(rangeStart(node) ?? 0), path: '', message: 'YAML: nested more than 200 levels deep' });
      return;
    }
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        const key = pair.key;
        if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
          problems.push({ file, ...at(rangeStart(key) ?? rangeStart(node) ?? 0), path: '', message: 'YAML: a key must be a plain name, not a list, a mapping or empty' });
          continue;
        }
        const v: unknown = key.value;
        const name = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : '?';
        const first = seen.get(name);
        if (first !== undefined) duplicates.push({ offset: rangeStart(key) ?? 0, segs: [...segs, name], key: name, firstLine: at(first).line });
        else seen.set(name, rangeStart(key) ?? 0);
        visit(pair.value, [...segs, name], depth + 1);
      }
    } else if (isSeq(node)) node.items.forEach((item, i) => visit(item, [...segs, i], depth + 1));
    else if (isAlias(node)) return;
  };
  visit(doc.contents, [], 0);
  if (problems.length) throw new ScenarioError(problems);

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ScenarioError([{ file, line: 1, column: 1, path: '', message: `YAML: ${tooDeep((err as Error).message)}` }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !isMap(doc.contents)) {
    throw new ScenarioError([{ file, line: 1, column: 1, path: '', message: 'a scenario is a YAML mapping that starts with apiVersion: svcsim/v1 and kind: Scenario' }]);
  }
  return {
    doc,
    positions: new Positions(doc, lines),
    raw: raw as Record<string, unknown>,
    duplicates: duplicates.map((d) => ({ file, ...at(d.offset), path: displayPath(raw, d.segs), message: `duplicate key: ${d.key} is already given on line ${d.firstLine}` })),
  };
}

// ------------------------------------------------------------------- --set

/** `PATH=VALUE`, VALUE read as YAML (`3`, `Local`, `250ms`, `{dist: constant, value: 1ms}`, `[1, 2]`). */
function parseSet(expr: string): { path: string; value: unknown } {
  const eq = expr.indexOf('=');
  if (eq <= 0) throw new PathError('expected PATH=VALUE, e.g. --set workloads.web.replicas=12', []);
  const doc = parseDocument(expr.slice(eq + 1), { prettyErrors: false, uniqueKeys: true });
  const bad = [...doc.errors, ...doc.warnings][0];
  if (bad) throw new PathError(`VALUE is not valid YAML: ${bad.message.split('\n')[0]} (quote it, e.g. --set 'PATH="..."')`, []);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new PathError(`VALUE is not valid YAML: ${(err as Error).message}`, []);
  }
  return { path: expr.slice(0, eq), value };
}

/** Applies `--set` overrides to `raw`; returns where each one went, and the problems. */
function applySets(raw: unknown, sets: readonly string[], file: string, place: Place): { targets: { expr: string; segs: Segment[] }[]; problems: Problem[] } {
  const targets: { expr: string; segs: Segment[] }[] = [];
  const problems: Problem[] = [];
  for (const expr of sets) {
    let path: string;
    let value: unknown;
    try {
      ({ path, value } = parseSet(expr));
    } catch (err) {
      if (!(err instanceof PathError)) throw err;
      problems.push({ file, line: 0, column: 0, path: `--set ${expr}`, message: err.message });
      continue;
    }
    try {
      const located = locate(raw, path, scenarioSchema);
      assign(raw, located, value);
      targets.push({ expr, segs: located.segs });
    } catch (err) {
      if (!(err instanceof PathError)) throw err;
      const { line, column } = place(err.at);
      problems.push({ file, line, column, path: `--set ${expr}`, message: err.message });
    }
  }
  return { targets, problems };
}

// ------------------------------------------------------------- zod issues

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A value as a message shows it. */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    return keys.length ? `{${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ', ...' : ''}}` : 'an empty mapping';
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return 'a YAML value of an unsupported type';
}

const NOUNS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return shown.length <= 1 ? (shown[0] ?? 'nothing') : `one of ${shown.join(', ')}`;
}

/** zod's own messages start like this; messages written in the schema do not, and are kept. */
const ZOD_DEFAULT = /^(Invalid|Too small|Too big|Unrecognized)/;

/** How the accepted forms of a union read in a message: `external, {node: ...}, {zone: ...} or {workload: ...}`. */
function describeForms(options: readonly unknown[]): string {
  const forms = options.flatMap((o): string[] => {
    const literals = literalValues(o);
    if (literals.length) return literals.map((v) => String(v as string));
    const kind = kindOf(o);
    if (kind === 'object') {
      const keys = allowedKeys(o) ?? [];
      return [`{${keys.slice(0, 2).map((k) => `${k}: ...`).join(', ')}${keys.length > 2 ? ', ...' : ''}}`];
    }
    if (kind === 'record') return ['a mapping'];
    if (kind === 'array') return ['a list'];
    if (kind === 'union') return [describeForms(unionOptions(o))];
    const type = (o as { def?: { type?: string } }).def?.type;
    return [NOUNS[type ?? ''] ?? 'a value'];
  });
  const unique = [...new Set(forms)];
  return unique.length <= 1 ? (unique[0] ?? 'a value') : `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

/** One message per zod issue, at its place in the file. */
function zodProblems(issues: readonly z.core.$ZodIssue[], raw: unknown, file: string, place: Place): Problem[] {
  const out: Problem[] = [];
  const add = (segs: Segment[], message: string, atKey = false) => out.push(problemAt(file, raw, place, segs, message, atKey));

  const visit = (list: readonly z.core.$ZodIssue[], base: Segment[]) => {
    for (const issue of list) {
      const segs = [...base, ...(issue.path as Segment[])];
      const value = getAt(raw, segs);
      const missing = value === undefined;
      const custom = !ZOD_DEFAULT.test(issue.message);
      switch (issue.code) {
        case 'unrecognized_keys': {
          const allowed = allowedKeys(schemaAt(scenarioSchema, segs, raw)) ?? [];
          for (const key of issue.keys) {
            const hint = closest(key, allowed);
            add([...segs, key], `unknown field${hint ? ` (did you mean ${hint}?)` : ''}${allowed.length ? `; allowed here: ${allowed.join(', ')}` : ''}`, true);
          }
          break;
        }
        case 'invalid_type': {
          const noun = NOUNS[issue.expected] ?? `a ${issue.expected}`;
          if (custom) add(segs, issue.message);
          else add(segs, missing ? `required: ${noun}` : `must be ${noun}, not ${show(value)}`);
          break;
        }
        case 'invalid_value': {
          if (custom) add(segs, missing ? `required: ${issue.message.replace(/^must be /, '')}` : `${issue.message} (not ${show(value)})`);
          else add(segs, missing ? `required: ${oneOf(issue.values)}` : `must be ${oneOf(issue.values)}, not ${show(value)}`);
          break;
        }
        case 'too_small':
        case 'too_big': {
          const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
          const small = issue.code === 'too_small';
          let message: string;
          if (custom) message = issue.message;
          else if (issue.origin === 'array' || issue.origin === 'set')
            message = small ? `needs at least ${bound} ${bound === 1 ? 'entry' : 'entries'}` : `may have at most ${bound} entries`;
          else if (issue.origin === 'string') message = small ? (bound === 1 ? 'must not be empty' : `needs at least ${bound} characters`) : `may have at most ${bound} characters`;
          else message = `must be ${small ? (issue.inclusive === false ? '>' : '≥') : issue.inclusive === false ? '<' : '≤'} ${bound}, not ${show(value)}`;
          add(segs, message);
          break;
        }
        case 'invalid_format':
          add(segs, custom ? issue.message : `${show(value)} does not match the pattern ${issue.pattern ?? ''}`);
          break;
        case 'invalid_union': {
          const union = schemaAt(scenarioSchema, segs.slice(0, segs.length - ('discriminator' in issue && issue.discriminator ? 1 : 0)), raw);
          if ('discriminator' in issue && issue.discriminator) {
            const options = (issue as { options?: unknown[] }).options ?? [];
            add(segs, missing ? `required: ${oneOf(options)}` : `must be ${oneOf(options)}, not ${show(value)}`);
            break;
          }
          const options = unionOptions(union);
          const branches = issue.errors;
          let candidates = branches.map((_, i) => i).filter((i) => !branches[i].some((x) => x.path.length === 0 && (x.code === 'invalid_type' || x.code === 'invalid_value')));
          if (candidates.length > 1 && isPlainObject(value) && options.length === branches.length) {
            const keys = Object.keys(value);
            candidates = candidates.filter((i) => (allowedKeys(options[i]) ?? []).some((k) => keys.includes(k)));
          }
          if (candidates.length === 1) visit(branches[candidates[0]], segs);
          else if (discriminator(union) === undefined) {
            const forms = options.length ? describeForms(options) : 'one of the accepted forms';
            add(segs, missing ? `required: ${forms}` : `must be ${forms}, not ${show(value)}`);
          } else add(segs, issue.message);
          break;
        }
        default:
          add(segs, missing && issue.message.startsWith('must be ') ? `required: ${issue.message.slice('must be '.length)}` : issue.message);
      }
    }
  };
  visit(issues, []);
  return out;
}

// ------------------------------------------------------------------ files

/** Files read once per load (and per sweep: every variant shares them). */
export type FileCache = Map<string, unknown>;

/**
 * Reads what the scenario refers to, relative to the scenario file: the
 * values of every empirical distribution given by `file`, the arrival
 * times of every trace (sorted ascending), the buckets of a histogram and
 * the steps of a schedule from Prometheus (promFiles.ts). Problems point at
 * the `file` key.
 */
function loadFiles(s: Scenario, raw: unknown, file: string, place: Place, cache: FileCache): Problem[] {
  const problems: Problem[] = [];
  const base = dirname(file);
  const read = <T>(rel: string, segs: Segment[], parse: (full: string) => T = loadEmpiricalFile as (full: string) => T, kind = ''): T | undefined => {
    const full = resolveOnDisk(base, rel);
    let got = cache.get(`${kind}${full}`) as T | Error | undefined;
    if (got === undefined) {
      try {
        const outside = outsideRoots(full, base);
        if (outside) throw new OutsideRootsError(outside);
        got = parse(full);
      } catch (err) {
        got = err instanceof Error ? err : new Error(String(err));
      }
      cache.set(`${kind}${full}`, got);
    }
    if (!(got instanceof Error)) return got;
    const code = (got as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `no such file (a path is relative to the scenario file's folder${base === '.' ? '' : `, ${base}`})`
        : code === 'EISDIR'
          ? 'is a folder'
          : code === 'EACCES'
            ? 'permission denied'
            : got instanceof UnitError || got instanceof FileLimitError
              ? got.message
              : `cannot be read: ${got.message}`;
    problems.push(problemAt(file, raw, place, segs, got instanceof OutsideRootsError ? `${rel} ${got.message}` : `${rel}: ${why}`, true));
    return undefined;
  };
  const visit = (node: unknown, segs: Segment[], depth: number) => {
    if (depth > 12 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((x, i) => visit(x, [...segs, i], depth + 1));
      return;
    }
    const o = node as Record<string, unknown>;
    if (o.dist === 'empirical' && typeof o.file === 'string' && o.values === undefined) {
      const values = read<number[]>(o.file, [...segs, 'file']);
      if (values) o.values = values;
    } else if (o.process === 'trace' && typeof o.file === 'string' && o.times === undefined) {
      const times = read<number[]>(o.file, [...segs, 'file']);
      if (times) o.times = [...times].sort((a, b) => a - b);
    } else if (o.dist === 'histogram' && typeof o.file === 'string' && o.buckets === undefined) {
      const metric = typeof o.metric === 'string' ? o.metric : undefined;
      const buckets = read(o.file, [...segs, 'file'], (full) => parseHistogramFile(readBoundedFile(full, MAX_DATA_FILE_BYTES).toString('utf8'), metric), `histogram ${metric ?? ''}:`);
      if (buckets) o.buckets = buckets;
    } else if (o.process === 'schedule' && typeof o.file === 'string' && o.steps === undefined) {
      const steps = read(o.file, [...segs, 'file'], (full) => parseScheduleFile(readBoundedFile(full, MAX_DATA_FILE_BYTES).toString('utf8')), 'schedule:');
      if (steps) o.steps = steps.map((step) => ({ ...step, process: 'poisson' }));
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'values' && k !== 'times' && k !== 'buckets' && k !== 'steps') visit(v, [...segs, k], depth + 1);
  };
  visit(s, [], 0);
  return problems;
}

// ---------------------------------------------------------------- checking

function findingProblems(findings: readonly Finding[], raw: unknown, file: string, place: Place): { errors: Problem[]; warnings: Warning[] } {
  const errors: Problem[] = [];
  const warnings: Warning[] = [];
  for (const f of findings) (f.warning ? warnings : errors).push(problemAt(file, raw, place, f.segs, f.message, f.atKey));
  return { errors, warnings };
}

/** Warnings at each workload whose offered load is near or above 1 (load-estimate.ts). */
function loadFindings(s: Scenario): Finding[] {
  const out: Finding[] = [];
  for (const l of offeredLoads(s)) {
    const message = loadMessage(l);
    if (message !== undefined) out.push({ segs: ['workloads', l.index], message, warning: true });
  }
  return out;
}

interface Checked {
  parsed: Scenario;
  scenario: Scenario;
  warnings: Warning[];
}

/** Schema, rules, files and resolution of a document; throws every problem at once (with `extra`, found before). */
export function checkDocument(raw: unknown, file: string, place: Place, cache: FileCache, extra: Problem[] = []): Checked {
  // jitless: zod would generate and compile a parser for each object schema on
  // its first parse; one scenario is parsed once, and that costs more than it saves.
  const result = scenarioSchema.safeParse(raw, { jitless: true });
  if (!result.success) throw new ScenarioError([...extra, ...zodProblems(result.error.issues, raw, file, place)]);
  const parsed = result.data;
  const { errors, warnings } = findingProblems(checkRules(parsed), raw, file, place);
  const withFiles = structuredClone(parsed);
  const fileProblems = loadFiles(withFiles, raw, file, place, cache);
  const problems = [...extra, ...errors, ...fileProblems];
  if (problems.length) throw new ScenarioError(problems);
  const scenario = resolveScenario(withFiles, defaultLoadBalancer);
  warnings.push(...sortProblems(findingProblems([...openBucketFindings(withFiles), ...placeholderFindings(raw), ...loadFindings(scenario)], raw, file, place).warnings));
  return { parsed, scenario, warnings };
}

/** Sweep paths: each must name a place of the scenario, once, and none may be `--set` as well. */
function checkSweepPaths(raw: Record<string, unknown>, sets: { expr: string; segs: Segment[] }[], file: string, place: Place): { targets: Located[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const targets: Located[] = [];
  const sweep = raw.sweep;
  const params = isPlainObject(sweep) && Array.isArray(sweep.parameters) ? (sweep.parameters as unknown[]) : [];
  params.forEach((param, i) => {
    if (!isPlainObject(param) || typeof param.path !== 'string') return; // the schema reports it
    const segs: Segment[] = ['sweep', 'parameters', i, 'path'];
    const problem = (message: string) => problems.push(problemAt(file, raw, place, segs, message));
    try {
      const target = locate(raw, param.path, scenarioSchema);
      if (target.segs[0] === 'sweep') problem('a sweep cannot vary the sweep itself');
      const twice = targets.findIndex((t) => t.segs.length > 0 && overlaps(t.segs, target.segs));
      if (twice >= 0) problem(`overlaps sweep parameter ${twice} (${String((params[twice] as { path: string }).path)}): each place is swept once`);
      for (const set of sets) if (overlaps(set.segs, target.segs)) problem(`is also set by --set ${set.expr}; a swept path cannot be --set (change the sweep's values instead)`);
      targets.push(target);
    } catch (err) {
      if (!(err instanceof PathError)) throw err;
      problem(err.message);
      targets.push({ segs: [], create: [] });
    }
  });
  return { targets, problems };
}

/**
 * Sweep values as labels show them: the parameter's `labels` where given;
 * otherwise numbers and plain strings exactly as typed, other strings as
 * they are, and mappings and lists in compact flow form (`{zone: zone-a}`).
 */
function sweepText(parsed: Parsed, raw: Record<string, unknown>, text: string): string[][] {
  const sweep = raw.sweep as { parameters?: { values?: unknown[]; labels?: unknown[] }[] } | undefined;
  return (sweep?.parameters ?? []).map((p, i) =>
    (p.values ?? []).map((v, j) => {
      const label = Array.isArray(p.labels) ? p.labels[j] : undefined;
      if (typeof label === 'string') return label;
      if (v === null) return 'null'; // however written (~, null, empty): the printed resolved file says null
      const written = parsed.positions.plainText(['sweep', 'parameters', i, 'values', j], text);
      const asParsed = parsed.doc.getIn(['sweep', 'parameters', i, 'values', j]);
      return written !== undefined && asParsed === v ? written : flowText(v);
    }),
  );
}

// ------------------------------------------------------------------ public

/** Reads and checks a scenario file. Throws a ScenarioError (and nothing else) when it is not valid. */
export function loadScenario(file: string, opts: LoadOptions = {}): LoadedScenario {
  let bytes: Buffer;
  try {
    bytes = readBoundedFile(file, MAX_SCENARIO_BYTES);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      err instanceof FileLimitError
        ? `${err.message}${err.message.includes('larger') ? '; put long lists of values in a CSV file (file:)' : ''}`
        : code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'is a folder, not a scenario file'
            : code === 'EACCES'
              ? 'permission denied'
              : (err as Error).message;
    throw new ScenarioError([{ file, line: 0, column: 0, path: '', message: `cannot read: ${why}` }]);
  }
  return parseScenarioText(bytes.toString('utf8'), file, opts, createHash('sha256').update(bytes).digest('hex'));
}

const positionsOf = new WeakMap<LoadedScenario, Positions>();

/** The positions in the loaded file, for problems found later (sweep variants). */
export function positionsIn(loaded: LoadedScenario): Positions {
  let p = positionsOf.get(loaded);
  if (!p) {
    const lines = new LineCounter();
    p = new Positions(parseDocument(loaded.text, { lineCounter: lines, uniqueKeys: false, merge: true }), lines);
    positionsOf.set(loaded, p);
  }
  return p;
}

/** Checks scenario text as if read from `file` (relative paths in it are relative to `file`'s folder). */
export function parseScenarioText(text: string, file: string, opts: LoadOptions = {}, sha256?: string): LoadedScenario {
  try {
    const parsed = readYaml(text, file);
    const inFile: Place = (segs, atKey) => parsed.positions.at(segs, atKey);
    const raw = parsed.raw;
    const sets = applySets(raw, opts.set ?? [], file, inFile);
    const sweep = checkSweepPaths(raw, sets.targets, file, inFile);
    // A problem inside a value given with --set is not in the file: no position, and which --set it was.
    const place: Place = (segs, atKey) => {
      const set = [...sets.targets].reverse().find((t) => t.segs.length <= segs.length && overlaps(t.segs, segs));
      return set ? { line: 0, column: 0, note: `set by --set ${set.expr}` } : inFile(segs, atKey);
    };
    const checked = checkDocument(raw, file, place, new Map(), [...parsed.duplicates, ...sets.problems, ...sweep.problems]);
    const loaded: LoadedScenario = {
      file,
      sha256: sha256 ?? createHash('sha256').update(text).digest('hex'),
      text,
      scenario: checked.scenario,
      parsed: checked.parsed,
      raw,
      warnings: checked.warnings,
      sweepText: sweepText(parsed, raw, text),
      sweepTargets: sweep.targets,
    };
    positionsOf.set(loaded, parsed.positions);
    return loaded;
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    throw internalError(err, file);
  }
}

/** A bug in the loader still reaches the user as a problem line, never as a stack trace. */
export function internalError(err: unknown, file: string): ScenarioError {
  const message = err instanceof Error ? err.message : String(err);
  return new ScenarioError([{ file, line: 0, column: 0, path: '', message: `internal error while checking this file (a bug in svcsim, please report it): ${message}` }]);
}
