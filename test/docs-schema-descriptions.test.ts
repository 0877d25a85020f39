/**
 * Every field of the scenario format has a description in the JSON Schema
 * that editors read (`svcsim schema`, the committed svcsim.schema.json): the
 * YAML language server shows it on hover, and docs/scenario-reference.md is
 * made from the same text. A field added to the zod schema without
 * `.describe(...)` fails here, named by its path.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../src/cli/schema.js';

type Node = Record<string, unknown>;

/** The paths of the properties, anywhere in a JSON Schema (unions, list items and $defs included), that have no description of their own. */
export function undescribed(schema: Node): string[] {
  const missing = new Set<string>();
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, path));
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node as Node)) {
      if (key === 'properties') {
        for (const [name, property] of Object.entries(value as Record<string, Node>)) {
          const text = property.description;
          // A $ref's own description (Duration, Distribution) says what the type is, not what the field means.
          if (typeof text !== 'string' || text.trim() === '') missing.add(`${path}.${name}`);
          walk(property, `${path}.${name}`);
        }
      } else if (key === '$defs') {
        for (const [name, def] of Object.entries(value as Record<string, Node>)) walk(def, `$defs.${name}`);
      } else walk(value, key === 'items' || key === 'additionalProperties' ? `${path}[]` : path);
    }
  };
  walk(schema, '');
  return [...missing];
}

describe('descriptions for editors', () => {
  it('finds a property without a description, inside a union in a list', () => {
    const schema = { properties: { a: { description: 'A.', type: 'array', items: { anyOf: [{ type: 'object', properties: { b: { type: 'string' } } }] } } } };
    expect(undescribed(schema)).toEqual(['.a[].b']);
  });

  it('every property of the schema svcsim generates has one of its own', () => {
    expect(undescribed(scenarioJsonSchema())).toEqual([]);
  });

  it('every property of the committed svcsim.schema.json has one of its own', () => {
    const committed = JSON.parse(readFileSync(join(resolve(import.meta.dirname, '..'), 'svcsim.schema.json'), 'utf8')) as Node;
    expect(undescribed(committed)).toEqual([]);
  });
});
