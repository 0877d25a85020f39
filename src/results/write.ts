/**
 * Writing a results folder whole or not at all: everything goes to a
 * temporary sibling folder, which is then renamed into place (an existing
 * folder of the same name is moved aside first and removed after).
 */
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function temporaryFolder(out: string): string {
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  return tmp;
}

export function writeFiles(dir: string, files: Record<string, string | undefined>): void {
  for (const [name, text] of Object.entries(files)) if (text !== undefined) writeFileSync(join(dir, name), text);
}

/** Renames tmp to out, replacing out if it exists. */
export function commitFolder(tmp: string, out: string): void {
  mkdirSync(dirname(out), { recursive: true });
  if (existsSync(out)) {
    const old = join(dirname(out), `.${basename(out)}.old-${process.pid}`);
    rmSync(old, { recursive: true, force: true });
    renameSync(out, old);
    renameSync(tmp, out);
    rmSync(old, { recursive: true, force: true });
  } else renameSync(tmp, out);
}
