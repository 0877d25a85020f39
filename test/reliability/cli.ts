/**
 * Running the `svcsim` command inside a test: its exit code and what it
 * printed, without spawning a process.
 */
import { vi } from 'vitest';
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
