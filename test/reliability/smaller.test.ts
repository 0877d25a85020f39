/**
 * Issue 10, point 9, the smaller ones: duplicate sweep values, `--set` into
 * `__proto__`, a document nested a thousand deep, a rerun of one
 * replication that called itself complete, spreadsheet formulas in CSV
 * text, and right-to-left overrides in the HTML report. (Which failed
 * replication is named is in worker-deaths.test.ts: always the first in
 * replication order.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/report/escape.js';
import type { Manifest } from '../../src/results/manifest.js';
import { toCsv } from '../../src/stats/csv.js';
import { svcsim } from '../helpers/cli.js';

const scenario = 'test/fixtures/scenarios/tiny-sweep.yaml';
const dir = mkdtempSync(join(tmpdir(), 'svcsim-smaller-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the scenario', () => {
  it('refuses a sweep value given twice (two variants of one label)', async () => {
    const r = await svcsim('validate', scenario, '--set', 'sweep.parameters.0.values=[3, 5, 3]');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sweep.parameters.0.values.2: 3 is already among the values: every variant needs a label of its own');
  });

  it('refuses --set into __proto__ rather than doing nothing', async () => {
    const r = await svcsim('validate', scenario, '--set', 'services.web.spec.selector.__proto__=x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"__proto__" is not a field of a scenario');
  });

  it('says a document nested a thousand deep is nested too deeply, not that a stack overflowed', async () => {
    const f = join(dir, 'deep.yaml');
    writeFileSync(f, `${readFileSync(scenario, 'utf8')}x: ${'['.repeat(1000)}${']'.repeat(1000)}\n`);
    const r = await svcsim('validate', f);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nested too deeply (a scenario is at most 200 levels deep)');
    expect(r.stderr).not.toContain('call stack');
  });
});

describe('a rerun of one replication', () => {
  it('says it is not complete, and what to do with it', async () => {
    const out = join(dir, 'rerun');
    const r = await svcsim('run', scenario, '--variant', 'replicas=3', '--replication', '1', '--workers', '1', '--out', out, '--no-charts', '--quiet');
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(m.complete).toBe(false);
    expect(m.variants.map((v) => v.replications)).toEqual([1, 0]);
    expect(m.warnings.join('\n')).toContain('a rerun of replication 1 of variant "replicas=3" alone, out of 4 per variant');
  });
});

describe('CSV text', () => {
  it('that a spreadsheet would run as a formula gets a leading quote; numbers, negative ones too, stay numbers', () => {
    const csv = toCsv(['variant', 'value'], [['=HYPERLINK("http://example.com")', '-0.5'], ['@SUM(A1)', '+3'], ['-cmd', '-12'], ['+1+2', '0'], ['replicas=3', '1.5']]);
    expect(csv).toBe(`variant,value\n"'=HYPERLINK(""http://example.com"")",-0.5\n'@SUM(A1),+3\n'-cmd,-12\n'+1+2,0\nreplicas=3,1.5\n`);
  });
});

describe('HTML text', () => {
  it('shows right-to-left overrides and other reordering characters as their code, never applies them', () => {
    expect(escapeHtml('web\u202Etxt.exe')).toBe('web&lt;U+202E&gt;txt.exe');
    expect(escapeHtml('a\u2066b\u2069c\u200F')).toBe('a&lt;U+2066&gt;b&lt;U+2069&gt;c&lt;U+200F&gt;');
  });
});
