/**
 * A results folder is never half-written: it is filled in a temporary
 * sibling and renamed into place, an existing one is replaced whole, a
 * failure leaves the old one as it was, and a report that cannot be drawn
 * costs the charts, never the results.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readResultsFolder, writeResultsFolder } from '../src/results/folder.js';
import type { Manifest } from '../src/results/manifest.js';
import { svcsim } from './helpers/cli.js';
import { manifest, record, variants } from './helpers/resultsFolder.js';

// Drawing the report fails in this file.
vi.mock('../src/report/index.js', () => ({
  writeReport: () => Promise.reject(new Error('no fonts today')),
}));

const dir = mkdtempSync(join(tmpdir(), 'svcsim-folder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const siblings = () => readdirSync(dir).filter((f) => f.includes('.tmp-') || f.includes('.old-'));

describe('writing a results folder', () => {
  it('replaces an existing folder whole, leaving nothing of the old one and no temporary folder', async () => {
    const out = join(dir, 'replace');
    mkdirSync(out);
    writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest(true)));
    writeFileSync(join(out, 'stale.txt'), 'from an older run');
    await writeResultsFolder(out, manifest(true), variants, [record(1), record(0)]);
    expect(existsSync(join(out, 'stale.txt'))).toBe(false);
    expect(readResultsFolder(out).results.map((r) => r.replication)).toEqual([0, 1]);
    expect(siblings()).toEqual([]);
  });

  it('reads back a manifest only if it has the shape the writer gives it, naming the field that is wrong', async () => {
    const out = join(dir, 'checked');
    await writeResultsFolder(out, manifest(true), variants, [record(0)]);
    expect(readResultsFolder(out).manifest).toEqual(manifest(true));
    const { seed: _seed, ...withoutSeed } = manifest(true);
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ ...withoutSeed, workers: 'two' }));
    expect(() => readResultsFolder(out)).toThrow(/manifest\.json: .*seed.*workers|manifest\.json: .*workers.*seed/);
  });

  it('leaves the existing folder as it was when writing fails, and removes the temporary one', async () => {
    const out = join(dir, 'keep');
    await writeResultsFolder(out, manifest(true), variants, [record(0)]);
    const before = readFileSync(join(out, 'summary.csv'), 'utf8');
    await expect(
      writeResultsFolder(out, manifest(false), variants, [record(0), record(1)], () => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readFileSync(join(out, 'summary.csv'), 'utf8')).toBe(before);
    expect((JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest).complete).toBe(true);
    expect(siblings()).toEqual([]);
  });

  it('creates missing parent folders', async () => {
    const out = join(dir, 'a', 'b', 'c');
    await writeResultsFolder(out, manifest(true), variants, [record(0)]);
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
  });
});

describe('svcsim run when the report cannot be drawn', () => {
  it('warns, and still writes every result file with exit code 0', async () => {
    const out = join(dir, 'no-report');
    const { code, stderr } = await svcsim('run', 'test/fixtures/scenarios/tiny-sweep.yaml', '--replications', '2', '--workers', '1', '--out', out, '--quiet');
    expect(code).toBe(0);
    expect(stderr).toContain('svcsim: warning: charts and report.html were not drawn');
    expect(stderr).toContain('no fonts today');
    for (const f of ['summary.csv', 'replications.csv', 'diffs.csv', 'manifest.json', 'replications.jsonl']) expect(existsSync(join(out, f)), f).toBe(true);
    expect((JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest).complete).toBe(true);
    expect(siblings()).toEqual([]);
  });
});
