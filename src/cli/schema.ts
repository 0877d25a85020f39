/** `svcsim schema`: the JSON Schema of the scenario format, generated from the zod schema, for editors. */
import { z } from 'zod';
import { scenarioSchema } from '../scenario/schema.js';

export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'svcsim scenario (apiVersion svcsim/v1)',
    description: 'A Kubernetes Service traffic scenario for svcsim. Use with # yaml-language-server: $schema=<path to this file>',
  };
}

export function schemaCommand(): number {
  process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  return 0;
}
