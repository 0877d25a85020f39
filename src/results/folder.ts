/**
 * A results folder: the CSV tables, `manifest.json`, and `replications.jsonl`
 * (one replication record per line — internal, so that `svcsim merge` can
 * recompute every table exactly from shard folders). Written whole or not at
 * all (write.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplicationResult } from '../sim/result.js';
import { buildTables, sortResults, type VariantInfo } from './tables.js';
import { commitFolder, temporaryFolder, writeFiles } from './write.js';

export interface Manifest {
  svcsim: string;
  scenarioFile: string;
  scenarioSha256: string;
  resolvedScenario: unknown;
  variants: (VariantInfo & { replications: number })[];
  seed: number;
  replicationsPerVariant: number;
  workers: number;
  shard: string | null;
  nodeVersion: string;
  wallTimeSeconds: number;
  simulatedRequests: number;
  suppressedRequests: number;
  complete: boolean;
  mser5?: unknown;
  precision?: unknown;
  plan?: unknown;
  warnings: string[];
  failure?: string;
}

export function manifestVariants(variants: readonly VariantInfo[], results: readonly ReplicationResult[]): Manifest['variants'] {
  return variants.map((v) => ({ index: v.index, label: v.label, params: v.params, replications: results.filter((r) => r.variant === v.index).length }));
}

/** Writes the folder atomically; `beforeCommit` may add files (charts, report) to the temporary folder. */
export async function writeResultsFolder(
  out: string,
  manifest: Manifest,
  variants: readonly VariantInfo[],
  results: readonly ReplicationResult[],
  beforeCommit?: (tmp: string) => Promise<void>,
): Promise<void> {
  const tmp = temporaryFolder(out);
  const sorted = sortResults(results);
  writeFiles(tmp, { ...buildTables(variants, sorted), 'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`, 'replications.jsonl': sorted.map((r) => JSON.stringify(r)).join('\n') + (sorted.length ? '\n' : '') });
  if (beforeCommit) await beforeCommit(tmp);
  commitFolder(tmp, out);
}

export function readResultsFolder(dir: string): { manifest: Manifest; results: ReplicationResult[] } {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const text = readFileSync(join(dir, 'replications.jsonl'), 'utf8');
  const results = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ReplicationResult);
  return { manifest, results };
}
