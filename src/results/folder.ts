/**
 * A results folder: the CSV tables, `manifest.json`, and
 * `replications.jsonl`, written whole or not at all (write.ts).
 *
 * `replications.jsonl` is internal (its form may change between versions):
 * one replication's result record (sim/result.ts ReplicationResult) per
 * line, as JSON, in (variant, replication) order; NaN is written as null. It
 * is what lets `svcsim merge` recompute every table of shard folders exactly,
 * since summaries, paired differences, pooled histograms and means over
 * replications cannot be merged from the CSV files themselves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ReplicationResult } from '../sim/result.js';
import { sortResults } from '../runner/order.js';
import { manifestSchema, type Manifest, type VariantInfo } from './manifest.js';
import { slosOf, type Slo } from '../scenario/slos.js';
import { buildTables } from './tables.js';
import { isCompleteFolder, unlockOutput, writeFiles, writeFolderAtomically } from './write.js';

export const REPLICATIONS_FILE = 'replications.jsonl';

export function replicationsJsonl(results: readonly ReplicationResult[]): string {
  return sortResults(results)
    .map((r) => `${JSON.stringify(r)}\n`)
    .join('');
}

/**
 * Writes the folder atomically; `beforeCommit` may add files (charts,
 * report) to the temporary folder first. If anything throws, `out` is left
 * as it was. A complete folder at `out` is never replaced by incomplete
 * results: they go to `<out>.partial` (or nowhere, when there are none).
 * Returns the folder written.
 */
export async function writeResultsFolder(
  out: string,
  manifest: Manifest,
  variants: readonly VariantInfo[],
  results: readonly ReplicationResult[],
  beforeCommit?: (tmp: string) => Promise<void>,
  slos: readonly Slo[] = slosOf({ slos: manifest.resolvedScenario.slos ?? [] }),
): Promise<string | undefined> {
  let dest = out;
  if (!manifest.complete && isCompleteFolder(out)) {
    unlockOutput(out);
    if (results.length === 0) return undefined;
    dest = `${out.replace(/[\\/]+$/, '')}.partial`;
  }
  await writeFolderAtomically(dest, async (tmp) => {
    writeFiles(tmp, {
      ...buildTables(variants, results, 0.95, slos),
      'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
      [REPLICATIONS_FILE]: replicationsJsonl(results),
    });
    if (beforeCommit) await beforeCommit(tmp);
  });
  return dest;
}

export function readResultsFolder(dir: string): { manifest: Manifest; results: ReplicationResult[] } {
  const raw: unknown = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  // Checked against the schema, but kept as read: a field of a newer version survives a merge, in its place.
  const checked = manifestSchema().safeParse(raw);
  if (!checked.success) throw new Error(`manifest.json: ${z.prettifyError(checked.error).replace(/\n/g, '; ')}`);
  const manifest = raw as Manifest;
  const text = readFileSync(join(dir, REPLICATIONS_FILE), 'utf8');
  const results = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ReplicationResult);
  return { manifest, results };
}
