/**
 * Writing a results folder whole or not at all: everything goes to a
 * temporary sibling folder `<out>.tmp-<pid>`, which is then renamed into
 * place (an existing folder of the same name is first renamed to
 * `<out>.old-<pid>`, and removed once the new one is in). A crash or a kill
 * at any moment leaves either the old folder or the new one under `<out>`,
 * never a mix.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, parse, resolve, sep } from 'node:path';

/**
 * Whether `dir` is a folder svcsim wrote: its `manifest.json` is an object
 * naming the svcsim version and the scenario's SHA-256. Only such a folder
 * (or an empty one) is ever replaced by `--out`.
 */
export function isResultsFolder(dir: string): boolean {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as unknown;
    return typeof m === 'object' && m !== null && typeof (m as { svcsim?: unknown }).svcsim === 'string' && typeof (m as { scenarioSha256?: unknown }).scenarioSha256 === 'string';
  } catch {
    return false;
  }
}

/** Whether `inner` is `outer` or lies inside it. */
function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);
}

/**
 * Why `out` must not be replaced by a results folder, or undefined when it
 * may: it does not exist, or is an empty folder, or a results folder svcsim
 * wrote. Everything else — a file, a symbolic link, a folder of anything
 * else, the current folder or one above it — is refused, and nothing is
 * touched: replacing `--out` removes what was there.
 */
export function outputProblem(out: string): string | undefined {
  const shown = JSON.stringify(out);
  if (out.trim() === '') return '--out is empty: give the results folder a name of its own, e.g. --out results/web';
  const target = resolve(out);
  const cwd = process.cwd();
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  if (target === parse(target).root || within(cwd, target) || within(real(cwd), real(target)))
    return `--out ${shown} is the current folder or one above it: svcsim replaces the whole results folder, so it must be a folder of its own, e.g. --out results/web`;
  let stat;
  try {
    stat = lstatSync(target);
  } catch {
    return undefined; // nothing there (or an unreadable parent, which writing reports)
  }
  if (stat.isSymbolicLink()) return `--out ${shown} is a symbolic link: svcsim replaces the whole results folder, so give the folder's own path (nothing was changed)`;
  if (!stat.isDirectory()) return `--out ${shown} is a file, not a results folder: svcsim replaces the whole --out folder, so choose a folder path (nothing was changed)`;
  let entries: string[];
  try {
    entries = readdirSync(target);
  } catch (err) {
    return `cannot read --out ${shown}: ${(err as Error).message}`;
  }
  if (entries.length > 0 && !isResultsFolder(target))
    return (
      `--out ${shown} exists and is not an svcsim results folder (it has no manifest.json written by svcsim): ` +
      `svcsim replaces the whole --out folder, so it only ever replaces its own; choose another --out or move that folder away (nothing was changed)`
    );
  return undefined;
}

/** Thrown when the folder at `--out` turned out not to be ours at the moment of replacing it. */
export class RefusedOutputError extends Error {
  readonly code = 'ESVCSIMREFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'RefusedOutputError';
  }
}

function sibling(out: string, suffix: string): string {
  const target = resolve(out);
  return join(dirname(target), `${basename(target)}.${suffix}-${process.pid}`);
}

/** A fresh, empty temporary folder next to `out`. */
export function temporaryFolder(out: string): string {
  const tmp = sibling(out, 'tmp');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  return tmp;
}

export function writeFiles(dir: string, files: Record<string, string | undefined>): void {
  for (const [name, text] of Object.entries(files)) if (text !== undefined) writeFileSync(join(dir, name), text);
}

/** Renames tmp to out, replacing out if it exists. */
export function commitFolder(tmp: string, out: string): void {
  // Checked again here, not only before the run: the path may have changed meanwhile.
  const refused = outputProblem(out);
  if (refused) throw new RefusedOutputError(refused);
  const target = resolve(out);
  mkdirSync(dirname(target), { recursive: true });
  if (existsSync(target)) {
    const old = sibling(out, 'old');
    rmSync(old, { recursive: true, force: true });
    renameSync(target, old);
    renameSync(tmp, target);
    rmSync(old, { recursive: true, force: true });
  } else renameSync(tmp, target);
}

/** Fills a temporary folder with `fill`, then renames it to `out`; on any error the temporary folder is removed and `out` is untouched. */
export async function writeFolderAtomically(out: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const refused = outputProblem(out);
  if (refused) throw new RefusedOutputError(refused);
  const tmp = temporaryFolder(out);
  try {
    await fill(tmp);
    commitFolder(tmp, out);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
