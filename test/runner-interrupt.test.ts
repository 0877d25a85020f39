/** Ctrl-C: the run stops, writes the replications that finished with complete: false, and exits 1. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('an interrupted run writes what finished, marked incomplete, and exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svcsim-sigint-'));
  const out = join(dir, 'results');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'run', 'scenarios/default.yaml', '--replications', '200', '--workers', '1', '--out', out, '--no-charts'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => {
    // Interrupt once the run is under way (the first replication has started).
    setTimeout(() => child.kill('SIGINT'), 4000);
    child.on('exit', (c) => resolve(c));
  });
  expect(code).toBe(1);
  expect(stderr).toContain('interrupted');
  expect(existsSync(join(out, 'manifest.json'))).toBe(true);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { complete: boolean; variants: { replications: number }[] };
  expect(manifest.complete).toBe(false);
  expect(manifest.variants[0].replications).toBeLessThan(200);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);
