/**
 * Merging the folders of `svcsim run --shard I/N` (or of a crashed run and
 * the rerun of its failed replication) into one: the replication records of
 * every folder (replications.jsonl) are pooled and every table is computed
 * again from them, so the merged CSV files are byte-identical to those of
 * one unsharded run.
 *
 * Merge trusts nothing it reads: every manifest is checked against the
 * shape merge relies on, and every record against the very schema the
 * writer's type comes from (sim/result.ts), then against its folder (a
 * variant and replication the run planned, the replication's own seed, the
 * scopes of the other records, a latency histogram that decodes to as many
 * requests as the record says were ok). A problem names its file and line.
 * Folders of another scenario (SHA-256), seed, resolved scenario or svcsim
 * version, and a replication in two folders, are refused; so is a
 * replication in none, unless `allowPartial`, which merges what is there
 * and marks it `complete: false`.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { replicationSeed } from '../engine/random.js';
import { METRIC_NAMES, type ReplicationResult } from '../sim/result.js';
import { ReplicationResultSchema } from '../sim/resultSchema.js';
import { LatencyHistogram } from '../stats/histogram.js';
import { sortResults } from '../runner/order.js';
import { REPLICATIONS_FILE } from './folder.js';
import { manifestSchema, resultFacts, type Manifest, type VariantInfo } from './manifest.js';

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

export interface Merged {
  manifest: Manifest;
  variants: VariantInfo[];
  results: ReplicationResult[];
}

export interface MergeOptions {
  /** Merge what is there when replications are missing, marked `complete: false`. */
  allowPartial?: boolean;
}

/** Files larger than this are refused (Node reads at most 2 GiB at once). */
export const MAX_FILE_BYTES = 2 ** 31 - 1;
/** A run has at most this many replications (the scenario's caps: 1000 variants; this many in all). */
export const MAX_PLANNED = 10_000_000;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/**
 * The writer's manifest schema, with bounds on what merge relies on (other
 * fields, of a newer version too, pass through as they are).
 */
function buildShardManifestSchema() {
  return manifestSchema()
    .extend({
      svcsim: z.string().max(100),
      scenarioFile: z.string().max(10_000),
      scenarioSha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex'),
      variants: z
        .array(
          z.object({
            index: int(0, 999),
            label: z.string().max(10_000),
            params: z.array(z.object({ key: z.string().max(1000), value: z.string().max(10_000) })).max(100),
            warmupSeconds: z.number().min(0).max(1e12).optional(),
            replications: int(0, 1_000_000),
          }),
        )
        .min(1)
        .max(1000),
      seed: int(0, Number.MAX_SAFE_INTEGER),
      replicationsPerVariant: int(1, 1_000_000),
      workers: int(0, 100_000),
      shard: z.string().max(100).nullable(),
      wallTimeSeconds: z.number().min(0).max(1e12),
    })
    .loose();
}
let shardManifestSchema: ReturnType<typeof buildShardManifestSchema> | undefined;

/** `path: message` of the first issue zod found. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return `${path || '(the whole record)'}: ${issue.message}`;
}

/** A file's bytes, refused when it is not a regular file or too large. */
function readBounded(file: string): Buffer {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new MergeError(`${file}: not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof MergeError) throw err;
    throw new MergeError(`${file}: cannot read it: ${(err as Error).message}`);
  }
  if (size > MAX_FILE_BYTES) throw new MergeError(`${file}: ${size} bytes, more than merge reads (at most ${MAX_FILE_BYTES} bytes, 2 GiB)`);
  try {
    return readFileSync(file);
  } catch (err) {
    throw new MergeError(`${file}: cannot read it: ${(err as Error).message}`);
  }
}

type ShardManifest = z.infer<ReturnType<typeof buildShardManifestSchema>>;

function readManifest(dir: string): ShardManifest {
  const file = join(dir, 'manifest.json');
  let json: unknown;
  try {
    json = JSON.parse(readBounded(file).toString('utf8'));
  } catch (err) {
    if (err instanceof MergeError) throw err;
    throw new MergeError(`${file}: not JSON: ${(err as Error).message}`);
  }
  const parsed = (shardManifestSchema ??= buildShardManifestSchema()).safeParse(json);
  if (!parsed.success) throw new MergeError(`${file}: ${firstIssue(parsed.error)}`);
  const m = parsed.data;
  m.variants.forEach((v, i) => {
    if (v.index !== i) throw new MergeError(`${file}: variants[${i}].index: ${v.index}, expected ${i} (variants are numbered in order)`);
    if (JSON.stringify(v.params.map((p) => p.key)) !== JSON.stringify(m.variants[0].params.map((p) => p.key)))
      throw new MergeError(`${file}: variants[${i}].params: other sweep parameters than variants[0]`);
  });
  if (m.variants.length * m.replicationsPerVariant > MAX_PLANNED)
    throw new MergeError(`${file}: ${m.variants.length} variants × ${m.replicationsPerVariant} replications: more than a run has (at most ${MAX_PLANNED} replications in all)`);
  return m;
}

const OK = METRIC_NAMES.indexOf('ok');

/** The records of a folder's replications.jsonl, each checked; a problem names the file and line. */
function readRecords(dir: string, m: ShardManifest): ReplicationResult[] {
  const file = join(dir, REPLICATIONS_FILE);
  const bytes = readBounded(file);
  const records: ReplicationResult[] = [];
  let scopes: string | undefined;
  let line = 0;
  for (let at = 0; at < bytes.length; ) {
    const end = bytes.indexOf(10, at);
    const text = bytes.toString('utf8', at, end < 0 ? bytes.length : end);
    at = end < 0 ? bytes.length : end + 1;
    line++;
    if (text.trim() === '') continue;
    const where = `${file}:${line}`;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new MergeError(`${where}: not JSON: ${(err as Error).message}`);
    }
    const parsed = ReplicationResultSchema.safeParse(json);
    if (!parsed.success) throw new MergeError(`${where}: ${firstIssue(parsed.error)}`);
    const r = parsed.data;
    if (r.variant >= m.variants.length) throw new MergeError(`${where}: variant: ${r.variant}, but the run has ${m.variants.length} variant(s) (0..${m.variants.length - 1})`);
    if (r.replication >= m.replicationsPerVariant)
      throw new MergeError(`${where}: replication: ${r.replication}, but the run has ${m.replicationsPerVariant} replications per variant (0..${m.replicationsPerVariant - 1})`);
    const seed = replicationSeed(m.seed, r.replication);
    if (r.seed !== seed) throw new MergeError(`${where}: seed: ${r.seed}, but replication ${r.replication} of root seed ${m.seed} has seed ${seed}`);
    const names = JSON.stringify(r.scopes.map((s) => s.scope));
    scopes ??= names;
    if (names !== scopes) throw new MergeError(`${where}: scopes: ${names}, but the records before it have ${scopes}`);
    const ts = r.timeseries;
    for (const k of ['ok', 'failed', 'throughputRps', 'latencyP50Ms', 'latencyP99Ms'] as const)
      if (ts[k].length !== ts.requests.length) throw new MergeError(`${where}: timeseries.${k}: ${ts[k].length} buckets, but timeseries.requests has ${ts.requests.length}`);
    let histogramCount: number;
    try {
      const h = LatencyHistogram.decode(r.latencyHistogram);
      histogramCount = h.count;
      h.destroy();
    } catch (err) {
      throw new MergeError(`${where}: latencyHistogram: not an encoded latency histogram (${err instanceof Error ? err.message : String(err)})`);
    }
    const ok = r.scopes[0].metrics[OK];
    if (histogramCount !== ok) throw new MergeError(`${where}: latencyHistogram: holds ${histogramCount} latencies, but the record has ${ok} ok requests`);
    records.push(r);
  }
  return records;
}

export function mergeFolders(dirs: readonly string[], options: MergeOptions = {}): Merged {
  if (dirs.length === 0) throw new MergeError('no folders to merge');
  const parts = dirs.map((dir) => {
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      // reported below
    }
    if (!isDir) throw new MergeError(`${dir}: not a results folder of svcsim run (no such folder)`);
    for (const f of ['manifest.json', REPLICATIONS_FILE]) {
      try {
        statSync(join(dir, f));
      } catch {
        throw new MergeError(`${dir}: not a results folder of svcsim run (no manifest.json or ${REPLICATIONS_FILE})`);
      }
    }
    return { dir, manifest: readManifest(dir) };
  });
  const [first] = parts;
  const m0 = first.manifest;
  for (const p of parts.slice(1)) {
    const m = p.manifest;
    if (m.svcsim !== m0.svcsim) throw new MergeError(`${p.dir}: written by svcsim ${m.svcsim}, ${first.dir} by svcsim ${m0.svcsim}: merge folders of one svcsim version (run the shards again with one)`);
    if (m.scenarioSha256 !== m0.scenarioSha256) throw new MergeError(`${p.dir}: another scenario file (SHA-256 ${m.scenarioSha256} against ${m0.scenarioSha256} in ${first.dir})`);
    if (m.seed !== m0.seed) throw new MergeError(`${p.dir}: seed ${m.seed} against ${m0.seed} in ${first.dir}`);
    if (JSON.stringify(m.resolvedScenario) !== JSON.stringify(m0.resolvedScenario))
      throw new MergeError(`${p.dir}: the resolved scenario differs from ${first.dir}'s (another --set, or another svcsim version?)`);
    if (JSON.stringify(m.variants.map((v) => v.label)) !== JSON.stringify(m0.variants.map((v) => v.label))) throw new MergeError(`${p.dir}: other variants than ${first.dir}`);
    if (m.replicationsPerVariant !== m0.replicationsPerVariant)
      throw new MergeError(`${p.dir}: ${m.replicationsPerVariant} replications per variant against ${m0.replicationsPerVariant} in ${first.dir} (another --replications?)`);
  }

  // Records are read once the folders are known to belong together (their mismatch is the clearer message).
  const withRecords = parts.map((p) => ({ ...p, results: readRecords(p.dir, p.manifest) }));
  // Folders written before manifests named each variant's warm-up share the base scenario's.
  const baseWarmup = (m0.resolvedScenario as { simulation?: { warmup?: unknown } }).simulation?.warmup;
  const variants: VariantInfo[] = m0.variants.map(({ index, label, params, warmupSeconds }) => ({
    index,
    label,
    params,
    warmupSeconds: warmupSeconds ?? (typeof baseWarmup === 'number' ? baseWarmup : 0),
  }));
  const from = new Map<string, string>();
  const pooled: ReplicationResult[] = [];
  for (const p of withRecords) {
    for (const r of p.results) {
      const key = `${r.variant}/${r.replication}`;
      const other = from.get(key);
      if (other !== undefined) throw new MergeError(`replication ${r.replication} of variant "${variants[r.variant].label}" is in both ${other} and ${p.dir}`);
      from.set(key, p.dir);
      pooled.push(r);
    }
  }
  // The first five missing (the run has at most MAX_PLANNED replications to walk).
  const planned = variants.length * m0.replicationsPerVariant;
  const missingCount = planned - pooled.length;
  const missing: string[] = [];
  if (missingCount > 0)
    for (const v of variants) for (let r = 0; r < m0.replicationsPerVariant && missing.length < 5; r++) if (!from.has(`${v.index}/${r}`)) missing.push(`replication ${r} of "${v.label}"`);
  const missingText = `${missingCount} replication${missingCount > 1 ? 's are' : ' is'} in none of the folders (${missing.join(', ')}${missingCount > 5 ? ', …' : ''})`;
  if (missingCount > 0 && !options.allowPartial)
    throw new MergeError(`${missingText}: run the missing shards (or rerun one with --variant LABEL --replication R) and merge again, or merge what is there with --allow-partial`);

  const results = sortResults(pooled);
  const warmup = (m0.resolvedScenario as { simulation?: { warmup?: number } }).simulation?.warmup ?? 0;
  const facts = resultFacts(variants, results, typeof warmup === 'number' ? warmup : 0);
  const partial = missingCount > 0 ? [`merged with --allow-partial: ${missingText}`] : [];
  const manifest = {
    ...(m0 as Manifest),
    ...facts,
    workers: Math.max(...parts.map((p) => p.manifest.workers)),
    shard: null,
    mergedFrom: parts.map((p) => ({ dir: p.dir, shard: p.manifest.shard })),
    wallTimeSeconds: parts.reduce((s, p) => s + p.manifest.wallTimeSeconds, 0),
    complete: missingCount === 0,
    warnings: [...(m0.scenarioWarnings ?? []), ...partial, ...facts.warnings],
  } as Manifest;
  delete manifest.failure;
  return { manifest, variants, results };
}
