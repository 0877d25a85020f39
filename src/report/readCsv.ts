/**
 * The reader of the results folder's own CSV files (src/stats/csv.ts writes
 * them): RFC 4180, quoted fields may hold commas, quotes and line breaks;
 * records end in \n or \r\n; a BOM is skipped. Rows come back as objects
 * keyed by the header, and the header itself is kept, because the sweep
 * parameter columns are known only by their place in it (between `variant`
 * and the table's own columns).
 *
 * The parser is these few lines rather than csv-parse, whose records it
 * gives for the same options (a test compares them): csv-parse took ≈ 35 ms
 * to load and read a small what-if's 10 kB of tables in a fresh process,
 * a tenth of the time its charts take.
 */
import { existsSync, readFileSync } from 'node:fs';

export type Row = Record<string, string>;

export interface Table {
  header: string[];
  rows: Row[];
}

/**
 * The records of a CSV text as arrays of fields; blank lines are skipped,
 * short records kept as they are (csv-parse's `bom`, `skip_empty_lines`,
 * `relax_column_count`, records ending in \r\n or \n). A quote inside an
 * unquoted field, anything but a comma or a record's end after a closing
 * quote, and a quoted field never closed are errors, as they are to it.
 */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  const n = text.length;
  const endsRecord = (i: number) => text.charCodeAt(i) === 10 || (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10);
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < n) {
    if (endsRecord(i)) {
      i += text.charCodeAt(i) === 13 ? 2 : 1;
      continue;
    }
    const record: string[] = [];
    for (;;) {
      if (text.charCodeAt(i) === 34) {
        let field = '';
        let from = i + 1;
        for (;;) {
          const quote = text.indexOf('"', from);
          if (quote < 0) throw new Error(`CSV: a quoted field is not closed (record ${records.length + 1})`);
          if (text.charCodeAt(quote + 1) === 34) {
            field += text.slice(from, quote + 1);
            from = quote + 2;
            continue;
          }
          field += text.slice(from, quote);
          i = quote + 1;
          break;
        }
        if (i < n && text.charCodeAt(i) !== 44 && !endsRecord(i)) throw new Error(`CSV: a character after a closing quote (record ${records.length + 1})`);
        record.push(field);
      } else {
        let end = i;
        while (end < n && text.charCodeAt(end) !== 44 && !endsRecord(end)) end++;
        const field = text.slice(i, end);
        if (field.includes('"')) throw new Error(`CSV: a quote inside an unquoted field (record ${records.length + 1})`);
        record.push(field);
        i = end;
      }
      if (i < n && text.charCodeAt(i) === 44) {
        i++;
        continue;
      }
      break;
    }
    records.push(record);
    if (i < n) i += text.charCodeAt(i) === 13 ? 2 : 1;
  }
  return records;
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
