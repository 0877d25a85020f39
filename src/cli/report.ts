/**
 * `svcsim report <results-dir>`: (re)draws charts and report.html from the
 * CSV files and manifest.json of a results folder. Exit codes: 0 drawn,
 * 2 not a results folder or a file in it unreadable.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeReport } from '../report/index.js';

export async function reportCommand(dir: string): Promise<number> {
  if (!existsSync(join(dir, 'summary.csv'))) {
    process.stderr.write(`svcsim report: ${dir}: no summary.csv: not a results folder\n`);
    return 2;
  }
  let charts: string[];
  try {
    ({ charts } = await writeReport(dir));
  } catch (err) {
    process.stderr.write(`svcsim report: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  process.stdout.write(`svcsim report: ${join(dir, 'report.html')} (${charts.length} charts in ${join(dir, 'charts')}/: ${charts.join(', ') || 'none'})\n`);
  return 0;
}
