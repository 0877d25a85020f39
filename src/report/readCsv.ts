/** A small RFC 4180 reader for the results folder's own CSV files: rows as objects keyed by the header. */
import { existsSync, readFileSync } from 'node:fs';

export type Row = Record<string, string>;

export function parseCsv(text: string): Row[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...rows] = records;
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

export function readCsv(path: string): Row[] | undefined {
  return existsSync(path) ? parseCsv(readFileSync(path, 'utf8')) : undefined;
}

/** A numeric field, or undefined when empty. */
export function num(row: Row, key: string): number | undefined {
  const v = row[key];
  return v === undefined || v === '' ? undefined : Number(v);
}
