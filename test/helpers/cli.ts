/**
 * The `svcsim` command inside a test: `svcsim(...args)` runs the real command
 * line entry (`main` of src/cli/main.ts) in this process and returns its exit
 * code and what it wrote to stdout and stderr, without spawning a process;
 * `scratch(prefix)` is a temporary folder for the files a test hands it,
 * removed after the test file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export interface Ran {
  code: number;
  stderr: string;
  stdout: string;
}

export async function svcsim(...args: string[]): Promise<Ran> {
  let stderr = '';
  let stdout = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stderr, stdout };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

/** A temporary folder (removed after the test file) and `file(name, text)`, which writes a file into it (folders made as needed) and returns its path. Call it at the top of a test file. */
export function scratch(prefix: string): { dir: string; file: (name: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  return { dir, file };
}
