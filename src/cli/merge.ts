/**
 * `svcsim merge <dir>... --out DIR`: merges the folders of `run --shard I/N`
 * into one results folder, recomputing every table from the replication
 * records (results/merge.ts), so the CSV files are byte-identical to a run
 * without shards. Exit codes: 0 merged; 2 folders that do not belong
 * together (another scenario, seed or svcsim version), a file in them that
 * is not what svcsim writes (its file and line named), or a replication in
 * two folders or in none (unless --allow-partial: what is there is merged,
 * `complete: false`).
 */
import { MergeError, mergeFolders, type Merged } from '../results/merge.js';
import { checkOutput, saveResults } from './common.js';

export async function mergeCommand(dirs: string[], opts: { out: string; charts?: boolean; allowPartial?: boolean }): Promise<number> {
  const unwritable = checkOutput(opts.out);
  if (unwritable) {
    process.stderr.write(`svcsim merge: ${unwritable}\n`);
    return 2;
  }
  let merged: Merged;
  try {
    merged = mergeFolders(dirs, { allowPartial: opts.allowPartial === true });
  } catch (err) {
    if (!(err instanceof MergeError)) throw err;
    process.stderr.write(`svcsim merge: ${err.message}\n`);
    return 2;
  }
  const { manifest, variants, results } = merged;
  const notSaved = await saveResults('merge', opts.out, manifest, variants, results, opts.charts !== false);
  if (typeof notSaved === 'number') return notSaved;
  if (notSaved !== undefined)
    process.stderr.write(`svcsim merge: ${results.length} replications from ${dirs.length} folders in ${notSaved ?? opts.out}/${manifest.complete ? '' : ' (complete: false: some replications are missing)'}\n`);
  return 0;
}
