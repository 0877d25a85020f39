/**
 * `svcsim run --explain-scaling`: every HPA decision and cluster-autoscaler
 * scan of replication 0 of each variant, on stdout, from the bundled
 * scenarios (autoscaling-spike.yaml, cluster-autoscaler.yaml).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { svcsim } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'svcsim-explain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The HPA lines that rescaled, as "before → after". */
const rescales = (out: string) => [...out.matchAll(/hpa\/web replicas (\d+): .*: scale to (\d+);/g)].map((m) => `${m[1]} → ${m[2]}`);

describe('svcsim run --explain-scaling', () => {
  it('prints the HPA decisions of replication 0 of autoscaling-spike.yaml: 4 → 6 → 10 → 13, and 13 → 5 after the stabilisation window', async () => {
    const { code, stdout: out } = await svcsim('run', 'scenarios/autoscaling-spike.yaml', '--set', 'simulation.duration=16m', '--replications', '1', '--workers', '0', '--no-charts', '--quiet', '--out', join(dir, 'spike'), '--explain-scaling');
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('svcsim run --explain-scaling: variant base, replication 0 (root seed 1); times in seconds from the start of the warm-up (60 s)');
    expect(rescales(out)).toEqual(['4 → 6', '6 → 10', '10 → 13', '13 → 5']);
    // Each line: the time, the metric value against its target, the proposal, stabilised and rate-limited results.
    const first = out.split('\n').find((l) => l.includes('scale to 6')) ?? '';
    expect(first).toMatch(/^ {2}t=\d+\.\d{3}s hpa\/web replicas 4: cpu \d+%\/60% → 6 \(ready 4, .*\); proposal 6 → stabilized 6 → limited 6 .*: scale to 6; /);
    // Every sync is there, 15 s apart.
    const times = [...out.matchAll(/t=(\d+\.\d+)s hpa\/web/g)].map((m) => Number(m[1]));
    expect(times.length).toBe(Math.floor((17 * 60 - times[0]) / 15) + 1);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeCloseTo(15, 6);
  });

  it('prints the cluster autoscaler scale-ups of cluster-autoscaler.yaml, each Ready provisionTime (90 s) after its scan', async () => {
    const { code, stdout: out } = await svcsim(
      'run',
      'scenarios/cluster-autoscaler.yaml',
      '--set',
      'simulation.duration=9m',
      '--replications',
      '1',
      '--workers',
      '0',
      '--no-charts',
      '--quiet',
      '--out',
      join(dir, 'ca'),
      '--explain-scaling',
    );
    expect(code).toBe(0);
    expect(rescales(out)).toEqual(['4 → 6', '6 → 10', '10 → 13']);
    const ups = [...out.matchAll(/t=(\d+\.\d+)s cluster-autoscaler: (\d+) pending; scale up pool-a by (\d+), ready at (\d+\.\d+)s/g)].map((m) => m.slice(1).map(Number));
    expect(ups.map(([, pending, count]) => [pending, count])).toEqual([
      [2, 1],
      [5, 1],
    ]);
    for (const [t, , , ready] of ups) expect(ready).toBeCloseTo(t + 90, 3);
  });

  it('says so for a scenario without autoscaling', async () => {
    const { code, stdout: out } = await svcsim('run', 'scenarios/default.yaml', '--set', 'simulation.duration=2s', '--set', 'simulation.warmup=0s', '--replications', '1', '--workers', '0', '--no-charts', '--quiet', '--out', join(dir, 'default'), '--explain-scaling');
    expect(code).toBe(0);
    expect(out).toContain('no autoscaling in this variant');
  });
});
