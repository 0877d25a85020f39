/**
 * One clock for the user (issue 11, point 4): `failures[].at`, `schedule`
 * steps and `trace --at` count from the start of the warm-up, and so does
 * every time the report shows. A run of scenarios/node-failure.yaml with a
 * 10 s warm-up and the crash moved to `at: 70s`: timeseries.csv keeps the
 * contract's `t_s` (from the window's start, the crash at 60) and adds
 * `t_scenario_s`; the charts' time axes, failure marks, text alternatives
 * and the summary at the top all say 70 s.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { svcsim } from './helpers/cli.js';
import { chartSpecs, readResultFiles } from '../src/report/index.js';
import { readManifest } from '../src/report/manifest.js';
import { num } from '../src/report/readCsv.js';

let dir: string;

beforeAll(async () => {
  dir = join(mkdtempSync(join(tmpdir(), 'svcsim-clock-')), 'results');
  const set = ['simulation.warmup=10s', 'simulation.duration=80s', 'traffic.users.arrival.rate=200/s', 'failures.0.at=70s', 'failures.0.recoverAfter=5m'].flatMap((x) => ['--set', x]);
  const { code, stderr } = await svcsim('run', 'scenarios/node-failure.yaml', ...set, '--replications', '2', '--seed', '7', '--workers', '0', '--out', dir, '--quiet');
  if (code !== 0) throw new Error(`run exited ${code}: ${stderr}`);
}, 120_000);

afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

/** Every object with a mark anywhere in a spec. */
function marks(spec: unknown, out: { mark: Record<string, unknown>; encoding?: Record<string, Record<string, unknown>> }[] = []) {
  if (Array.isArray(spec)) for (const x of spec) marks(x, out);
  else if (spec && typeof spec === 'object') {
    const o = spec as Record<string, unknown>;
    if (o.mark) out.push({ mark: typeof o.mark === 'string' ? { type: o.mark } : (o.mark as Record<string, unknown>), encoding: o.encoding as never });
    for (const [k, v] of Object.entries(o)) if (k !== 'data') marks(v, out);
  }
  return out;
}

describe('one clock: a crash written at: 70s after a 10 s warm-up', () => {
  it('timeseries.csv keeps t_s from the window start and adds t_scenario_s = t_s + 10', () => {
    const rows = readResultFiles(dir).timeseries!;
    expect(rows.length).toBe(80);
    for (const r of rows) expect(num(r, 't_scenario_s')).toBeCloseTo(num(r, 't_s')! + 10, 9);
    // The first bucket with failed requests is the crash's, 70 s on the scenario clock (69 for a request already in service).
    const first = rows.find((r) => num(r, 'failed')! > 0)!;
    expect(num(first, 't_scenario_s')).toBeGreaterThanOrEqual(69);
    expect(num(first, 't_scenario_s')).toBeLessThanOrEqual(70);
  });

  it('every chart over time marks the crash at 70 s, shades the warm-up from 0 to 10 s, and titles its axis with the clock', () => {
    const specs = chartSpecs(readResultFiles(dir), readManifest(dir));
    const overTime = specs.filter((c) => ['timeseries', 'failures', 'in-flight'].includes(c.name));
    expect(overTime.map((c) => c.name)).toEqual(['timeseries', 'failures', 'in-flight']);
    for (const c of overTime) {
      const all = marks(c.spec);
      const crash = all.filter((m) => m.mark.type === 'rule' && m.mark.color === '#c0392b').map((m) => m.encoding?.x?.datum);
      expect(crash, c.name).toEqual(expect.arrayContaining([70]));
      expect(crash, c.name).not.toContain(60);
      const warmup = all.find((m) => m.mark.type === 'rect' && m.encoding?.x?.datum === 0);
      expect(warmup?.encoding?.x2?.datum, c.name).toBe(10);
      const titles = all.map((m) => m.encoding?.x).filter((x) => x?.field === 't' && x.title !== undefined && x.title !== null).map((x) => x!.title);
      expect(titles.length, c.name).toBeGreaterThan(0);
      for (const t of titles) expect(t, c.name).toBe('time from the start of the warm-up (s)');
    }
  });

  it('the text alternatives and the summary at the top say 70 s', () => {
    const specs = chartSpecs(readResultFiles(dir), readManifest(dir));
    expect(specs.find((c) => c.name === 'timeseries')!.description).toContain('node node-1 down at 70 s');
    expect(specs.find((c) => c.name === 'failures')!.description).toMatch(/in the buckets from (69|70) s to 90 s\. Marked: node node-1 down at 70 s\./);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    const glance = /<section id="glance">[\s\S]*?<\/section>/.exec(html)![0];
    expect(glance).toMatch(/in the time buckets from (69|70) s to 90 s \(scheduled: node node-1 down at 70 s\)\. Times count from the start of the 10 s warm-up, as failures\[\]\.at does\./);
    expect(html).not.toMatch(/down at 60 s/);
  });
});
