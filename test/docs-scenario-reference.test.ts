/**
 * docs/scenario-reference.md and svcsim.schema.json are what the zod schema
 * gives (scripts/docs-reference.mjs): change a field or its description in
 * src/scenario/schema.ts without `npm run docs:reference`, and this fails.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../src/cli/schema.js';

describe('the generated scenario reference', () => {
  it('is what the schema gives, and so is the committed svcsim.schema.json', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/docs-reference.mjs', '--check'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toContain('are what the schema gives');
    expect(r.status).toBe(0);
  }, 60_000);

  it('has a row, with its default, for every field of the schema', () => {
    const reference = readFileSync('docs/scenario-reference.md', 'utf8');
    const schema = scenarioJsonSchema() as { properties: Record<string, { type?: string; properties?: Record<string, { default?: unknown }> }> };
    for (const [key, node] of Object.entries(schema.properties)) {
      expect(reference).toContain(`## \`${key}\``);
      for (const [field, sub] of Object.entries(node.properties ?? {})) {
        const row = reference.split('\n').find((l) => l.startsWith(`| \`${key}.${field}\` |`));
        expect(row, `${key}.${field}`).toBeDefined();
        if (typeof sub.default === 'string') expect(row).toContain(`\`${sub.default}\``);
      }
    }
  });
});
