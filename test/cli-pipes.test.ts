/**
 * svcsim in a shell pipeline: a reader that stops early (`| head -3`) ends
 * svcsim quietly with exit code 0, never an EPIPE stack trace; and the help
 * shows no meaningless defaults.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';

/** Runs svcsim with stdout on a pipe that is closed after the first chunk, as `head` does; resolves with the exit code and stderr. */
function pipeIntoHead(args: string[]): Promise<{ code: number | null; stderr: string; firstChunk: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let firstChunk = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.once('data', (d: Buffer) => {
    firstChunk = d.toString();
    child.stdout.destroy();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr, firstChunk })));
}

describe('svcsim piped into head', () => {
  it.each([
    ['trace', 'scenarios/loadbalancer.yaml', '--requests', '2000'],
    ['validate', '--resolved', 'scenarios/loadbalancer.yaml', 'scenarios/node-failure.yaml', 'scenarios/default.yaml', 'scenarios/example-web.yaml'],
    ['schema'],
  ])('svcsim %s … | head exits 0 without a stack trace', async (...args) => {
    const { code, stderr, firstChunk } = await pipeIntoHead(args);
    expect(firstChunk.length).toBeGreaterThan(0);
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
  }, 60_000);
});

describe('svcsim --help', () => {
  it('shows no "(default: [])" for repeatable options, and a missing --slo is still an error', async () => {
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (const cmd of ['run', 'validate', 'trace', 'plan', 'merge', 'report', 'schema', 'job', 'import']) expect(await main([cmd, '--help'])).toBe(0);
      expect(out).toContain('--set <path=value>');
      expect(out).not.toContain('(default: [])');
      expect(await main(['plan', 'scenarios/loadbalancer.yaml', '--vary', 'workloads.web.replicas=1..4'])).toBe(2);
    } finally {
      write.mockRestore();
      err.mockRestore();
    }
  });
});
