/**
 * Reading what `kubectl get nodes,deployments,services,hpa -A -o yaml` prints
 * (a `List` of objects), or manifests (one object per YAML document, several
 * files, folders of them), into Kubernetes objects that each know where they
 * are in their file, so that every note and problem can point at them.
 *
 * A file that is not YAML, or whose documents are not Kubernetes objects
 * (a mapping with `kind`), is an {@link ImportError} with `file:line:column`,
 * as every bad input of svcsim is (exit code 2).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';

/** A Kubernetes object and where it starts. */
export interface KubeObject {
  file: string;
  line: number;
  column: number;
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export class ImportError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(line > 0 ? `${file}:${line}:${column}: ${message}` : `${file}: ${message}`);
    this.name = 'ImportError';
  }
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The files to read: a file as it is, a folder's .yaml, .yml and .json files (with sub-folders), sorted. */
export function inputFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const add = (path: string, top: boolean) => {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ImportError(path, 0, 0, `cannot read: ${code === 'ENOENT' ? 'no such file or folder' : (err as Error).message}`);
    }
    if (!isDir) {
      if (top || /\.(ya?ml|json)$/i.test(path)) out.push(path);
      return;
    }
    for (const entry of readdirSync(path).sort()) add(join(path, entry), false);
  };
  for (const p of paths) add(p, true);
  return out;
}

/** Every object of one file: the items of a `List` (or `*List`) document, or the document itself. */
export function readObjects(file: string): KubeObject[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ImportError(file, 0, 0, `cannot read: ${(err as Error).message}`);
  }
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  if (!Array.isArray(docs)) {
    // An empty stream (a comment-only file) parses to nothing to import.
    return [];
  }
  const out: KubeObject[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const { line, column } = at(error.pos[0]);
      throw new ImportError(file, line, column, `YAML: ${error.message.split('\n')[0]}`);
    }
    const root = doc.contents;
    if (root === null) continue;
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    const start = (node: unknown) => at((node as Node | null)?.range?.[0] ?? 0);
    const object = (v: unknown, node: unknown): KubeObject => {
      const { line, column } = start(node);
      if (!isPlainObject(v)) throw new ImportError(file, line, column, 'expected a Kubernetes object (a mapping with apiVersion, kind and metadata)');
      if (typeof v.kind !== 'string' || v.kind === '') throw new ImportError(file, line, column, 'a Kubernetes object needs kind: (this is not what kubectl get -o yaml prints)');
      const metadata = v.metadata;
      if (!isPlainObject(metadata) || typeof metadata.name !== 'string') throw new ImportError(file, line, column, `${v.kind}: needs metadata.name`);
      return {
        file,
        line,
        column,
        kind: v.kind,
        apiVersion: typeof v.apiVersion === 'string' ? v.apiVersion : '',
        metadata: metadata as KubeObject['metadata'],
        ...(isPlainObject(v.spec) ? { spec: v.spec } : {}),
        ...(isPlainObject(v.status) ? { status: v.status } : {}),
      };
    };
    if (isPlainObject(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && 'items' in value) {
      const itemsNode = isMap(root) ? root.get('items', true) : undefined;
      if (!Array.isArray(value.items)) {
        const { line, column } = start(itemsNode ?? root);
        throw new ImportError(file, line, column, `${value.kind}: items must be a list of objects`);
      }
      value.items.forEach((item, i) => out.push(object(item, isSeq(itemsNode) ? itemsNode.items[i] : root)));
    } else {
      out.push(object(value, root));
    }
  }
  return out;
}
