/**
 * Paths into a scenario, as users write them in `sweep` and `--set`:
 * dotted, with list elements addressed by their `name` (or `metadata.name`
 * for Services), e.g. `workloads.web.replicas` or
 * `services.web.spec.externalTrafficPolicy`; a number addresses a list
 * element by position. Internally a path becomes concrete keys and indexes.
 */

export type Segment = string | number;

function elementName(x: unknown): string | undefined {
  if (x === null || typeof x !== 'object') return undefined;
  const o = x as Record<string, unknown>;
  if (typeof o.name === 'string') return o.name;
  const meta = o.metadata as Record<string, unknown> | undefined;
  if (meta && typeof meta.name === 'string') return meta.name;
  if (typeof o.service === 'string') return o.service; // loadBalancers entries
  return undefined;
}

/** Dotted display path for concrete segments, with list elements by name where they have one. */
export function displayPath(root: unknown, segs: readonly Segment[]): string {
  const out: string[] = [];
  let cur: unknown = root;
  for (const s of segs) {
    if (Array.isArray(cur) && typeof s === 'number') {
      const name = elementName(cur[s]);
      out.push(name ?? String(s));
    } else out.push(String(s));
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[s] : undefined;
  }
  return out.join('.') || '(top level)';
}

export class PathError extends Error {}

/**
 * Turns a user path into concrete segments against `root`. Every list
 * element must exist; the last object key may be missing when
 * `allowMissingLeaf` (it will be created). Throws a PathError naming the
 * first segment that does not exist.
 */
export function resolvePath(root: unknown, path: string, allowMissingLeaf: boolean): Segment[] {
  const parts = path.split('.');
  const segs: Segment[] = [];
  let cur: unknown = root;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const where = parts.slice(0, i).join('.') || 'the scenario';
    if (Array.isArray(cur)) {
      let index = cur.findIndex((x) => elementName(x) === part);
      if (index < 0 && /^\d+$/.test(part) && Number(part) < cur.length) index = Number(part);
      if (index < 0) {
        const names = cur.map(elementName).filter((n) => n !== undefined);
        throw new PathError(`${where} has no element named "${part}"${names.length ? ` (have: ${names.join(', ')})` : ''}`);
      }
      segs.push(index);
      cur = cur[index];
    } else if (cur !== null && typeof cur === 'object') {
      const obj = cur as Record<string, unknown>;
      if (!(part in obj)) {
        if (allowMissingLeaf && i === parts.length - 1) {
          segs.push(part);
          return segs;
        }
        throw new PathError(`${where} has no field "${part}"${Object.keys(obj).length ? ` (have: ${Object.keys(obj).join(', ')})` : ''}`);
      }
      segs.push(part);
      cur = obj[part];
    } else {
      throw new PathError(`${where} is a value, not an object or list: "${part}" cannot be addressed`);
    }
  }
  return segs;
}

/** Sets a value at concrete segments in a plain object tree (creating the leaf key). */
export function setAt(root: unknown, segs: readonly Segment[], value: unknown): void {
  let cur = root as Record<string | number, unknown>;
  for (let i = 0; i < segs.length - 1; i++) cur = cur[segs[i]] as Record<string | number, unknown>;
  cur[segs[segs.length - 1]] = value;
}

export function getAt(root: unknown, segs: readonly Segment[]): unknown {
  let cur: unknown = root;
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}
