/**
 * Paths into a scenario, as users write them in `sweep.parameters[].path`
 * and `--set PATH=VALUE`: dotted, with a list element addressed by its
 * `name` (`metadata.name` for a Service, `service` for a loadBalancers
 * entry) or by its 0-based index, e.g. `workloads.web.replicas`,
 * `services.web.spec.externalTrafficPolicy`, `cluster.latency.sameZone`,
 * `traffic.users.arrival.rate`, `failures.0.at`.
 *
 * A path names a place of the scenario as the schema defines it, so a field
 * left to its default can be set (`cluster.latency.sameZone` in a file that
 * has no `latency`; `loadBalancers.web.preset` for a LoadBalancer Service
 * without a loadBalancers entry). Values are set on the document as written,
 * before validation, so units, rules and the defaults that depend on other
 * fields (placement, nodePorts, load balancer presets) follow the new value.
 * The one difference from walking the resolved scenario: nodes written with
 * `count` are addressed as written (`cluster.nodes.az1`, not `az1-0`).
 *
 * Keys that contain a dot (annotation and label keys) cannot be addressed
 * one by one; set their whole mapping instead.
 */
import { acceptsList, acceptsMapping, allowedKeys, childSchema, kindOf } from './shape.js';

export type Segment = string | number;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The name a list element is addressed by: `name`, `metadata.name` (Services) or `service` (loadBalancers). */
export function elementName(x: unknown): string | undefined {
  if (!isPlainObject(x)) return undefined;
  if (typeof x.name === 'string' && x.name !== '') return x.name;
  const meta = x.metadata;
  if (isPlainObject(meta) && typeof meta.name === 'string' && meta.name !== '') return meta.name;
  if (typeof x.service === 'string' && x.service !== '') return x.service;
  return undefined;
}

/** The dotted path of concrete segments, list elements by name where they have one (see errors.ts). */
export function displayPath(root: unknown, segs: readonly Segment[]): string {
  const out: string[] = [];
  let cur: unknown = root;
  for (const s of segs) {
    if (Array.isArray(cur) && typeof s === 'number') out.push(elementName(cur[s]) ?? String(s));
    else out.push(String(s));
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[s] : undefined;
  }
  return out.join('.');
}

export function getAt(root: unknown, segs: readonly Segment[]): unknown {
  let cur: unknown = root;
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.hasOwn(cur, s)) return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

/** A path that names nothing; `at` are the segments of the deepest place that exists (for the position of the message). */
export class PathError extends Error {
  constructor(
    message: string,
    readonly at: Segment[],
  ) {
    super(message);
    this.name = 'PathError';
  }
}

/** What one element of the list at `listSegs` is called in messages. */
function noun(listSegs: readonly Segment[]): string {
  const last = listSegs[listSegs.length - 1];
  const first = listSegs[0];
  if (last === 'nodes' && first === 'cluster') return 'node';
  if (listSegs.length === 1) {
    const top: Record<string, string> = { workloads: 'workload', services: 'Service', traffic: 'traffic entry', failures: 'failure', loadBalancers: 'loadBalancers entry' };
    if (typeof first === 'string' && top[first]) return top[first];
  }
  if (last === 'parameters') return 'sweep parameter';
  if (last === 'ports') return first === 'workloads' ? 'container port' : 'port';
  if (last === 'steps') return 'step';
  if (last === 'values') return 'value';
  return 'element';
}

function quoteList(names: readonly string[]): string {
  return names.length > 0 ? ` (have: ${names.join(', ')})` : '';
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length];
}

/** The closest of `candidates` to a misspelt `word`, if one is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** A node name produced by `count` expansion: which entry it comes from. */
function expandedFrom(list: unknown[], name: string): string | undefined {
  const m = /^(.*)-(0|[1-9]\d*)$/.exec(name);
  if (!m) return undefined;
  const entry = list.find((x) => isPlainObject(x) && x.name === m[1] && typeof x.count === 'number' && Number(m[2]) < x.count);
  return entry === undefined ? undefined : m[1];
}

/** A place a path names: concrete segments, and the list elements to create on the way (loadBalancers entries). */
export interface Located {
  segs: Segment[];
  /** Elements appended to a list before setting: `at` is the index in `segs` of the new element's position. */
  create: { at: number; element: Record<string, unknown> }[];
}

/**
 * Turns a user path into concrete segments of `raw` (the scenario as
 * written), guided by `schema` for fields that are not written. Throws a
 * PathError naming the first segment that does not exist, e.g.
 * `no workload named "wbe" (have: web)`.
 */
export function locate(raw: unknown, path: string, schema: unknown): Located {
  if (path === '' || path.split('.').some((p) => p === '')) throw new PathError(`"${path}" is not a path: write dotted names, e.g. workloads.web.replicas`, []);
  const parts = path.split('.');
  const special = parts.find((p) => p === '__proto__' || p === 'constructor' || p === 'prototype');
  if (special !== undefined) throw new PathError(`"${special}" is not a field of a scenario (it names JavaScript internals, which --set never changes)`, []);
  const segs: Segment[] = [];
  const create: Located['create'] = [];
  let cur: unknown = raw;
  let sch: unknown = schema;
  let existing = 0; // how many leading segments exist in raw
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const where = displayPath(raw, segs);
    const at = segs.slice(0, existing);
    if (Array.isArray(cur) || (cur === undefined && acceptsList(sch) && !acceptsMapping(sch))) {
      const list = Array.isArray(cur) ? cur : [];
      const names = list.map(elementName);
      let index = names.indexOf(part);
      if (index < 0 && /^(0|[1-9]\d*)$/.test(part) && Number(part) < list.length) index = Number(part);
      if (index < 0) {
        const what = noun(segs);
        if (segs.length === 1 && segs[0] === 'loadBalancers' && isLoadBalancerService(raw, part)) {
          // A LoadBalancer Service without an entry gets one with the defaults; a path may name it.
          index = list.length;
          create.push({ at: segs.length, element: { service: part } });
        } else if (segs.length === 2 && segs[0] === 'cluster' && segs[1] === 'nodes' && expandedFrom(list, part) !== undefined) {
          const base = expandedFrom(list, part)!;
          throw new PathError(`node ${part} comes from count expansion of cluster.nodes.${base}; a path names the entry as written (cluster.nodes.${base}), which sets every node of it`, at);
        } else if (segs.length === 1 && segs[0] === 'loadBalancers') {
          const named = names.filter((n): n is string => n !== undefined);
          throw new PathError(`no loadBalancers entry for "${part}"${quoteList(named)}, and no LoadBalancer Service named ${part} to create one for`, at);
        } else if (/^\d+$/.test(part)) {
          throw new PathError(list.length === 0 ? `${where} has no ${what} ${part}: the list is empty` : `no ${what} ${part}: ${where} has ${list.length} (0..${list.length - 1})`, at);
        } else {
          const named = names.filter((n): n is string => n !== undefined);
          const hint = closest(part, named);
          throw new PathError(`no ${what} named "${part}"${hint ? ` (did you mean ${hint}?)` : quoteList(named)}`, at);
        }
      }
      segs.push(index);
      if (index < list.length) existing = segs.length;
      sch = childSchema(sch, index, list[index]);
      cur = list[index];
    } else if (isPlainObject(cur) || cur === undefined) {
      const keys = allowedKeys(sch);
      const isRecord = kindOf(sch) === 'record' || (cur === undefined && acceptsMapping(sch) && keys === undefined);
      const has = isPlainObject(cur) && Object.hasOwn(cur, part);
      if (!has && !isRecord && !(keys ?? []).includes(part)) {
        const allowed = keys ?? (isPlainObject(cur) ? Object.keys(cur) : []);
        const hint = closest(part, allowed);
        throw new PathError(`${where || 'the scenario'} has no field "${part}"${hint ? ` (did you mean ${hint}?)` : allowed.length ? ` (fields: ${allowed.join(', ')})` : ''}`, at);
      }
      const next = has ? (cur as Record<string, unknown>)[part] : undefined;
      sch = childSchema(sch, part, cur);
      segs.push(part);
      if (has) existing = segs.length;
      cur = next;
    } else {
      throw new PathError(`${where} is ${JSON.stringify(cur)}, not a mapping or a list, so it has no "${part}"; set ${where} as a whole`, at);
    }
  }
  return { segs, create };
}

function isLoadBalancerService(raw: unknown, name: string): boolean {
  const services = isPlainObject(raw) ? raw.services : undefined;
  return Array.isArray(services) && services.some((s) => elementName(s) === name && isPlainObject(s) && isPlainObject(s.spec) && s.spec.type === 'LoadBalancer');
}

/** Sets `value` at a located place of `raw`, creating the mappings and list elements on the way. */
export function assign(raw: unknown, located: Located, value: unknown): void {
  const { segs, create } = located;
  let cur = raw as Record<string | number, unknown>;
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i];
    const made = create.find((c) => c.at === i);
    if (made && Array.isArray(cur) && cur[seg as number] === undefined) cur[seg as number] = structuredClone(made.element);
    if (cur[seg] === null || typeof cur[seg] !== 'object') cur[seg] = typeof segs[i + 1] === 'number' ? [] : {};
    cur = cur[seg] as Record<string | number, unknown>;
  }
  const last = segs[segs.length - 1];
  const made = create.find((c) => c.at === segs.length - 1);
  // null (YAML `~`) removes a field of a mapping, so that its default applies; no field of a scenario takes null.
  if (value === null && !Array.isArray(cur)) delete cur[last];
  else cur[last] = made && value === undefined ? structuredClone(made.element) : value;
}

/** Does a string read back as itself when written plain inside a YAML flow collection? */
function plainInFlow(text: string): boolean {
  return (
    /^[A-Za-z0-9_./@+-][A-Za-z0-9_./@+ -]*$/.test(text) &&
    text === text.trim() &&
    !/^(?:true|false|null|~|yes|no|on|off|[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|[-+]?\.(?:inf|nan)|0x[0-9a-f]+|0o[0-7]+)$/i.test(text) &&
    !/ [#-]|^- /.test(text)
  );
}

/**
 * A value in compact YAML flow form, as a label shows it: `{zone: zone-a}`,
 * `[1, 2]`, `external`, `3`; strings that would read back as something else
 * are quoted.
 */
export function flowText(value: unknown, nested = false): string {
  if (typeof value === 'string') return !nested || plainInFlow(value) ? value : JSON.stringify(value);
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((x) => flowText(x, true)).join(', ')}]`;
  if (isPlainObject(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${plainInFlow(k) ? k : JSON.stringify(k)}: ${flowText(v, true)}`)
      .join(', ')}}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? typeof value; // no YAML value reaches here (dates and the like are not scenario values)
}

/** Do two located places overlap (one is the other or inside it)? */
export function overlaps(a: readonly Segment[], b: readonly Segment[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The value a path names in a resolved scenario (list elements by name or
 * index; nodes by their expanded names), or `undefined`.
 */
export function valueAt(scenario: unknown, path: string): unknown {
  let cur: unknown = scenario;
  for (const part of path.split('.')) {
    if (Array.isArray(cur)) {
      const list: readonly unknown[] = cur;
      const byName = list.find((x) => elementName(x) === part);
      cur = byName ?? (/^(0|[1-9]\d*)$/.test(part) ? list[Number(part)] : undefined);
    } else if (isPlainObject(cur) && Object.hasOwn(cur, part)) cur = cur[part];
    else return undefined;
  }
  return cur;
}
