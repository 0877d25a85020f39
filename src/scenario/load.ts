/**
 * Loading a scenario file: YAML (with line and column for every node), the
 * `--set` overrides, the zod schema, the files a scenario refers to, the
 * Kubernetes rules, and the resolved defaults. Every problem found becomes a
 * `file:line:column: path: message` line, all of them at once, thrown as one
 * ScenarioError; nothing else is ever thrown for bad input.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePathOnDisk } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ScenarioError, type Problem, type Warning } from './errors.js';
import { displayPath, getAt, PathError, resolvePath, setAt, type Segment } from './paths.js';
import { resolveScenario } from './resolve.js';
import { checkRules } from './rules.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { loadEmpiricalFile } from './units.js';

export interface LoadedScenario {
  file: string;
  sha256: string;
  text: string;
  /** The resolved scenario (every default filled, see resolve.ts). */
  scenario: Scenario;
  /** The scenario as written, after `--set` (what sweeps apply to). */
  raw: unknown;
  warnings: Warning[];
  /** Sweep values as written in the file, per parameter (for variant labels). */
  sweepText: string[][];
}

export interface LoadOptions {
  set?: string[];
}

/** Where a path points in the YAML document: the value's start (or the key's, for a missing or unknown key). */
class Positions {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  at(segs: readonly Segment[], keyOfLast = false): { line: number; column: number } {
    let node: unknown = this.doc.contents;
    let pos: number | undefined = rangeStart(node);
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        const last = i === segs.length - 1;
        if (last && keyOfLast) {
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
    const { line, col } = this.lines.linePos(pos ?? 0);
    return { line, column: col };
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/** Parses `--set PATH=VALUE`; VALUE is YAML (so `3`, `Local`, `250ms`, `{dist: constant, value: 1ms}` all work). */
function parseSet(expr: string): { path: string; value: unknown } {
  const eq = expr.indexOf('=');
  if (eq <= 0) throw new PathError(`--set ${expr}: expected PATH=VALUE, e.g. --set workloads.web.replicas=12`);
  let value: unknown;
  try {
    value = parseYaml(expr.slice(eq + 1));
  } catch {
    value = expr.slice(eq + 1);
  }
  return { path: expr.slice(0, eq), value };
}

export function loadScenario(file: string, opts: LoadOptions = {}): LoadedScenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a scenario file' : code === 'EACCES' ? 'permission denied' : String((err as Error).message);
    throw new ScenarioError([{ file, line: 1, column: 1, path: '(file)', message: `cannot read: ${why}` }]);
  }
  return parseScenarioText(text, file, opts);
}

export function parseScenarioText(text: string, file: string, opts: LoadOptions = {}): LoadedScenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  const problems: Problem[] = [];
  const problem = (line: number, column: number, path: string, message: string) => problems.push({ file, line, column, path, message });

  for (const e of doc.errors) {
    const { line, col } = lines.linePos(e.pos[0]);
    problem(line, col, '(yaml)', e.message.split('\n')[0]);
  }
  if (problems.length) throw new ScenarioError(problems);

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ScenarioError([{ file, line: 1, column: 1, path: '(yaml)', message: (err as Error).message }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ScenarioError([{ file, line: 1, column: 1, path: '(top level)', message: 'a scenario is a YAML mapping with apiVersion: svcsim/v1 and kind: Scenario' }]);
  const positions = new Positions(doc, lines);

  // --set applies to the document before validation, so units and rules apply to it.
  const sweepPaths = new Set(((raw as { sweep?: { parameters?: { path?: unknown }[] } }).sweep?.parameters ?? []).map((p) => p?.path));
  for (const expr of opts.set ?? []) {
    try {
      const { path, value } = parseSet(expr);
      if (sweepPaths.has(path)) throw new PathError(`${path} is swept by sweep.parameters; it cannot also be --set`);
      setAt(raw, resolvePath(raw, path, true), value);
    } catch (err) {
      if (!(err instanceof PathError)) throw err;
      problems.push({ file: '(command line)', line: 1, column: 1, path: `--set ${expr}`, message: err.message });
    }
  }
  if (problems.length) throw new ScenarioError(problems);

  const { scenario, warnings } = validate(raw, file, positions);
  const sweepText = (scenario.sweep?.parameters ?? []).map((p, i) =>
    p.values.map((v, j) => {
      const node = doc.getIn(['sweep', 'parameters', i, 'values', j], true) as Node | undefined;
      const src = node?.range ? text.slice(node.range[0], node.range[1]).trim() : undefined;
      return src !== undefined && src !== '' && !/^["']/.test(src) ? src : String(v);
    }),
  );
  return {
    file,
    sha256: createHash('sha256').update(text).digest('hex'),
    text,
    scenario: loadFiles(scenario, file, positions),
    raw,
    warnings,
    sweepText,
  };
}

/** Issues zod found, as problems at their place in the file. */
function zodProblems(error: z.ZodError, raw: unknown, file: string, positions: Positions): Problem[] {
  const out: Problem[] = [];
  const add = (segs: Segment[], message: string, keyOfLast = false) => {
    const { line, column } = positions.at(segs, keyOfLast);
    out.push({ file, line, column, path: displayPath(raw, segs), message });
  };
  const visit = (issues: z.core.$ZodIssue[], base: Segment[]) => {
    for (const issue of issues) {
      const segs = [...base, ...(issue.path as Segment[])];
      if (issue.code === 'unrecognized_keys') {
        const allowed = allowedKeys(segs, raw);
        for (const key of issue.keys) add([...segs, key], `unknown field${allowed ? `; allowed here: ${allowed}` : ''}`, true);
      } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        // Report the branch that got furthest (fewest issues), not "invalid input".
        const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
        const sameType = best.every((i) => i.code !== 'invalid_type' || i.path.length > 0);
        if (sameType) visit(best, segs);
        else add(segs, describeUnion(segs));
      } else if (issue.code === 'invalid_type' && getAt(raw, segs) === undefined) {
        add(segs, `required (${issue.expected})`, true);
      } else {
        add(segs, issue.message);
      }
    }
  };
  visit(error.issues, []);
  return dedupe(out);
}

function describeUnion(segs: Segment[]): string {
  const last = segs[segs.length - 1];
  if (last === 'from') return 'must be external, or {node: name}, {zone: name} or {workload: name}';
  return 'is not any of the accepted forms (see the scenario format)';
}

function allowedKeys(segs: Segment[], _raw: unknown): string | undefined {
  const shape = shapeAt(segs);
  return shape ? Object.keys(shape).join(', ') : undefined;
}

/** The keys the schema allows at a path (for "allowed here" hints). */
function shapeAt(segs: Segment[]): Record<string, unknown> | undefined {
  let schema: unknown = scenarioSchema;
  for (const seg of segs) {
    schema = unwrap(schema);
    const def = (schema as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown; options?: unknown[] } }).def;
    if (!def) return undefined;
    if (def.type === 'object' && def.shape) schema = def.shape[String(seg)];
    else if (def.type === 'array') schema = def.element;
    else return undefined;
  }
  schema = unwrap(schema);
  const def = (schema as { def?: { type?: string; shape?: Record<string, unknown> } }).def;
  return def?.type === 'object' ? def.shape : undefined;
}

function unwrap(schema: unknown): unknown {
  for (let i = 0; i < 10; i++) {
    const def = (schema as { def?: { type?: string; innerType?: unknown; in?: unknown; schema?: unknown } } | undefined)?.def;
    if (!def) return schema;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault' || def.type === 'nullable') schema = def.innerType;
    else if (def.type === 'pipe') schema = def.in;
    else return schema;
  }
  return schema;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.line}:${p.column}:${p.path}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Schema, then rules, then resolution; throws every problem at once. */
function validate(raw: unknown, file: string, positions: Positions): { scenario: Scenario; warnings: Warning[] } {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) throw new ScenarioError(zodProblems(parsed.error, raw, file, positions));
  const findings = checkRules(parsed.data);
  const toProblem = (f: { segs: Segment[]; message: string }): Problem => {
    const { line, column } = positions.at(f.segs);
    return { file, line, column, path: displayPath(raw, f.segs), message: f.message };
  };
  const errors = findings.filter((f) => !f.warning).map(toProblem);
  if (errors.length) throw new ScenarioError(dedupe(errors));
  return { scenario: resolveScenario(parsed.data), warnings: findings.filter((f) => f.warning).map(toProblem) };
}

/** Reads the files a scenario refers to (relative to the scenario file): empirical distributions and arrival traces. */
function loadFiles(s: Scenario, file: string, positions: Positions): Scenario {
  const base = dirname(file);
  const problems: Problem[] = [];
  const read = (rel: string, segs: Segment[], reader: (path: string) => number[]): number[] | undefined => {
    try {
      return reader(resolvePathOnDisk(base, rel));
    } catch (err) {
      const { line, column } = positions.at(segs);
      const code = (err as NodeJS.ErrnoException).code;
      problems.push({ file, line, column, path: segs.join('.'), message: `${rel}: ${code === 'ENOENT' ? 'no such file (paths are relative to the scenario file)' : (err as Error).message}` });
      return undefined;
    }
  };
  const visitDist = (d: unknown, segs: Segment[]) => {
    const o = d as { dist?: string; file?: string; values?: number[] };
    if (o && o.dist === 'empirical' && o.file && !o.values) o.values = read(o.file, [...segs, 'file'], loadEmpiricalFile);
  };
  s.workloads.forEach((w, i) => visitDist(w.serviceTime, ['workloads', i, 'serviceTime']));
  s.traffic.forEach((t, i) => {
    visitDist(t.latency, ['traffic', i, 'latency']);
    visitDist(t.retryBackoff, ['traffic', i, 'retryBackoff']);
    if (t.arrival.process === 'trace' && !t.arrival.times) {
      const times = read(t.arrival.file, ['traffic', i, 'arrival', 'file'], loadEmpiricalFile);
      if (times) t.arrival.times = [...times].sort((a, b) => a - b);
    }
  });
  for (const k of ['sameNode', 'sameZone', 'crossZone', 'proxy'] as const) visitDist(s.cluster.latency[k], ['cluster', 'latency', k]);
  visitDist(s.cluster.controlPlane.endpointPropagation, ['cluster', 'controlPlane', 'endpointPropagation']);
  s.loadBalancers.forEach((lb, i) => visitDist(lb.latency, ['loadBalancers', i, 'latency']));
  if (problems.length) throw new ScenarioError(problems);
  return s;
}

/** Validates and resolves a raw scenario object (used for sweep variants). */
export function validateRaw(raw: unknown, file: string, text: string): { scenario: Scenario; warnings: Warning[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const positions = new Positions(doc, lines);
  const r = validate(raw, file, positions);
  return { scenario: loadFiles(r.scenario, file, positions), warnings: r.warnings };
}
