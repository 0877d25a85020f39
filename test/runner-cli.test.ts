/**
 * `svcsim run` and `merge` end to end: the results folder and its contract,
 * byte-identical CSV whatever the worker count or shard split, common random
 * numbers across variants, crashes that name their seed, merges that refuse
 * folders that do not belong together, and bad input with exit code 2.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import type { Manifest } from '../src/results/manifest.js';
import { replicationSeed } from '../src/engine/random.js';

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

const csvFiles = ['summary.csv', 'replications.csv', 'diffs.csv', 'pods.csv', 'nodes.csv', 'timeseries.csv', 'latency_cdf.csv', 'latency_breakdown.csv'];
const read = (d: string, f: string) => readFileSync(join(d, f), 'utf8');
const manifestOf = (d: string) => JSON.parse(read(d, 'manifest.json')) as Manifest;
/** The fields of the row of a CSV text (no quoted fields) whose first fields are `prefix`. */
const row = (csv: string, ...prefix: string[]) =>
  csv
    .split('\n')
    .map((l) => l.split(','))
    .find((r) => prefix.every((p, i) => r[i] === p))!;

afterEach(() => {
  delete process.env.SVCSIM_TEST_CRASH;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('svcsim run', () => {
  it('writes every result file with the columns of the contract, and a manifest that says how', async () => {
    const out = join(dir, 'one');
    expect(await svcsim('run', scenario, '--workers', '1', '--out', out, '--no-charts', '--quiet')).toBe(0);
    for (const f of [...csvFiles, 'manifest.json', 'replications.jsonl']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(read(out, 'summary.csv').split('\n')[0]).toBe('variant,replicas,scope,metric,n,mean,stddev,ci_low,ci_high,ci_half_width,min,max');
    expect(read(out, 'diffs.csv').split('\n')[0]).toBe('variant,replicas,scope,baseline,metric,n,mean_diff,ci_low,ci_high');
    expect(read(out, 'pods.csv').split('\n')[0]).toBe('variant,replicas,replication,pod,workload,node,zone,requests,share,utilization');
    expect(read(out, 'nodes.csv').split('\n')[0]).toBe('variant,replicas,replication,node,zone,received,forwarded_cross_node,dropped');
    // The contract's columns first, then the extra series the report draws (src/report/README.md).
    expect(read(out, 'timeseries.csv').split('\n')[0]).toBe('variant,replicas,t_s,requests,ok,failed,throughput_rps,latency_p50_ms,latency_p99_ms,failed_timeout,failed_refused,failed_rejected,failed_dependency,unfinished,in_flight,queue_length,t_scenario_s,throughput_rps_ci_low,throughput_rps_ci_high,failed_ci_low,failed_ci_high,latency_p99_ms_ci_low,latency_p99_ms_ci_high,in_flight_ci_low,in_flight_ci_high,queue_length_ci_low,queue_length_ci_high');
    expect(read(out, 'latency_breakdown.csv').split('\n')[0]).toBe('variant,replicas,scope,segment,mean_ms,share');
    expect(read(out, 'latency_cdf.csv').split('\n')[0]).toBe('variant,replicas,latency_ms,fraction');
    const scopes = new Set(read(out, 'summary.csv').split('\n').slice(1, -1).map((l) => l.split(',')[2]));
    expect([...scopes]).toEqual(['all', 'traffic:users', 'traffic:inside']);

    const m = manifestOf(out);
    expect(m.complete).toBe(true);
    expect(m.variants.map((v) => [v.label, v.params, v.replications])).toEqual([
      ['replicas=3', [{ key: 'replicas', value: '3' }], 4],
      ['replicas=5', [{ key: 'replicas', value: '5' }], 4],
    ]);
    expect(m).toMatchObject({ seed: 11, replicationsPerVariant: 4, workers: 1, shard: null, nodeVersion: process.version, scenarioFile: scenario });
    expect(m.scenarioSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((m.resolvedScenario as { sweep?: unknown }).sweep).toBeDefined();
    expect(m.simulatedRequests).toBeGreaterThan(0);
    expect(m.mser5?.perVariant.map((p) => p.label)).toEqual(['replicas=3', 'replicas=5']);
    expect(m.wallTimeSeconds).toBeGreaterThan(0);
    // One replication record per line, in (variant, replication) order.
    const lines = read(out, 'replications.jsonl').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { variant: number; replication: number }).replication)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    // No temporary folder is left behind.
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('gives replication r of every variant the seed of r alone (common random numbers)', () => {
    const csv = read(join(dir, 'one'), 'replications.csv');
    for (const r of [0, 3]) {
      const seed = String(replicationSeed(11, r));
      expect(row(csv, 'replicas=3', '3', 'all', String(r))[4]).toBe(seed);
      expect(row(csv, 'replicas=5', '5', 'all', String(r))[4]).toBe(seed);
    }
  });

  it('makes the paired difference between variants tighter than their independent intervals', () => {
    const out = join(dir, 'one');
    const half = (label: string, value: string) => Number(row(read(out, 'summary.csv'), label, value, 'all', 'latency_mean_ms')[9]);
    const d = row(read(out, 'diffs.csv'), 'replicas=5', '5', 'all', 'replicas=3', 'latency_mean_ms');
    const pairedHalf = (Number(d[8]) - Number(d[7])) / 2;
    expect(pairedHalf).toBeLessThan(Math.hypot(half('replicas=3', '3'), half('replicas=5', '5')));
  });

  it('gives byte-identical CSV files with 0 (main thread), 1 or 2 workers and with shards 0/2 + 1/2 merged', async () => {
    const one = join(dir, 'one');
    const two = join(dir, 'w2');
    const main = join(dir, 'w0');
    expect(await svcsim('run', scenario, '--workers', '2', '--out', two, '--no-charts', '--quiet')).toBe(0);
    expect(await svcsim('run', scenario, '--workers', '0', '--out', main, '--no-charts', '--quiet')).toBe(0);
    expect(await svcsim('run', scenario, '--workers', '2', '--shard', '0/2', '--out', join(dir, 's0'), '--no-charts', '--quiet')).toBe(0);
    expect(await svcsim('run', scenario, '--workers', '1', '--shard', '1/2', '--out', join(dir, 's1'), '--no-charts', '--quiet')).toBe(0);
    expect(manifestOf(join(dir, 's1')).variants.map((v) => v.replications)).toEqual([2, 2]);
    const merged = join(dir, 'merged');
    expect(await svcsim('merge', join(dir, 's1'), join(dir, 's0'), '--out', merged, '--no-charts')).toBe(0);
    for (const f of csvFiles) {
      expect(read(two, f), f).toBe(read(one, f));
      expect(read(main, f), f).toBe(read(one, f));
      expect(read(merged, f), f).toBe(read(one, f));
    }
    const m = manifestOf(merged);
    expect(m).toMatchObject({ complete: true, shard: null, simulatedRequests: manifestOf(one).simulatedRequests, mser5: manifestOf(one).mser5 });
    expect(m.mergedFrom?.map((p) => p.shard)).toEqual(['1/2', '0/2']);
  });

  it('refuses to merge folders with a replication missing, twice, or of another seed or scenario, with exit code 2', async () => {
    const [s0, s1] = [join(dir, 's0'), join(dir, 's1')];
    const out = join(dir, 'bad-merge');
    expect(await svcsim('merge', s0, '--out', out, '--no-charts')).toBe(2);
    expect(stderr).toContain('4 replications are in none of the folders (replication 1 of "replicas=3", replication 3 of "replicas=3"');
    expect(await svcsim('merge', s0, s1, s0, '--out', out, '--no-charts')).toBe(2);
    expect(stderr).toMatch(/replication 0 of variant "replicas=3" is in both .*s0 and .*s0/);
    const other = join(dir, 's1-other-seed');
    cpSync(s1, other, { recursive: true });
    writeFileSync(join(other, 'manifest.json'), JSON.stringify({ ...manifestOf(s1), seed: 12 }));
    expect(await svcsim('merge', s0, other, '--out', out, '--no-charts')).toBe(2);
    expect(stderr).toContain('seed 12 against 11');
    writeFileSync(join(other, 'manifest.json'), JSON.stringify({ ...manifestOf(s1), scenarioSha256: '0'.repeat(64) }));
    expect(await svcsim('merge', s0, other, '--out', out, '--no-charts')).toBe(2);
    expect(stderr).toContain('another scenario file');
    expect(await svcsim('merge', s0, join(dir, 'nowhere'), '--out', out, '--no-charts')).toBe(2);
    expect(stderr).toContain('not a results folder');
    expect(existsSync(out)).toBe(false);
  });

  it('fails a crashed replication with exit code 1, names its seed, and keeps the others', async () => {
    process.env.SVCSIM_TEST_CRASH = 'replicas=5:2';
    const out = join(dir, 'crash');
    expect(await svcsim('run', scenario, '--workers', '2', '--out', out, '--no-charts', '--quiet')).toBe(1);
    expect(stderr).toContain(
      `svcsim run: replication 2 of variant "replicas=5" (seed ${replicationSeed(11, 2)}) failed: injected crash (SVCSIM_TEST_CRASH); ` +
        `rerun it alone with: svcsim run ${scenario} --variant replicas=5 --replication 2 --out ${out}-rerun`,
    );
    const m = manifestOf(out);
    expect(m.complete).toBe(false);
    expect(m.failure).toContain('replication 2 of variant "replicas=5"');
    // What finished is written, and the crashed one is not among it.
    const written = read(out, 'replications.jsonl')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { variant: number; replication: number });
    expect(written.length).toBeGreaterThan(0);
    expect(written).not.toContainEqual(expect.objectContaining({ variant: 1, replication: 2 }));
    expect(read(out, 'replications.csv').split('\n').length - 2).toBe(written.length * 3);
    delete process.env.SVCSIM_TEST_CRASH;
    // The crashed one alone reruns, with the seed the message named.
    expect(await svcsim('run', scenario, '--variant', 'replicas=5', '--replication', '2', '--out', `${out}-rerun`, '--no-charts', '--quiet')).toBe(0);
    const rerun = read(`${out}-rerun`, 'replications.csv').split('\n').slice(1, -1);
    expect(rerun.map((l) => l.split(',').slice(0, 5).join(','))).toEqual(['all', 'traffic:users', 'traffic:inside'].map((s) => `replicas=5,5,${s},2,${replicationSeed(11, 2)}`));
    expect(rerun[0]).toBe(read(join(dir, 'one'), 'replications.csv').split('\n').find((l) => l.startsWith('replicas=5,5,all,2,')));
  });

  it('names the overloaded pods when a replication exceeds maxInFlight, with exit code 1', async () => {
    const out = join(dir, 'overload');
    expect(await svcsim('run', scenario, '--set', 'simulation.maxInFlight=60', '--set', 'workloads.web.serviceTime=50ms', '--workers', '1', '--replications', '2', '--out', out, '--no-charts', '--quiet')).toBe(1);
    expect(stderr).toMatch(/replication \d of variant "replicas=\d" \(seed \d+\) failed: more than 60 requests in flight .*longest queues: web-/);
    expect(stderr).toContain("--set simulation.maxInFlight=60 --set workloads.web.serviceTime=50ms");
    expect(manifestOf(out).complete).toBe(false);
  });

  it('rejects bad input with exit code 2 and a positioned message', async () => {
    expect(await svcsim('run', 'test/fixtures/scenarios/does-not-exist.yaml', '--no-charts')).toBe(2);
    expect(stderr).toContain('does-not-exist.yaml');
    expect(stderr).toContain('cannot read: no such file');
    expect(await svcsim('run', scenario, '--set', 'workloads.wbe.replicas=3', '--no-charts')).toBe(2);
    expect(stderr).toContain(`${scenario}:9:3: --set workloads.wbe.replicas=3: no workload named "wbe" (have: web)`);
    expect(await svcsim('run', scenario, '--shard', '2/2', '--no-charts')).toBe(2);
    expect(stderr).toContain('--shard 2/2: expected I/N with 0 ≤ I < N');
    expect(await svcsim('run', scenario, '--variant', 'replicas=3', '--no-charts')).toBe(2);
    expect(stderr).toContain('--variant and --replication go together');
    expect(await svcsim('run', scenario, '--variant', 'replicas=4', '--replication', '0', '--no-charts')).toBe(2);
    expect(stderr).toContain('no such variant (have: replicas=3, replicas=5)');
    expect(await svcsim('run', scenario, '--replications', '0', '--no-charts')).toBe(2);
    writeFileSync(join(dir, 'a-file'), '');
    expect(await svcsim('run', scenario, '--out', join(dir, 'a-file', 'results'), '--no-charts')).toBe(2);
    expect(stderr).toContain(`cannot write the results folder ${join(dir, 'a-file', 'results')}`);
    expect(await svcsim('run', scenario, '--workers', 'two')).toBe(2);
    expect(await svcsim('run', scenario, '--bogus')).toBe(2);
    expect(await svcsim('frobnicate')).toBe(2);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack traces
  });
});

describe('sequential stopping through svcsim run', () => {
  it('records per variant whether the precision was met and with how many replications, and prints it', async () => {
    const out = join(dir, 'precise');
    const code = await svcsim(
      'run',
      scenario,
      '--set',
      'simulation.precision={metric: requests, relative: 0.02, maxReplications: 9}',
      '--replications',
      '2',
      '--workers',
      '2',
      '--out',
      out,
      '--no-charts',
    );
    expect(code).toBe(0);
    const m = manifestOf(out);
    expect(m.precision).toMatchObject({ metric: 'requests', relative: 0.02, confidence: 0.95, maxReplications: 9 });
    const p = m.precision!;
    expect(p.replications).toBeGreaterThan(2);
    expect(p.perVariant.map((v) => [v.label, v.replications])).toEqual([
      ['replicas=3', p.replications],
      ['replicas=5', p.replications],
    ]);
    expect(m.replicationsPerVariant).toBe(p.replications);
    expect(m.variants.every((v) => v.replications === p.replications)).toBe(true);
    expect(stderr).toContain(`precision: requests half-width ≤ 2% of the mean at 95% ${p.met ? 'met' : 'NOT met'} (${p.replications} replications, at most 9)`);
    expect(stderr).toContain(`results in ${out}/`);
  });
});
