/** `svcsim report <results-dir>`: (re)draws charts and report.html from the CSV files of a results folder. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeReport } from '../report/index.js';

export async function reportCommand(dir: string): Promise<number> {
  if (!existsSync(join(dir, 'summary.csv'))) {
    process.stderr.write(`svcsim report: ${dir}: no summary.csv: not a results folder\n`);
    return 2;
  }
  const { charts } = await writeReport(dir);
  process.stderr.write(`svcsim report: ${charts.length} charts in ${join(dir, 'charts')}/, report in ${join(dir, 'report.html')}\n`);
  return 0;
}
