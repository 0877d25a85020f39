/**
 * A small RFC 4180 reader for the results folder's own CSV files: quoted
 * fields may hold commas, quotes ("" inside quotes) and line breaks; records
 * end in \n or \r\n. Rows come back as objects keyed by the header, and the
 * header itself is kept, because the sweep parameter columns are known only
 * by their place in it (between `variant` and the table's own columns).
 */
import { existsSync, readFileSync } from 'node:fs';

export type Row = Record<string, string>;

export interface Table {
  header: string[];
  rows: Row[];
}

/** The records of a CSV text as arrays of fields; blank lines are skipped. */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  const endRecord = () => {
    record.push(field);
    if (record.length > 1 || record[0] !== '' || fieldStarted) records.push(record);
    record = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"') {
      quoted = true;
      fieldStarted = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      fieldStarted = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else field += ch;
  }
  if (field !== '' || record.length > 0 || fieldStarted) endRecord();
  return records;
}

export function parseCsvTable(text: string): Table {
  const [header = [], ...records] = parseCsvRecords(text.startsWith('\uFEFF') ? text.slice(1) : text);
  return { header, rows: records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}

export function parseCsv(text: string): Row[] {
  return parseCsvTable(text).rows;
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
