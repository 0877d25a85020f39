/**
 * `svcsim merge <dir>... --out DIR`: merges the folders of `run --shard I/N`
 * into one results folder, recomputing every table from the replication
 * records (results/merge.ts), so the CSV files are byte-identical to a run
 * without shards. Exit codes: 0 merged; 2 folders that do not belong
 * together (another scenario or seed), or a replication missing or in two
 * folders.
 */
import { MergeError, mergeFolders, type Merged } from '../results/merge.js';
import { checkOutput, saveResults } from './common.js';

export async function mergeCommand(dirs: string[], opts: { out: string; charts?: boolean }): Promise<number> {
  const unwritable = checkOutput(opts.out);
  if (unwritable) {
    process.stderr.write(`svcsim merge: ${unwritable}\n`);
    return 2;
  }
  let merged: Merged;
  try {
    merged = mergeFolders(dirs);
  } catch (err) {
    if (!(err instanceof MergeError)) throw err;
    process.stderr.write(`svcsim merge: ${err.message}\n`);
    return 2;
  }
  const { manifest, variants, results } = merged;
  const notSaved = await saveResults('merge', opts.out, manifest, variants, results, opts.charts !== false);
  if (notSaved !== undefined) return notSaved;
  process.stderr.write(`svcsim merge: ${results.length} replications from ${dirs.length} folders in ${opts.out}/\n`);
  return 0;
}
