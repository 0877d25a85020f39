/**
 * Merging the folders of `svcsim run --shard I/N` (or of a crashed run and
 * the rerun of its failed replication) into one: the replication records of
 * every folder (replications.jsonl) are pooled and every table is computed
 * again from them, so the merged CSV files are byte-identical to those of
 * one unsharded run. Folders of another scenario, seed or resolved scenario,
 * a replication in two folders, or a replication in none are refused.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplicationResult } from '../sim/result.js';
import { readResultsFolder, REPLICATIONS_FILE } from './folder.js';
import { resultFacts, type Manifest, type VariantInfo } from './manifest.js';
import { sortResults } from '../runner/order.js';

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

export function mergeFolders(dirs: readonly string[]): Merged {
  if (dirs.length === 0) throw new MergeError('no folders to merge');
  const parts = dirs.map((dir) => {
    if (!existsSync(join(dir, 'manifest.json')) || !existsSync(join(dir, REPLICATIONS_FILE)))
      throw new MergeError(`${dir}: not a results folder of svcsim run (no manifest.json or ${REPLICATIONS_FILE})`);
    try {
      return { dir, ...readResultsFolder(dir) };
    } catch (err) {
      throw new MergeError(`${dir}: unreadable results folder: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  const [first] = parts;
  const m0 = first.manifest;
  for (const p of parts.slice(1)) {
    const m = p.manifest;
    if (m.scenarioSha256 !== m0.scenarioSha256) throw new MergeError(`${p.dir}: another scenario file (SHA-256 ${m.scenarioSha256} against ${m0.scenarioSha256} in ${first.dir})`);
    if (m.seed !== m0.seed) throw new MergeError(`${p.dir}: seed ${m.seed} against ${m0.seed} in ${first.dir}`);
    if (JSON.stringify(m.resolvedScenario) !== JSON.stringify(m0.resolvedScenario))
      throw new MergeError(`${p.dir}: the resolved scenario differs from ${first.dir}'s (another --set, or another svcsim version?)`);
    if (JSON.stringify(m.variants.map((v) => v.label)) !== JSON.stringify(m0.variants.map((v) => v.label))) throw new MergeError(`${p.dir}: other variants than ${first.dir}`);
    if (m.replicationsPerVariant !== m0.replicationsPerVariant)
      throw new MergeError(`${p.dir}: ${m.replicationsPerVariant} replications per variant against ${m0.replicationsPerVariant} in ${first.dir} (another --replications?)`);
  }

  const variants: VariantInfo[] = m0.variants.map(({ index, label, params }) => ({ index, label, params }));
  const from = new Map<string, string>();
  const pooled: ReplicationResult[] = [];
  for (const p of parts) {
    for (const r of p.results) {
      const key = `${r.variant}/${r.replication}`;
      const label = variants[r.variant]?.label ?? `#${r.variant}`;
      const other = from.get(key);
      if (other !== undefined) throw new MergeError(`replication ${r.replication} of variant "${label}" is in both ${other} and ${p.dir}`);
      from.set(key, p.dir);
      pooled.push(r);
    }
  }
  const missing: string[] = [];
  for (const v of variants) for (let r = 0; r < m0.replicationsPerVariant; r++) if (!from.has(`${v.index}/${r}`)) missing.push(`replication ${r} of "${v.label}"`);
  if (missing.length)
    throw new MergeError(
      `${missing.length} replication${missing.length > 1 ? 's are' : ' is'} in none of the folders (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}): ` +
        `run the missing shards (or rerun one with --variant LABEL --replication R) and merge again`,
    );

  const results = sortResults(pooled);
  const warmup = (m0.resolvedScenario as { simulation?: { warmup?: number } } | undefined)?.simulation?.warmup ?? 0;
  const facts = resultFacts(variants, results, warmup);
  const manifest: Manifest = {
    ...m0,
    ...facts,
    workers: Math.max(...parts.map((p) => p.manifest.workers)),
    shard: null,
    mergedFrom: parts.map((p) => ({ dir: p.dir, shard: p.manifest.shard })),
    wallTimeSeconds: parts.reduce((s, p) => s + p.manifest.wallTimeSeconds, 0),
    complete: true,
    warnings: [...(m0.scenarioWarnings ?? []), ...facts.warnings],
  };
  delete manifest.failure;
  return { manifest, variants, results };
}
