/**
 * Issue 10, points 2 and 3: however a worker dies — it throws, exits, or
 * runs out of memory, alone or together with others — the run ends with
 * exit code 1, the message names the first failed replication in
 * replication order (variant, replication, seed), and the replications that
 * finished are written. Never a stack trace, never the whole process lost.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { replicationSeed } from '../../src/engine/random.js';
import type { Manifest } from '../../src/results/manifest.js';
import { svcsim } from '../helpers/cli.js';

const scenario = 'test/fixtures/scenarios/tiny-sweep.yaml'; // variants replicas=3, replicas=5; seed 11
const dir = mkdtempSync(join(tmpdir(), 'svcsim-deaths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.SVCSIM_TEST_CRASH;
  delete process.env.SVCSIM_TEST_WORKER_HEAP_MB;
});

const manifestOf = (out: string) => JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
const jsonlLines = (out: string) => readFileSync(join(out, 'replications.jsonl'), 'utf8').trim().split('\n').filter(Boolean);

describe('replications that fail together on two workers', () => {
  it('end with exit 1 naming the first failure in replication order, every time', async () => {
    process.env.SVCSIM_TEST_CRASH = 'replicas=3:0,replicas=5:0,replicas=3:1,replicas=5:1';
    for (let attempt = 0; attempt < 4; attempt++) {
      const out = join(dir, `together-${attempt}`);
      const r = await svcsim('run', scenario, '--replications', '2', '--workers', '2', '--out', out, '--no-charts', '--quiet');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`replication 0 of variant "replicas=3" (seed ${replicationSeed(11, 0)}) failed: injected crash`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(manifestOf(out).complete).toBe(false);
    }
  });
});

describe('a worker that dies', () => {
  it.each([
    ['exits', 'exit', 'the worker thread died (exit code 7)'],
    ['runs out of memory', 'oom', 'the worker ran out of memory'],
  ])('%s: exit 1, the replication and its seed named, the replications before it kept', async (_what, mode, says) => {
    process.env.SVCSIM_TEST_CRASH = `replicas=5:1:${mode}`;
    process.env.SVCSIM_TEST_WORKER_HEAP_MB = '96';
    const out = join(dir, `death-${mode}`);
    const r = await svcsim('run', scenario, '--replications', '2', '--workers', '1', '--out', out, '--no-charts', '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`replication 1 of variant "replicas=5" (seed ${replicationSeed(11, 1)}) failed: ${says}`);
    expect(r.stderr).toContain('--variant replicas=5 --replication 1');
    // Jobs run replication by replication: r0 of both variants and r1 of replicas=3 came first.
    expect(jsonlLines(out).length).toBe(3);
    expect(manifestOf(out).complete).toBe(false);
  });
});
