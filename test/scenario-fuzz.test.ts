/**
 * Whatever it is fed, the loader throws nothing but a ScenarioError, and no
 * problem is an internal error; whatever it accepts, `--resolved` prints a
 * document that loads back to the same scenario and variants.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ScenarioError } from '../src/scenario/errors.js';
import { parseScenarioText, type LoadedScenario } from '../src/scenario/load.js';
import { resolvedYaml } from '../src/scenario/print.js';
import { expandVariants } from '../src/scenario/sweep.js';

/** Loads and expands; returns the loaded scenario, or undefined when it was (properly) refused. */
function load(text: string, set?: string[]): LoadedScenario | undefined {
  try {
    const loaded = parseScenarioText(text, 'test/fixtures/scenarios/fuzz.yaml', { set });
    expandVariants(loaded);
    return loaded;
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    for (const p of err.problems) {
      if (p.message.includes('internal error')) throw new Error(p.message, { cause: err });
      if (!Number.isInteger(p.line) || !Number.isInteger(p.column) || p.line < 0) throw new Error(`bad position ${p.line}:${p.column}`, { cause: err });
    }
    return undefined;
  }
}

/** A valid scenario's --resolved output loads back to the same scenario and variants. */
function roundTrips(loaded: LoadedScenario): void {
  const variants = expandVariants(loaded);
  const again = parseScenarioText(resolvedYaml(loaded, variants), loaded.file);
  expect(again.scenario).toEqual(loaded.scenario);
  expect(expandVariants(again).map((v) => v.scenario)).toEqual(variants.map((v) => v.scenario));
}

const seeds = ['scenarios/default.yaml', 'scenarios/example-web.yaml', 'scenarios/etp-local-vs-cluster.yaml', 'scenarios/clusterip-internal.yaml', 'test/fixtures/scenarios/tiny-sweep.yaml'].map(
  (f) => parse(readFileSync(f, 'utf8')) as unknown,
);

/** Words that mean something somewhere in a scenario, so that mutations often land on near-valid input. */
const WORDS = [
  'name', 'zone', 'count', 'maxPods', 'replicas', 'placement', 'spread', 'packed', 'ports', 'containerPort', 'port', 'targetPort', 'nodePort',
  'type', 'ClusterIP', 'NodePort', 'LoadBalancer', 'Local', 'Cluster', 'selector', 'app', 'web', 'service', 'via', 'nodePort', 'clusterIP',
  'loadBalancer', 'from', 'external', 'node', 'pod', 'web-0', 'a-0', 'za', 'dist', 'constant', 'value', 'mean', 'lognormal', 'median', 'p99',
  'empirical', 'values', 'process', 'poisson', 'schedule', 'steps', 'at', 'rate', 'trace', 'file', 'path', 'sweep', 'parameters', 'mode', 'zip',
  'http', '10ms', '1/s', '2m', '-1', 'preset', 'gke', 'healthCheck', 'interval', 'metric', 'relative', 'random', 'mtbf', 'mttr', 'scope', 'nodes',
];

const scalar = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.integer({ min: -3, max: 70000 }),
  fc.constantFrom(0, 1, 2, 30080, 30086, 65536, 1e9, 0.5, -0.5, Number.NaN, Infinity),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.boolean(),
  fc.constant(null),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('tree'), { maxLength: 4 }), fc.dictionary(fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 6 })), tie('tree'), { maxKeys: 4 })),
}));

type Mutation = { kind: 'replace' | 'delete' | 'add' | 'copy'; at: number; key: string; value: unknown };
const mutation = fc.record({ kind: fc.constantFrom<Mutation['kind']>('replace', 'replace', 'delete', 'add', 'copy'), at: fc.nat(), key: fc.constantFrom(...WORDS), value: tree });

/** Every container (mapping or list) of a document, with its parent and key. */
function places(doc: unknown): { parent: Record<string | number, unknown>; key: string | number }[] {
  const out: { parent: Record<string | number, unknown>; key: string | number }[] = [];
  const walk = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      out.push({ parent: node as Record<string | number, unknown>, key: Array.isArray(node) ? Number(k) : k });
      walk(v);
    }
  };
  walk(doc);
  return out;
}

function mutate(doc: unknown, mutations: Mutation[]): unknown {
  const copy = structuredClone(doc);
  for (const m of mutations) {
    const all = places(copy);
    if (all.length === 0) break;
    const { parent, key } = all[m.at % all.length];
    if (m.kind === 'replace') parent[key] = m.value;
    else if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (m.kind === 'add') {
      if (Array.isArray(parent)) parent.push(m.value);
      else parent[m.key] = m.value;
    } else if (Array.isArray(parent)) parent.push(structuredClone(parent[key]));
  }
  return copy;
}

describe('the loader never throws anything but a ScenarioError', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        load(text);
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it('on text made of YAML punctuation and scenario words', () => {
    const token = fc.oneof(fc.constantFrom(...WORDS), fc.constantFrom(':', ': ', '- ', '\n', '\n  ', '{', '}', '[', ']', ',', '&a ', '*a', '!!str ', '? ', '<<: ', '"', "'", '#', '---\n', '|\n  '));
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => {
        load(`apiVersion: svcsim/v1\nkind: Scenario\n${tokens.join('')}`);
      }),
      { numRuns: 400, seed: 8 },
    );
  });

  it('on arbitrary trees of mappings, lists and scalars', () => {
    fc.assert(
      fc.property(tree, (doc) => {
        load(stringify(doc));
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('on mutated valid scenarios; and what it accepts round-trips through --resolved', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 3 }), (seed, mutations) => {
        const loaded = load(stringify(mutate(seed, mutations)));
        if (loaded) {
          accepted++;
          roundTrips(loaded);
        }
      }),
      { numRuns: 500, seed: 11 },
    );
    expect(accepted).toBeGreaterThan(20); // the mutations also reach the rules and the resolver
  });

  it('on arbitrary --set expressions', () => {
    const text = readFileSync('scenarios/default.yaml', 'utf8');
    const path = fc.array(fc.oneof(fc.constantFrom(...WORDS, 'workloads', 'services', 'traffic', 'cluster', 'latency', 'spec', 'metadata', 'browsers', '0', '1', '7'), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(fc.array(fc.tuple(path, fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 10 }))), { maxLength: 3 }), (sets) => {
        load(
          text,
          sets.map(([p, v]) => `${p.join('.')}=${v}`),
        );
      }),
      { numRuns: 300, seed: 12 },
    );
  });
});
