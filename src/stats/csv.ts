/**
 * A CSV table per RFC 4180 (docs/outputs.md): one header row, then
 * the rows, `\n` after every record (the last one included); a field is
 * quoted only when it holds a comma, a double quote (doubled inside), a line
 * feed or a carriage return.
 *
 * This only quotes: numbers must already be formatted by the caller with
 * `formatNumber` or `formatCount`. A number given here is taken as a count
 * (an exact integer, e.g. a replication index); anything else is refused, so
 * that no value reaches a file in JavaScript's default notation. `undefined`
 * is an empty field.
 */
import { stringify } from 'csv-stringify/sync';
import { formatCount } from './format.js';

export type CsvField = string | number | undefined;

function field(value: CsvField): string {
  if (value === undefined || typeof value === 'string') return value ?? '';
  if (!Number.isInteger(value)) throw new TypeError(`toCsv got the number ${value}: format it with formatNumber first`);
  return formatCount(value);
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvField[])[]): string {
  const records = [[...header], ...rows.map((row) => row.map(field))];
  // csv-stringify quotes commas, quotes and \n by itself; RFC 4180 wants \r quoted too.
  return stringify(records, { record_delimiter: '\n', quoted_match: /\r/ });
}
