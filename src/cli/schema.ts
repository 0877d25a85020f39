/**
 * `svcsim schema`: the JSON Schema of the scenario format, generated from the
 * zod schema (the input side: what a user writes, Durations as strings, with
 * every default optional), for editors, e.g. with the YAML language server:
 * `# yaml-language-server: $schema=svcsim.schema.json`.
 */
import { z } from 'zod';
import { scenarioSchema } from '../scenario/schema.js';

export function scenarioJsonSchema(): Record<string, unknown> {
  // Transforms (units, defaults) have no JSON Schema of their own: with io 'input' the schema before them is
  // described, and anything else unrepresentable becomes `{}` (any) rather than an exception.
  const { $schema, ...rest } = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' });
  return {
    $schema: $schema ?? 'https://json-schema.org/draft/2020-12/schema',
    title: 'svcsim scenario (apiVersion svcsim/v1)',
    description: 'A Kubernetes Service traffic scenario for svcsim: cluster, workloads, Services, load balancers, traffic, failures and an optional sweep.',
    ...rest,
  };
}

export function schemaCommand(): number {
  process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  return 0;
}
