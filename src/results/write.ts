/**
 * Writing a results folder whole or not at all: everything goes to a
 * temporary sibling folder `<out>.tmp-<pid>`, which is then renamed into
 * place (an existing folder of the same name is first renamed to
 * `<out>.old-<pid>`, and removed once the new one is in). A crash or a kill
 * at any moment leaves either the old folder or the new one under `<out>`,
 * never a mix.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

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
  const tmp = temporaryFolder(out);
  try {
    await fill(tmp);
    commitFolder(tmp, out);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
