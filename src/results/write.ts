/**
 * Writing a results folder whole or not at all, and only over what svcsim
 * wrote itself.
 *
 * - `--out` must be nothing yet, an empty folder, or an svcsim results
 *   folder (its manifest says so); anything else is refused untouched.
 * - One writer per folder: `<out>.lock` (a sibling file naming the process
 *   and host) is taken before the run and released after the write; a lock
 *   whose process is gone is taken over.
 * - Everything is written to a sibling `<out>.tmp-<pid>`. Once it is
 *   complete, the old folder is renamed to `<out>.old-<pid>`, the new one
 *   renamed into place, and the old one removed (on Linux a folder cannot
 *   be renamed over a non-empty one, so the swap is two renames in a row).
 *   A kill -9 at any instant leaves the old complete folder or the new one
 *   at `<out>` — except between those two renames, where the old complete
 *   folder is at `<out>.old-<pid>`: the next svcsim that takes the lock puts
 *   it back. Under the lock, every `.tmp-`/`.old-` sibling is a leftover of
 *   a dead writer and is removed.
 * - A complete folder is never replaced by an incomplete one (an
 *   interrupted or crashed run): that one goes to `<out>.partial` instead.
 */
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
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

/** Whether the process `pid` on this host is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const lockPath = (out: string) => `${resolve(out)}.lock`;
/** The locks this process holds (released on exit, whatever the path to it). */
const held = new Set<string>();
process.on('exit', () => {
  for (const l of held) rmSync(l, { force: true });
});

/**
 * Takes the lock of `out` for this process (again, if it holds it already).
 * Refused when another live svcsim holds it; a lock of a process that is
 * gone is taken over.
 */
export function lockOutput(out: string): void {
  const file = lockPath(out);
  const me = { pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(dirname(file), { recursive: true });
      const fd = openSync(file, 'wx');
      writeFileSync(fd, `${JSON.stringify(me)}\n`);
      closeSync(fd);
      held.add(file);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner: { pid?: unknown; host?: unknown } = {};
    try {
      owner = JSON.parse(readFileSync(file, 'utf8')) as typeof owner;
    } catch {
      // Unreadable or half-written: its writer died between creating and writing it.
    }
    const pid = typeof owner.pid === 'number' ? owner.pid : undefined;
    if (pid === process.pid && owner.host === me.host) {
      held.add(file);
      return;
    }
    if (pid !== undefined && owner.host !== me.host)
      throw new RefusedOutputError(`${out} is being written by svcsim process ${pid} on host ${String(owner.host)} (lock ${file}); if no svcsim runs there any more, remove that file`);
    if (pid !== undefined && alive(pid)) throw new RefusedOutputError(`${out} is being written by another svcsim (process ${pid}, lock ${file}): wait for it to finish, or choose another --out`);
    rmSync(file, { force: true });
  }
  throw new RefusedOutputError(`cannot take the lock ${file} of ${out}`);
}

export function unlockOutput(out: string): void {
  const file = lockPath(out);
  if (held.delete(file)) rmSync(file, { force: true });
}

/**
 * Cleans up after writers of `out` that died (call it holding the lock):
 * a complete folder left at `<out>.old-<pid>` while `<out>` is missing is
 * put back; every other `.tmp-`/`.old-` sibling is removed. Returns what it
 * restored, if anything.
 */
export function recoverOutput(out: string): string | undefined {
  const target = resolve(out);
  const parent = dirname(target);
  const name = basename(target);
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return undefined;
  }
  const leftovers = entries
    .filter((e) => e.startsWith(`${name}.`) && /^\.(tmp|old)-\d+$/.test(e.slice(name.length)))
    .map((e) => join(parent, e))
    .filter((p) => {
      try {
        return lstatSync(p).isDirectory();
      } catch {
        return false;
      }
    });
  let restored: string | undefined;
  if (!existsSync(target)) {
    const olds = leftovers.filter((p) => p.includes('.old-') && isResultsFolder(p)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    if (olds.length > 0) {
      renameSync(olds[0], target);
      restored = olds[0];
    }
  }
  for (const p of leftovers) if (p !== restored) rmSync(p, { recursive: true, force: true });
  return restored;
}

/**
 * Makes `out` ready to be written by this process: refuses what is not
 * ours, takes the lock, and cleans up after writers that died. Returns the
 * problem as a message, or undefined.
 */
export function claimOutput(out: string): string | undefined {
  const refused = outputProblem(out);
  if (refused) return refused;
  try {
    lockOutput(out);
    const restored = recoverOutput(out);
    if (restored) process.stderr.write(`svcsim: put back ${out} from ${restored}, where an svcsim killed while replacing it had left it\n`);
  } catch (err) {
    return err instanceof RefusedOutputError ? err.message : `cannot write the results folder ${out}: ${(err as Error).message}`;
  }
  return outputProblem(out);
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

/** Renames tmp to out, replacing out if it exists (call it holding the lock of `out`). */
export function commitFolder(tmp: string, out: string): void {
  // Checked again here, not only before the run: the path may have changed meanwhile.
  const refused = outputProblem(out);
  if (refused) throw new RefusedOutputError(refused);
  const target = resolve(out);
  mkdirSync(dirname(target), { recursive: true });
  if (!existsSync(target)) {
    renameSync(tmp, target);
    return;
  }
  const old = sibling(out, 'old');
  rmSync(old, { recursive: true, force: true });
  renameSync(target, old);
  try {
    renameSync(tmp, target);
  } catch (err) {
    renameSync(old, target);
    throw err;
  }
  rmSync(old, { recursive: true, force: true });
}

/**
 * While the folder is being written, Ctrl-C says so and waits; a second one
 * abandons the write (the folder at `out` stays as it was) and exits 130.
 */
function guardInterrupts(out: string, tmp: string): () => void {
  let count = 0;
  const onSigint = () => {
    count++;
    if (count === 1) {
      process.stderr.write(`\nsvcsim: writing the results folder ${out}; it takes a moment (Ctrl-C again to abandon it, leaving ${out} as it was)\n`);
      return;
    }
    rmSync(tmp, { recursive: true, force: true });
    unlockOutput(out);
    process.stderr.write(`\nsvcsim: abandoned writing ${out}; it is as it was before this run\n`);
    process.exit(130);
  };
  process.on('SIGINT', onSigint);
  return () => process.removeListener('SIGINT', onSigint);
}

/**
 * Fills a temporary folder with `fill`, then renames it to `out`; on any
 * error the temporary folder is removed and `out` is untouched. Takes the
 * lock of `out` (if the caller has not) and releases it.
 */
export async function writeFolderAtomically(out: string, fill: (tmp: string) => Promise<void> | void): Promise<void> {
  const refused = claimOutput(out);
  if (refused) throw new RefusedOutputError(refused);
  const tmp = temporaryFolder(out);
  const unguard = guardInterrupts(out, tmp);
  try {
    await fill(tmp);
    commitFolder(tmp, out);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    unguard();
    unlockOutput(out);
  }
}

/** Whether the folder at `out` is an svcsim results folder whose manifest says it is complete. */
export function isCompleteFolder(out: string): boolean {
  try {
    return isResultsFolder(out) && (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { complete?: unknown }).complete === true;
  } catch {
    return false;
  }
}
