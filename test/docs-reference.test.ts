/**
 * The reference documents stay true to the code: every metric the simulator
 * writes is defined in docs/outputs.md, every CSV file's columns are the ones
 * documented there, and every relative link in README.md and docs/ leads to a
 * file that exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../src/scenario/metrics.js';

const repo = resolve(import.meta.dirname, '..');
const outputs = readFileSync(join(repo, 'docs/outputs.md'), 'utf8');

describe('docs/outputs.md', () => {
  it('defines every metric in its metrics table', () => {
    const table = outputs.slice(outputs.indexOf('## Metrics'));
    const defined = new Set([...table.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([a-z0-9_]+)`/g)].map((x) => x[1])));
    expect(METRICS.filter((m) => !defined.has(m))).toEqual([]);
  });

  it('lists the columns of every CSV file as a golden results folder has them', () => {
    for (const file of readdirSync(join(repo, 'test/fixtures/results-sweep')).filter((f) => f.endsWith('.csv'))) {
      const header = readFileSync(join(repo, 'test/fixtures/results-sweep', file), 'utf8').split('\n')[0].split(',');
      // The sweep parameter columns (here replicas, externalTrafficPolicy) stand as [sweep parameters].
      const documented = header.filter((c) => c !== 'replicas' && c !== 'externalTrafficPolicy');
      const heading = outputs.indexOf(`### ${file}`);
      expect(heading, `a section for ${file}`).toBeGreaterThan(0);
      const line = outputs.slice(heading).split('\n').find((l) => l.startsWith('`variant, [sweep parameters]'))!;
      const columns = /`([^`]*)`/.exec(line)![1].replace(', [sweep parameters]', '').split(/,\s*/).filter(Boolean);
      // replications.csv goes on with one column per metric, in the order of the metrics table.
      if (file === 'replications.csv') expect(documented).toEqual([...columns, ...METRICS]);
      else {
        // The documented columns come first; any further column is named in the document too.
        expect(documented.slice(0, columns.length), file).toEqual(columns);
        for (const extra of documented.slice(columns.length)) expect(outputs, `${file}: ${extra}`).toContain(`${extra}`);
      }
    }
  });
});

describe('links in README.md and docs/', () => {
  const pages = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(repo, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  it.each(pages)('every relative link of %s leads to a file that exists', (page) => {
    const text = readFileSync(join(repo, page), 'utf8');
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/.test(t));
    const missing = targets.filter((t) => !existsSync(join(repo, dirname(page), t)));
    expect(missing).toEqual([]);
  });
});
