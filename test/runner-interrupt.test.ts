/**
 * Stopping a run from outside. Ctrl-C (SIGINT): the run stops, writes what
 * finished with complete: false, and exits 1. A kill that leaves no time
 * to write anything (SIGKILL): the results folder is left as it was, never
 * half-written.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

/**
 * Starts `svcsim run` in a child process and sends `signal` after `afterMs`
 * (counted, when `lock` is given, from when that lock file appears: the run
 * takes the lock of its results folder just before it listens for Ctrl-C, so
 * a slow start on a busy machine cannot meet a signal it does not handle
 * yet); resolves with its exit code (or signal) and stderr.
 */
function runAndSignal(args: string[], signal: NodeJS.Signals, afterMs: number, lock?: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => (timer = setTimeout(() => child.kill(signal), afterMs));
    const poll = lock
      ? setInterval(() => {
          if (existsSync(lock)) {
            clearInterval(poll);
            arm();
          }
        }, 20)
      : undefined;
    if (!lock) arm();
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve({ code, signal: sig, stderr });
    });
  });
}

it('an interrupted run writes what finished, marked incomplete, and exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svcsim-sigint-'));
  const out = join(dir, 'results');
  // Interrupt once the run is under way (the first replications have finished).
  const { code, stderr } = await runAndSignal(['scenarios/default.yaml', '--replications', '200', '--workers', '1', '--out', out, '--no-charts'], 'SIGINT', 3000, `${out}.lock`);
  expect(code).toBe(1);
  expect(stderr).toContain('interrupted');
  expect(stderr).toMatch(/the \d+ replications that finished are in /);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { complete: boolean; failure: string; variants: { replications: number }[] };
  expect(manifest.complete).toBe(false);
  expect(manifest.failure).toBe('interrupted (SIGINT)');
  expect(manifest.variants[0].replications).toBeLessThan(200);
  const lines = readFileSync(join(out, 'replications.jsonl'), 'utf8').trimEnd().split('\n').filter(Boolean);
  expect(lines.length).toBe(manifest.variants[0].replications);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('a run killed outright leaves the previous results folder exactly as it was', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svcsim-sigkill-'));
  const out = join(dir, 'results');
  mkdirSync(out);
  const previous = '{"svcsim": "0.1.0", "scenarioSha256": "0", "complete": true, "from": "the previous run"}\n';
  writeFileSync(join(out, 'manifest.json'), previous);
  const { signal } = await runAndSignal(['scenarios/default.yaml', '--replications', '200', '--workers', '2', '--out', out, '--no-charts', '--quiet'], 'SIGKILL', 4000);
  expect(signal).toBe('SIGKILL');
  expect(readdirSync(out)).toEqual(['manifest.json']);
  expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(previous);
  expect(readdirSync(dir).filter((f) => f.includes('.old-'))).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);
