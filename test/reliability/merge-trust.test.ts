/**
 * Issue 10, point 6, and issue 16: `svcsim merge` trusts nothing it reads.
 * Every record is checked against the schema its writer's type comes from,
 * and against its folder; a problem is exit 2 naming the file and line,
 * never an internal error, never a merge of nonsense. Folders of another
 * scenario, seed or svcsim version, duplicated or missing shards are
 * refused; --allow-partial merges what is there, marked complete: false.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/results/manifest.js';
import { svcsim } from '../helpers/cli.js';

const scenario = 'test/fixtures/scenarios/tiny-sweep.yaml';
const dir = mkdtempSync(join(tmpdir(), 'svcsim-merge-'));
const [s0, s1] = [join(dir, 's0'), join(dir, 's1')];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  for (const [i, s] of [s0, s1].entries())
    expect((await svcsim('run', scenario, '--replications', '2', '--workers', '1', '--shard', `${i}/2`, '--out', s, '--no-charts', '--quiet')).code).toBe(0);
});

const read = (d: string, f: string) => readFileSync(join(d, f), 'utf8');
let copies = 0;
/** A copy of shard 0 whose manifest and replications.jsonl lines pass through `edit`. */
function tampered(edit: { manifest?: (m: Record<string, unknown>) => unknown; line?: (l: Record<string, unknown>, i: number) => unknown; text?: (t: string) => string }): string {
  const d = join(dir, `copy-${copies++}`);
  cpSync(s0, d, { recursive: true });
  if (edit.manifest) writeFileSync(join(d, 'manifest.json'), JSON.stringify(edit.manifest(JSON.parse(read(s0, 'manifest.json')) as Record<string, unknown>)));
  let text = read(s0, 'replications.jsonl');
  if (edit.line) {
    const edited = text
      .trim()
      .split('\n')
      .map((l, i) => JSON.stringify(edit.line!(JSON.parse(l) as Record<string, unknown>, i)));
    text = `${edited.join('\n')}\n`;
  }
  if (edit.text) text = edit.text(text);
  writeFileSync(join(d, 'replications.jsonl'), text);
  return d;
}

const merge = (...args: string[]) => svcsim('merge', ...args, '--out', join(dir, `merged-${copies++}`), '--no-charts');
const first = (f: (r: Record<string, unknown>) => unknown) => (r: Record<string, unknown>, i: number) => (i === 0 ? f(r) : r);

describe('merge refuses records that svcsim did not write, naming the file and line', () => {
  it.each([
    ['an empty object', first(() => ({})), /replications\.jsonl:1: variant: /],
    ['null', first(() => null), /replications\.jsonl:1: \(the whole record\): /],
    ['a variant the run does not have', first((r) => ({ ...r, variant: 99 })), /replications\.jsonl:1: variant: 99, but the run has 2 variant/],
    ['a replication the run did not plan', first((r) => ({ ...r, replication: 1e15 })), /replications\.jsonl:1: replication: /],
    ['a metric of 1e308', first((r) => ({ ...r, scopes: [{ scope: 'all', metrics: (r.scopes as { metrics: number[] }[])[0].metrics.map(() => 1e308) }] })), /replications\.jsonl:1: scopes\[0\]\.metrics\[0\]: /],
    ['a metric "NaN"', first((r) => ({ ...r, simulatedRequests: 'NaN' })), /replications\.jsonl:1: simulatedRequests: /],
    ['a seed that is not the replication\'s', first((r) => ({ ...r, seed: 12345 })), /replications\.jsonl:1: seed: 12345, but replication 0 of root seed 11 has seed /],
    ['other scopes than the records before it', (r: Record<string, unknown>, i: number) => (i === 1 ? { ...r, scopes: (r.scopes as unknown[]).slice(0, 1) } : r), /replications\.jsonl:2: scopes: /],
  ])('%s', async (_what, line, says) => {
    const r = await merge(tampered({ line }), s1);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(says);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a flipped byte in a latency histogram', async () => {
    const d = tampered({ line: first((r) => ({ ...r, latencyHistogram: `${String(r.latencyHistogram).slice(0, 40)}A${String(r.latencyHistogram).slice(41)}` })) });
    const r = await merge(d, s1);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/replications\.jsonl:1: latencyHistogram: /);
    expect(r.stderr).not.toContain('cannot write the results folder');
  });

  it('a line that is not JSON', async () => {
    const r = await merge(tampered({ text: (t) => `${t}{"variant": 0,\n` }), s1);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/replications\.jsonl:3: not JSON/);
  });
});

describe('merge refuses manifests that svcsim did not write', () => {
  it.each([
    ['variants that are not a list', (m: Record<string, unknown>) => ({ ...m, variants: 'x' }), /manifest\.json: variants: /],
    ['a billion replications per variant', (m: Record<string, unknown>) => ({ ...m, replicationsPerVariant: 1e9 }), /manifest\.json: replicationsPerVariant: /],
    ['null', () => null, /manifest\.json: \(the whole record\): /],
  ])('%s', async (_what, manifest, says) => {
    const r = await merge(tampered({ manifest }), s1);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(says);
  });
});

describe('merge refuses shards that do not belong together (issue 16)', () => {
  it('of another svcsim version', async () => {
    const r = await merge(tampered({ manifest: (m) => ({ ...m, svcsim: '0.0.9' }) }), s1);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/by svcsim 0\.0\.9: merge folders of one svcsim version/);
  });

  it('duplicated, or missing (naming the missing replications)', async () => {
    let r = await merge(s0, s1, s0);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/replication 0 of variant "replicas=3" is in both/);
    r = await merge(s0);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('2 replications are in none of the folders (replication 1 of "replicas=3", replication 1 of "replicas=5")');
    expect(r.stderr).toContain('--allow-partial');
  });

  it('with --allow-partial, merges what is there, marked complete: false', async () => {
    const out = join(dir, 'partial');
    const r = await svcsim('merge', s0, '--allow-partial', '--out', out, '--no-charts');
    expect(r.code).toBe(0);
    const m = JSON.parse(read(out, 'manifest.json')) as Manifest;
    expect(m.complete).toBe(false);
    expect(m.warnings.join('\n')).toContain('2 replications are in none of the folders');
    expect(read(out, 'replications.jsonl').trim().split('\n').length).toBe(2);
  });

  it('and merges shards that do belong together, complete', async () => {
    const out = join(dir, 'whole');
    expect((await svcsim('merge', s0, s1, '--out', out, '--no-charts')).code).toBe(0);
    expect((JSON.parse(read(out, 'manifest.json')) as Manifest).complete).toBe(true);
    expect(existsSync(join(out, 'summary.csv'))).toBe(true);
  });
});
