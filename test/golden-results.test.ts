/**
 * Golden results: the SHA-256 of every CSV file that `svcsim run` writes for
 * each bundled scenario (and for the two scenarios of test/fixtures/golden/,
 * which reach the data-path features and failure forms the bundled ones do
 * not), and of `svcsim trace` output, for short runs with fixed seeds. A
 * refactoring must leave every byte as it was; this test says which file moved.
 *
 * When a change alters results on purpose (a model change, a bug fix, a new
 * default), regenerate the fixture in the same commit and say why there:
 *
 *     npm run golden:update        # = UPDATE_GOLDEN=1 npx vitest run test/golden-results.test.ts
 *
 * It rewrites test/fixtures/golden/golden-results.json; `git diff` shows which
 * files' hashes moved.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { svcsim } from './helpers/cli.js';

const FIXTURE = 'test/fixtures/golden/golden-results.json';
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Short settings: a few simulated seconds, 2 replications, a fixed seed, one worker. */
const short = ['--replications', '2', '--seed', '3', '--workers', '1', '--no-charts', '--quiet'];
const brief = ['--set', 'simulation.duration=4s', '--set', 'simulation.warmup=1s'];

/** `svcsim run` argument lists, by name; each writes its folder's CSV files. */
const runs: Record<string, string[]> = {
  'clusterip-internal': ['scenarios/clusterip-internal.yaml', ...brief],
  default: ['scenarios/default.yaml', ...brief],
  'etp-local-vs-cluster': ['scenarios/etp-local-vs-cluster.yaml', ...brief],
  'example-web': ['scenarios/example-web.yaml', '--set', 'simulation.duration=2s', '--set', 'simulation.warmup=1s'],
  loadbalancer: ['scenarios/loadbalancer.yaml', ...brief],
  // Long enough for the crash (40 s), NotReady, the recovery (100 s) and the restarted pods.
  'node-failure': ['scenarios/node-failure.yaml', '--set', 'simulation.duration=105s', '--set', 'traffic.users.arrival.rate=150/s'],
  nodeport: ['scenarios/nodeport.yaml', ...brief],
  'golden-paths': ['test/fixtures/golden/paths.yaml'],
  'golden-failures': ['test/fixtures/golden/failures.yaml'],
};

/** `svcsim trace` argument lists, by name. */
const traces: Record<string, string[]> = {
  'node-failure at 41s': ['scenarios/node-failure.yaml', '--at', '41s', '--requests', '5'],
  loadbalancer: ['scenarios/loadbalancer.yaml', '--requests', '4'],
  'nodeport Local drop': ['scenarios/nodeport.yaml', '--set', 'services.shop.spec.externalTrafficPolicy=Local', '--set', 'traffic.direct.entryNode=node-3', '--requests', '2'],
  'golden-paths': ['test/fixtures/golden/paths.yaml', '--requests', '30'],
  'golden-failures at 15s': ['test/fixtures/golden/failures.yaml', '--at', '15s', '--requests', '40'],
};

type Golden = { runs: Record<string, Record<string, string>>; traces: Record<string, string> };

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

let dir: string;
const expected: Golden = existsSync(FIXTURE) ? (JSON.parse(readFileSync(FIXTURE, 'utf8')) as Golden) : { runs: {}, traces: {} };
const actual: Golden = { runs: {}, traces: {} };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'svcsim-golden-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (UPDATE) writeFileSync(FIXTURE, `${JSON.stringify(actual, null, 2)}\n`);
});

describe('golden results: the same scenario and seed give the same bytes as the fixture', () => {
  for (const [name, args] of Object.entries(runs)) {
    it(`svcsim run ${name} writes CSV files with the recorded hashes`, async () => {
      const out = join(dir, name);
      expect((await svcsim('run', ...args, ...short, '--out', out)).code).toBe(0);
      const hashes: Record<string, string> = {};
      for (const f of readdirSync(out).filter((f) => f.endsWith('.csv')).sort()) hashes[f] = sha256(readFileSync(join(out, f)));
      actual.runs[name] = hashes;
      if (!UPDATE) expect(hashes).toEqual(expected.runs[name]);
    });
  }
  for (const [name, args] of Object.entries(traces)) {
    it(`svcsim trace ${name} prints the recorded text`, async () => {
      const { code, stdout: out } = await svcsim('trace', ...args);
      expect(code).toBe(0);
      actual.traces[name] = sha256(out);
      if (!UPDATE) expect(sha256(out)).toBe(expected.traces[name]);
    });
  }
});
