/**
 * Whatever shard folders it is fed, merge throws nothing but a MergeError
 * naming the file at fault, and what it accepts gives tables without
 * Infinity or NaN written out: records with any field replaced by any JSON
 * value, manifests likewise, and replications.jsonl with bytes flipped,
 * cut or inserted (the fuzz over merge inputs, next to the loader's in
 * test/scenario-fuzz.test.ts).
 */
import fc from 'fast-check';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MergeError, mergeFolders } from '../../src/results/merge.js';
import { buildTables } from '../../src/results/tables.js';
import { svcsim } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'svcsim-merge-fuzz-'));
const [s0, s1] = [join(dir, 's0'), join(dir, 's1')];
const work = join(dir, 'work');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  for (const [i, s] of [s0, s1].entries())
    expect((await svcsim('run', 'test/fixtures/scenarios/tiny-sweep.yaml', '--replications', '2', '--workers', '1', '--shard', `${i}/2`, '--out', s, '--no-charts', '--quiet')).code).toBe(0);
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path into a JSON value (its root included). */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

/** `v` with the value at `path` replaced (or the key removed when `value` is undefined). */
function replaced(v: Json, path: (string | number)[], value: Json | undefined): Json | undefined {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as Record<string, Json>) }) as Record<string | number, Json>;
  const inner = replaced(copy[head], rest, value);
  if (inner === undefined) delete copy[head];
  else copy[head] = inner;
  return copy;
}

const anyValue: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.jsonValue() as fc.Arbitrary<Json>,
  fc.constantFrom<Json | undefined>(undefined, 1e308, -1e308, 1e15 + 1, -1, 0.5, 2 ** 53, '', 'NaN', 'Infinity', [], {}, null),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/**
 * Merges `files` written over a copy of shard 0 with shard 1; checks the
 * outcome is a MergeError or tables without NaN or Infinity written out
 * (unless `names` may hold such text: a pod may be named "NaN").
 */
function check(files: Record<string, string | Buffer>, names = false): void {
  rmSync(work, { recursive: true, force: true });
  cpSync(s0, work, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(work, name), content);
  let merged;
  try {
    merged = mergeFolders([work, s1], { allowPartial: true });
  } catch (err) {
    if (!(err instanceof MergeError)) throw err;
    expect(err.message).toMatch(/manifest\.json|replications\.jsonl|in both|other variants|seed|scenario|svcsim|replications per variant/);
    return;
  }
  const tables = buildTables(merged.variants, merged.results);
  if (!names) for (const [name, text] of Object.entries(tables)) if (text !== undefined) expect(text, name).not.toMatch(/NaN|Infinity/);
}

const lines = () => readFileSync(join(s0, 'replications.jsonl'), 'utf8').trim().split('\n');

describe('merge, whatever it is fed', () => {
  it('refuses or merges sanely a record with any field replaced by any value', () => {
    const records = lines().map((l) => JSON.parse(l) as Json);
    const all = paths(records[0]);
    fc.assert(
      fc.property(fc.nat({ max: records.length - 1 }), fc.nat({ max: all.length - 1 }), anyValue, (which, p, value) => {
        const edited = records.map((r, i) => (i === which ? replaced(r, all[p], value) : r));
        check({ 'replications.jsonl': `${edited.map((r) => JSON.stringify(r)).join('\n')}\n` }, typeof value === 'string');
      }),
      { numRuns: 150 },
    );
  });

  it('refuses or merges sanely a manifest with any field replaced by any value', () => {
    const manifest = JSON.parse(readFileSync(join(s0, 'manifest.json'), 'utf8')) as Json;
    const all = paths(manifest).filter((p) => p[0] !== 'resolvedScenario' || p.length < 3);
    fc.assert(
      fc.property(fc.nat({ max: all.length - 1 }), anyValue, (p, value) => {
        check({ 'manifest.json': JSON.stringify(replaced(manifest, all[p], value) ?? null) }, typeof value === 'string');
      }),
      { numRuns: 150 },
    );
  });

  it('refuses or merges sanely replications.jsonl with bytes flipped, cut or inserted', () => {
    const bytes = readFileSync(join(s0, 'replications.jsonl'));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('flip', 'cut', 'insert'), fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (edits) => {
          let b = Buffer.from(bytes);
          for (const [kind, at, byte] of edits) {
            const i = Math.min(at, b.length - 1);
            if (kind === 'flip') b[i] ^= 1 << (byte % 8);
            else if (kind === 'cut') b = b.subarray(0, i);
            else b = Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
            if (b.length === 0) break;
          }
          check({ 'replications.jsonl': b });
        },
      ),
      { numRuns: 150 },
    );
  });
});
