/**
 * The reader of the results folder's own CSV files (src/stats/csv.ts writes
 * them), with csv-parse (RFC 4180: quoted fields may hold
 * commas, quotes and line breaks; records end in \n or \r\n; a BOM is
 * skipped). Rows come back as objects keyed by the header, and the header
 * itself is kept, because the sweep parameter columns are known only by
 * their place in it (between `variant` and the table's own columns).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

export type Row = Record<string, string>;

export interface Table {
  header: string[];
  rows: Row[];
}

/** The records of a CSV text as arrays of fields; blank lines are skipped, short records kept as they are. */
export function parseCsvRecords(text: string): string[][] {
  return parse(text, { bom: true, record_delimiter: ['\r\n', '\n'], skip_empty_lines: true, relax_column_count: true });
}

export function parseCsvTable(text: string): Table {
  const [header = [], ...records] = parseCsvRecords(text);
  return { header, rows: records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}

/** A CSV file as a table, or undefined when the file is not there. */
export function readCsvTable(path: string): Table | undefined {
  return existsSync(path) ? parseCsvTable(readFileSync(path, 'utf8')) : undefined;
}

export function readCsv(path: string): Row[] | undefined {
  return readCsvTable(path)?.rows;
}

/** A numeric field, or undefined when it is empty or not a number. */
export function num(row: Row, key: string): number | undefined {
  const v = row[key];
  if (v === undefined || v.trim() === '') return undefined;
  const x = Number(v);
  return Number.isFinite(x) ? x : undefined;
}
