/**
 * `svcsim run` and `merge` end to end: the results folder and its contract,
 * byte-identical CSV whatever the worker count or shard split, crashes that
 * name their seed, and bad input with exit code 2.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';

const scenario = 'test/fixtures/scenarios/tiny-sweep.yaml';
let dir: string;
let stderr: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'svcsim-run-'));
});

async function svcsim(...args: string[]): Promise<number> {
  stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await main(args);
  } finally {
    spy.mockRestore();
    out.mockRestore();
  }
}

const csvFiles = ['summary.csv', 'replications.csv', 'diffs.csv', 'pods.csv', 'nodes.csv', 'timeseries.csv', 'latency_cdf.csv'];
const read = (d: string, f: string) => readFileSync(join(d, f), 'utf8');

afterEach(() => {
  delete process.env.SVCSIM_TEST_CRASH;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('svcsim run', () => {
  it('writes every result file with the columns of the contract', async () => {
    const out = join(dir, 'one');
    expect(await svcsim('run', scenario, '--workers', '1', '--out', out, '--no-charts', '--quiet')).toBe(0);
    for (const f of [...csvFiles, 'manifest.json']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(read(out, 'summary.csv').split('\n')[0]).toBe('variant,replicas,scope,metric,n,mean,stddev,ci_low,ci_high,ci_half_width,min,max');
    expect(read(out, 'diffs.csv').split('\n')[0]).toBe('variant,replicas,scope,baseline,metric,n,mean_diff,ci_low,ci_high');
    expect(read(out, 'pods.csv').split('\n')[0]).toBe('variant,replicas,replication,pod,workload,node,zone,requests,share,utilization');
    const scopes = new Set(read(out, 'summary.csv').split('\n').slice(1, -1).map((l) => l.split(',')[2]));
    expect([...scopes]).toEqual(['all', 'traffic:users', 'traffic:inside']);
    const manifest = JSON.parse(read(out, 'manifest.json')) as { complete: boolean; variants: { label: string; replications: number }[]; replicationsPerVariant: number };
    expect(manifest.complete).toBe(true);
    expect(manifest.variants.map((v) => v.label)).toEqual(['replicas=3', 'replicas=5']);
    expect(manifest.variants.every((v) => v.replications === 4)).toBe(true);
    // No temporary folder is left behind.
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('gives byte-identical CSV files with 1 or 2 workers and with shards merged', async () => {
    const one = join(dir, 'w1');
    const two = join(dir, 'w2');
    expect(await svcsim('run', scenario, '--workers', '1', '--out', one, '--no-charts', '--quiet')).toBe(0);
    expect(await svcsim('run', scenario, '--workers', '2', '--out', two, '--no-charts', '--quiet')).toBe(0);
    expect(await svcsim('run', scenario, '--workers', '2', '--shard', '0/3', '--out', join(dir, 's0'), '--no-charts', '--quiet')).toBe(0);
    expect(await svcsim('run', scenario, '--workers', '1', '--shard', '1/3', '--out', join(dir, 's1'), '--no-charts', '--quiet')).toBe(0);
    expect(await svcsim('run', scenario, '--workers', '2', '--shard', '2/3', '--out', join(dir, 's2'), '--no-charts', '--quiet')).toBe(0);
    const merged = join(dir, 'merged');
    expect(await svcsim('merge', join(dir, 's2'), join(dir, 's0'), join(dir, 's1'), '--out', merged, '--no-charts')).toBe(0);
    for (const f of csvFiles) {
      expect(read(two, f), f).toBe(read(one, f));
      expect(read(merged, f), f).toBe(read(one, f));
    }
  });

  it('fails a crashed replication with exit code 1, names its seed, and keeps the others', async () => {
    process.env.SVCSIM_TEST_CRASH = 'replicas=5:2';
    const out = join(dir, 'crash');
    expect(await svcsim('run', scenario, '--workers', '2', '--out', out, '--no-charts', '--quiet')).toBe(1);
    expect(stderr).toMatch(/replication 2 of variant "replicas=5" \(seed \d+\) failed: injected crash/);
    expect(stderr).toContain(`rerun it alone with: svcsim run ${scenario} --variant replicas=5 --replication 2`);
    const manifest = JSON.parse(read(out, 'manifest.json')) as { complete: boolean };
    expect(manifest.complete).toBe(false);
    expect(read(out, 'replications.csv').split('\n').length).toBeGreaterThan(2);
    delete process.env.SVCSIM_TEST_CRASH;
    // The crashed one alone reruns.
    expect(await svcsim('run', scenario, '--variant', 'replicas=5', '--replication', '2', '--out', join(dir, 'rerun'), '--no-charts', '--quiet')).toBe(0);
    expect(read(join(dir, 'rerun'), 'replications.csv').split('\n').filter((l) => l.startsWith('replicas=5,5,all,2,')).length).toBe(1);
  });

  it('rejects bad input with exit code 2 and a positioned message', async () => {
    expect(await svcsim('run', 'test/fixtures/scenarios/does-not-exist.yaml', '--no-charts')).toBe(2);
    expect(stderr).toContain('does-not-exist.yaml:1:1: (file): cannot read: no such file');
    expect(await svcsim('run', scenario, '--set', 'workloads.wbe.replicas=3', '--no-charts')).toBe(2);
    expect(stderr).toContain('no element named "wbe" (have: web)');
    expect(await svcsim('run', scenario, '--bogus')).toBe(2);
    expect(await svcsim('frobnicate')).toBe(2);
  });
});
