/**
 * The resolved scenario as a document a user reads (`validate --resolved`)
 * and can feed back: loading the printed YAML gives the same resolved
 * scenario, and the same variants.
 *
 * - Times are written as Durations (`250ms`, `2m`), rates as `2000/s` and a
 *   constant distribution as its Duration, wherever that reads back to the
 *   exact same number; otherwise as plain numbers of seconds.
 * - Data read from files (empirical `values`, trace `times`, histogram
 *   `buckets`, schedule `steps`) stays in its files: the printed `file:` is
 *   read again.
 * - `simulation.timeBucket` is printed `auto` where the file left it to
 *   `auto` (the parsed scenario holds the width it chose), so the printed
 *   file keeps following its duration; a header comment gives the width.
 * - With a sweep, the base scenario is printed with the sweep block kept.
 *   A default that differs between variants (placement when replicas are
 *   swept, nodePorts when a type is, health checks when
 *   externalTrafficPolicy is, ...) is printed as written, not resolved, so
 *   that every variant still fills its own.
 */
import { isDeepStrictEqual } from 'node:util';
import { Document, isScalar, visit } from 'yaml';
import type { LoadedScenario } from './load.js';
import { elementName } from './paths.js';
import { MAX_AUTO_BUCKETS, scenarioSchema, type Scenario } from './schema.js';
import { childSchema, fieldOrder, optionFor, sameSchema, schemaId, unionOptions } from './shape.js';
import { distributionSchema, durationSchema, formatDuration, parseDuration, parseRate, rateSchema } from './units.js';
import type { Variant } from './sweep.js';

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The base value where every variant agrees with it; where they differ, the
 * value as written (`parsed`), descending into mappings and lists that exist
 * in both forms so that only the fields that differ fall back.
 */
function agreeing(base: unknown, variants: readonly unknown[], parsed: unknown): unknown {
  if (variants.every((v) => isDeepStrictEqual(v, base))) return base;
  if (isPlainObject(base) && isPlainObject(parsed) && variants.every(isPlainObject)) {
    const out: Record<string, unknown> = {};
    const keys = new Set([...Object.keys(base), ...variants.flatMap((v) => Object.keys(v as object))]);
    for (const k of keys) {
      const v = agreeing(base[k], variants.map((x) => (x)[k]), parsed[k]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(parsed) && variants.every((v) => Array.isArray(v) && v.length === base.length) && parsed.length === base.length) {
    // Elements are matched by name where they have one (the resolved loadBalancers follow the Services' order).
    const named = base.every((x) => elementName(x) !== undefined);
    const match = (list: unknown[], i: number) => (named ? list.find((x) => elementName(x) === elementName(base[i])) : list[i]);
    if (named && base.some((_, i) => match(parsed, i) === undefined)) return parsed;
    return base.map((x, i) => agreeing(x, variants.map((v) => match(v as unknown[], i)), match(parsed, i)));
  }
  return parsed;
}

/** Drops what the loader read from files: it is read again from the `file:` printed. */
function withoutFileData(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutFileData);
  if (!isPlainObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'values' && node.dist === 'empirical' && typeof node.file === 'string') continue;
    if (k === 'times' && node.process === 'trace' && typeof node.file === 'string') continue;
    if (k === 'buckets' && node.dist === 'histogram' && typeof node.file === 'string') continue;
    if (k === 'steps' && node.process === 'schedule' && typeof node.file === 'string') continue;
    out[k] = withoutFileData(v);
  }
  return out;
}

function asDuration(seconds: number): string | number {
  const text = formatDuration(seconds);
  try {
    return parseDuration(text) === seconds ? text : seconds;
  } catch {
    return seconds;
  }
}

function asRate(perSecond: number): string | number {
  const text = `${perSecond}/s`;
  try {
    return parseRate(text) === perSecond ? text : perSecond;
  } catch {
    return perSecond;
  }
}

/** Which unit of units.ts a schema is, if any (also for its refined clones, such as a Duration > 0). */
function unitOf(schema: unknown): string | undefined {
  const id = schemaId(schema);
  if (id) return id;
  if (sameSchema(schema, durationSchema)) return 'Duration';
  if (sameSchema(schema, rateSchema)) return 'Rate';
  if (sameSchema(schema, distributionSchema)) return 'Distribution';
  // A union of a unit and literals (`timeBucket: auto | Duration`) prints its numbers in the unit.
  for (const option of unionOptions(schema)) {
    const unit = unitOf(option);
    if (unit) return unit;
  }
  return undefined;
}

/** Numbers of seconds back into the forms a user writes, fields in schema order, guided by the schema. */
function readable(value: unknown, schema: unknown): unknown {
  const id = unitOf(schema);
  if (typeof value === 'number' && id === 'Duration') return asDuration(value);
  if (typeof value === 'number' && id === 'Rate') return asRate(value);
  if (id === 'Distribution' && isPlainObject(value) && value.dist === 'constant' && typeof value.value === 'number') {
    const d = asDuration(value.value);
    if (typeof d === 'string') return d;
  }
  if (Array.isArray(value)) return value.map((x, i) => readable(x, childSchema(schema, i, value)));
  if (isPlainObject(value)) {
    const option = optionFor(schema, value);
    const order = fieldOrder(schema, value);
    const keys = [...order.filter((k) => k in value), ...Object.keys(value).filter((k) => !order.includes(k))];
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = option === undefined ? value[k] : readable(value[k], childSchema(option, k, value));
    return out;
  }
  return value;
}

/** Did the document as written (after `--set`) leave `simulation.timeBucket` to `auto`? */
function autoTimeBucketIn(raw: unknown): boolean {
  const simulation = isPlainObject(raw) ? raw.simulation : undefined;
  const given = isPlainObject(simulation) ? simulation.timeBucket : undefined;
  return given === undefined || given === 'auto';
}

/**
 * The document `validate --resolved` prints, as a plain object. `raw` is the
 * document as written: where it leaves `timeBucket` to `auto`, `auto` is
 * printed (the parsed scenario has the width it chose) so that the printed
 * file still follows its duration, and its sweep's durations.
 */
export function resolvedDocument(loaded: Pick<LoadedScenario, 'scenario' | 'parsed'> & { raw?: unknown }, variants: readonly Pick<Variant, 'scenario'>[] = []): Record<string, unknown> {
  const base: Scenario = loaded.scenario;
  const merged = agreeing(base, variants.map((v) => v.scenario), loaded.parsed) as Record<string, unknown>;
  const doc = readable(withoutFileData(merged), scenarioSchema) as Record<string, unknown>;
  if (loaded.raw !== undefined && autoTimeBucketIn(loaded.raw) && isPlainObject(doc.simulation)) doc.simulation.timeBucket = 'auto';
  return doc;
}

/** The resolved scenario as YAML, with a comment that says what it is. */
export function resolvedYaml(loaded: Pick<LoadedScenario, 'scenario' | 'parsed' | 'file'> & { raw?: unknown }, variants: readonly Pick<Variant, 'scenario'>[] = []): string {
  const header = [
    `# ${loaded.file}, resolved by svcsim validate --resolved: every default filled in.`,
    '# Loading this file gives the same scenario. Times are Durations, or plain numbers of seconds.',
    ...(loaded.scenario.sweep ? ['# Defaults that differ between the variants of the sweep are left as written: each variant fills its own.'] : []),
  ];
  const printed = resolvedDocument(loaded, variants);
  if ((printed.simulation as Record<string, unknown> | undefined)?.timeBucket === 'auto') {
    const sim = loaded.scenario.simulation;
    header.push(`# timeBucket: auto is ${formatDuration(sim.timeBucket)} here: at most ${MAX_AUTO_BUCKETS} buckets over warm-up + duration (${formatDuration(sim.warmup + sim.duration)}).`);
  }
  const doc = new Document(printed, { aliasDuplicateObjects: false });
  // Short mappings and lists of plain values on one line, as a user writes them: {name: a-0, zone: a, maxPods: 110}.
  const short = (parts: unknown[]) => parts.reduce<number>((n, x) => n + String(isScalar(x) ? x.value : x).length + 2, 0) <= 80;
  visit(doc, {
    Map(_, node) {
      if (node.items.every((p) => isScalar(p.value)) && short(node.items.flatMap((p) => [p.key, p.value]))) node.flow = true;
    },
    Seq(_, node) {
      if (node.items.length > 0 && node.items.every((x) => isScalar(x)) && short(node.items)) node.flow = true;
    },
  });
  return `${header.join('\n')}\n${doc.toString({ lineWidth: 0, flowCollectionPadding: false })}`;
}
