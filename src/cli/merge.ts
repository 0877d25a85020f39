/**
 * `svcsim merge <dir>... --out DIR`: merges the folders of `run --shard I/N`
 * into one results folder, recomputing every table from the replication
 * records, so the CSV files are byte-identical to a run without shards.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { manifestVariants, readResultsFolder, writeResultsFolder, type Manifest } from '../results/folder.js';
import type { ReplicationResult } from '../sim/result.js';
import { drawReport } from './run.js';

export async function mergeCommand(dirs: string[], opts: { out: string; charts?: boolean }): Promise<number> {
  const bad = (m: string) => {
    process.stderr.write(`svcsim merge: ${m}\n`);
    return 2;
  };
  const parts: { dir: string; manifest: Manifest; results: ReplicationResult[] }[] = [];
  for (const dir of dirs) {
    if (!existsSync(join(dir, 'manifest.json')) || !existsSync(join(dir, 'replications.jsonl'))) return bad(`${dir}: not a results folder of svcsim run (no manifest.json or replications.jsonl)`);
    parts.push({ dir, ...readResultsFolder(dir) });
  }
  const first = parts[0].manifest;
  for (const p of parts.slice(1)) {
    if (p.manifest.scenarioSha256 !== first.scenarioSha256) return bad(`${p.dir}: another scenario (SHA-256 differs from ${parts[0].dir})`);
    if (p.manifest.seed !== first.seed) return bad(`${p.dir}: seed ${p.manifest.seed} differs from ${first.seed}`);
    if (JSON.stringify(p.manifest.resolvedScenario) !== JSON.stringify(first.resolvedScenario)) return bad(`${p.dir}: the resolved scenario differs (another --set?)`);
  }
  const seen = new Set<string>();
  const results: ReplicationResult[] = [];
  for (const p of parts) {
    for (const r of p.results) {
      const key = `${r.variant}/${r.replication}`;
      if (seen.has(key)) return bad(`${p.dir}: replication ${r.replication} of variant ${first.variants[r.variant]?.label} is in more than one folder`);
      seen.add(key);
      results.push(r);
    }
  }
  const variants = first.variants.map(({ index, label, params }) => ({ index, label, params }));
  const per = Math.max(...parts.map((p) => p.manifest.replicationsPerVariant));
  const missing: string[] = [];
  for (const v of variants) for (let r = 0; r < per; r++) if (!seen.has(`${v.index}/${r}`)) missing.push(`${v.label}#${r}`);
  const manifest: Manifest = {
    ...first,
    variants: manifestVariants(variants, results),
    shard: null,
    wallTimeSeconds: parts.reduce((s, p) => s + p.manifest.wallTimeSeconds, 0),
    simulatedRequests: results.reduce((s, r) => s + r.simulatedRequests, 0),
    suppressedRequests: results.reduce((s, r) => s + r.suppressedRequests, 0),
    complete: missing.length === 0 && parts.every((p) => p.manifest.complete),
  };
  await writeResultsFolder(opts.out, manifest, variants, results, opts.charts === false ? undefined : (tmp) => drawReport(tmp));
  if (missing.length) process.stderr.write(`svcsim merge: warning: ${missing.length} replications missing (e.g. ${missing.slice(0, 5).join(', ')}): complete: false\n`);
  process.stderr.write(`svcsim merge: ${results.length} replications from ${parts.length} folders in ${opts.out}/\n`);
  return 0;
}
