/**
 * The tables of a results folder as the report reads them: each CSV file by
 * its role, undefined where the folder has no such file (its charts are then
 * skipped). Read once, handed to every chart and to report.html.
 */
import { join } from 'node:path';
import { readCsvTable, type Row } from './readCsv.js';

export interface ResultFiles {
  summary?: Row[];
  /** summary.csv's header: the sweep parameters are the columns between `variant` and `scope`. */
  summaryHeader?: string[];
  diffs?: Row[];
  pods?: Row[];
  nodes?: Row[];
  timeseries?: Row[];
  cdf?: Row[];
  /** latency_breakdown.csv: `variant, [sweep parameters], scope, segment, mean_ms, share`. */
  breakdown?: Row[];
  /** slos.csv: `variant, [sweep parameters], scope, slo, mean, ci_low, ci_high, verdict`. */
  slos?: Row[];
}

/** The results folder's tables; a missing file is undefined. */
export function readResultFiles(dir: string): ResultFiles {
  const read = (file: string) => readCsvTable(join(dir, file));
  const summary = read('summary.csv');
  return {
    summary: summary?.rows,
    summaryHeader: summary?.header,
    diffs: read('diffs.csv')?.rows,
    pods: read('pods.csv')?.rows,
    nodes: read('nodes.csv')?.rows,
    timeseries: read('timeseries.csv')?.rows,
    cdf: read('latency_cdf.csv')?.rows,
    breakdown: read('latency_breakdown.csv')?.rows,
    slos: read('slos.csv')?.rows,
  };
}

