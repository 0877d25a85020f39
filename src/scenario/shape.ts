/**
 * What the zod schema says about a place in a scenario: which keys a mapping
 * there allows, what a list holds, which forms a union accepts. Paths
 * (`--set`, sweeps), "allowed here" hints in messages and the resolved YAML
 * printer read the one schema through these few functions instead of
 * repeating its structure.
 */
import { z } from 'zod';

/** A zod schema seen through its definition; only the fields read here. */
interface Def {
  type?: string;
  innerType?: unknown;
  in?: unknown;
  out?: unknown;
  shape?: Record<string, unknown>;
  element?: unknown;
  valueType?: unknown;
  options?: unknown[];
  discriminator?: string;
  values?: unknown[];
}

function defOf(schema: unknown): Def | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  return (schema as { def?: Def }).def;
}

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);

/**
 * The schema that describes what a user writes: wrappers (optional, default,
 * ...) removed, and for a pipe its input side (for `z.preprocess`, whose
 * input side is only a function, the schema after it).
 */
export function unwrap(schema: unknown): unknown {
  for (let i = 0; i < 32; i++) {
    const def = defOf(schema);
    if (!def?.type) return schema;
    if (WRAPPERS.has(def.type)) schema = def.innerType;
    else if (def.type === 'pipe') schema = defOf(def.in)?.type === 'transform' ? def.out : def.in;
    else return schema;
  }
  return schema;
}

/** The `id` given with `.meta({id})` to this schema or to one of its wrappers (`Duration`, `Rate`, `Distribution`). */
export function schemaId(schema: unknown): string | undefined {
  for (let i = 0; i < 32 && schema; i++) {
    const meta = z.globalRegistry.get(schema as z.ZodType) as { id?: string } | undefined;
    if (meta?.id) return meta.id;
    const def = defOf(schema);
    if (!def?.type) return undefined;
    if (WRAPPERS.has(def.type)) schema = def.innerType;
    else if (def.type === 'pipe') schema = defOf(def.in)?.type === 'transform' ? def.out : def.in;
    else return undefined;
  }
  return undefined;
}

/**
 * Is `schema` the same schema as `like`, up to wrappers and added checks?
 * (`.refine()` clones a schema, and a clone loses `.meta()`; its pipe keeps
 * the same inner parts.)
 */
export function sameSchema(schema: unknown, like: unknown): boolean {
  let s = schema;
  for (let i = 0; i < 32; i++) {
    if (s === like) return true;
    const def = defOf(s);
    const likeDef = defOf(like);
    if (def?.type === 'pipe' && likeDef?.type === 'pipe' && def.in === likeDef.in && def.out === likeDef.out) return true;
    if (!def?.type || !WRAPPERS.has(def.type)) return false;
    s = def.innerType;
  }
  return false;
}

/** The field names of an object schema (or of the object option of a union that fits `value`), in schema order. */
export function fieldOrder(schema: unknown, value?: unknown): string[] {
  const s = value === undefined ? unwrap(schema) : unwrap(optionFor(schema, value));
  const def = defOf(s);
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

export type Kind = 'object' | 'record' | 'array' | 'union' | 'scalar';

export function kindOf(schema: unknown): Kind {
  const type = defOf(unwrap(schema))?.type;
  if (type === 'object' || type === 'record' || type === 'array' || type === 'union') return type;
  return 'scalar';
}

/** The options of a union (after unwrapping), or an empty list. */
export function unionOptions(schema: unknown): unknown[] {
  const def = defOf(unwrap(schema));
  return def?.type === 'union' ? (def.options ?? []) : [];
}

/** The discriminator key of a discriminated union. */
export function discriminator(schema: unknown): string | undefined {
  return defOf(unwrap(schema))?.discriminator;
}

/** The literal or enum values a scalar schema accepts (empty when it accepts any string or number). */
export function literalValues(schema: unknown): unknown[] {
  const def = defOf(unwrap(schema));
  if (def?.type === 'literal') return def.values ?? [];
  if (def?.type === 'enum') return Object.values((def as { entries?: Record<string, unknown> }).entries ?? {});
  return [];
}

/**
 * The keys a mapping may have here: the fields of an object, of every object
 * option of a union; `undefined` when any key goes (a record) or no mapping
 * belongs here.
 */
export function allowedKeys(schema: unknown): string[] | undefined {
  const s = unwrap(schema);
  const def = defOf(s);
  if (def?.type === 'object') return Object.keys(def.shape ?? {});
  if (def?.type === 'union') {
    const keys = new Set<string>();
    for (const o of def.options ?? []) for (const k of allowedKeys(o) ?? []) keys.add(k);
    return keys.size > 0 ? [...keys] : undefined;
  }
  return undefined;
}

/** Does a mapping belong here (an object, a record, or a union with one of them)? */
export function acceptsMapping(schema: unknown): boolean {
  const kind = kindOf(schema);
  if (kind === 'object' || kind === 'record') return true;
  return kind === 'union' && unionOptions(schema).some(acceptsMapping);
}

export function acceptsList(schema: unknown): boolean {
  const kind = kindOf(schema);
  return kind === 'array' || (kind === 'union' && unionOptions(schema).some(acceptsList));
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Does `value` look like a value of this option (type, literal fields, known keys)? Used to pick a union's option. */
function fits(option: unknown, value: unknown): boolean {
  const kind = kindOf(option);
  if (isPlainObject(value)) {
    if (kind === 'record') return true;
    if (kind === 'union') return unionOptions(option).some((o) => fits(o, value));
    if (kind !== 'object') return false;
    const shape = defOf(unwrap(option))?.shape ?? {};
    for (const key of Object.keys(value)) if (!(key in shape)) return false;
    for (const [key, field] of Object.entries(shape)) {
      const literals = literalValues(field);
      if (literals.length > 0 && key in value && !literals.includes(value[key])) return false;
    }
    return true;
  }
  if (Array.isArray(value)) return acceptsList(option);
  if (kind === 'union') return unionOptions(option).some((o) => fits(o, value));
  if (kind !== 'scalar') return false;
  const literals = literalValues(option);
  return literals.length === 0 || literals.includes(value);
}

/** The option of a union that `value` belongs to (the schema itself when it is no union). */
export function optionFor(schema: unknown, value: unknown): unknown {
  const options = unionOptions(schema);
  if (options.length === 0) return schema;
  const found = options.find((o) => fits(o, value));
  return found === undefined ? undefined : optionFor(found, value);
}

/**
 * The schema of `key` (a field name, or an index into a list) inside a value
 * described by `schema`; `value` picks the option of a union when given.
 * `undefined` when the schema has no such place.
 */
export function childSchema(schema: unknown, key: string | number, value?: unknown): unknown {
  let s = unwrap(schema);
  if (defOf(s)?.type === 'union') {
    const picked = value === undefined ? undefined : optionFor(s, value);
    if (picked !== undefined) s = unwrap(picked);
    else {
      const withKey = unionOptions(s).find((o) => (typeof key === 'number' ? acceptsList(o) : allowedKeys(o)?.includes(key) || kindOf(o) === 'record'));
      if (withKey === undefined) return undefined;
      s = unwrap(withKey);
    }
  }
  const def = defOf(s);
  if (def?.type === 'object') return typeof key === 'string' ? def.shape?.[key] : undefined;
  if (def?.type === 'record') return typeof key === 'string' ? def.valueType : undefined;
  if (def?.type === 'array') return typeof key === 'number' ? def.element : undefined;
  return undefined;
}

/** The schema at concrete segments below `root`, following the values in `value` to pick union options. */
export function schemaAt(root: unknown, segs: readonly (string | number)[], value?: unknown): unknown {
  let schema = root;
  let cur = value;
  for (const seg of segs) {
    schema = childSchema(schema, seg, cur);
    if (schema === undefined) return undefined;
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[seg] : undefined;
  }
  return schema;
}
