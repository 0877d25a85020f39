/**
 * Reading files a user names — the scenario itself, and the CSV files it
 * refers to (empirical distributions, traces) — with bounds, so that a wrong
 * path cannot hang svcsim or exhaust its memory: only regular files (never
 * a FIFO, which would wait forever, or a device such as /dev/zero, which
 * never ends), no larger than a limit, read with that bound even if the file
 * grows meanwhile.
 *
 * A scenario's files must lie under the scenario's own folder (symbolic
 * links resolved), so that a scenario received from someone else cannot
 * read anything else on this machine; `SVCSIM_FILES_ROOT` (folders
 * separated like PATH) allows further folders explicitly.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { delimiter, isAbsolute, relative, resolve } from 'node:path';

/** A scenario file is at most 4 MiB: long lists of values belong in a CSV file (`file:`). */
export const MAX_SCENARIO_BYTES = 4 * 2 ** 20;
/** A CSV file of an empirical distribution or a trace is at most 32 MiB. */
export const MAX_DATA_FILE_BYTES = 32 * 2 ** 20;

const MIB = (n: number) => `${n / 2 ** 20} MiB`;

/** A file that is not a regular file, or too large: the message says which limit. */
export class FileLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileLimitError';
  }
}

/** A file outside the folders a scenario may read (its message reads after the file's name). */
export class OutsideRootsError extends FileLimitError {}

/**
 * The bytes of the regular file at `path`, at most `limit` of them; throws a
 * FileLimitError otherwise (and the file system's own errors: ENOENT…).
 */
export function readBoundedFile(path: string, limit: number): Buffer {
  // Non-blocking, so that opening a FIFO returns at once instead of waiting for a writer.
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    if (!st.isFile()) throw new FileLimitError('not a regular file (a pipe or a device cannot be read as one)');
    if (st.size > limit) throw new FileLimitError(`${st.size} bytes: larger than svcsim reads (at most ${MIB(limit)})`);
    const buf = Buffer.alloc(Math.min(limit, st.size) + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
      if (got === buf.length) {
        if (got > limit) throw new FileLimitError(`larger than svcsim reads (at most ${MIB(limit)}; it grew while being read)`);
        break;
      }
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** The folders besides the scenario's own whose files a scenario may read (`SVCSIM_FILES_ROOT`). */
export function allowedRoots(): string[] {
  return (process.env.SVCSIM_FILES_ROOT ?? '')
    .split(delimiter)
    .filter((r) => r.trim() !== '')
    .map((r) => resolve(r));
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

const inside = (p: string, root: string) => {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Why the file at `full` (symbolic links resolved) may not be read by a
 * scenario in folder `base`, or undefined when it may.
 */
export function outsideRoots(full: string, base: string): string | undefined {
  const target = real(full);
  const roots = [base, ...allowedRoots()].map(real);
  if (roots.some((r) => inside(target, r))) return undefined;
  return (
    `is outside the scenario's folder${base === '.' ? '' : ` (${base})`}: a scenario reads only files under its own folder, ` +
    `so that one received from elsewhere cannot read anything else on this machine; move the file there, or allow its folder with SVCSIM_FILES_ROOT=<folder>`
  );
}
