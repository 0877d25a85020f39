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

/** A plain decimal number, as formatNumber and formatCount write them: a spreadsheet reads it as the number it is. */
const PLAIN_NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * A text field that a spreadsheet would run as a formula (it starts with
 * =, +, -, @, a tab or a carriage return: a sweep value or a name from the
 * scenario) gets a leading `'`, as OWASP advises against CSV injection.
 * Numbers, negative ones included, stay as they are, and so does every
 * field of a scenario without such text: its CSV bytes do not change.
 */
function neutralised(text: string): string {
  return /^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

function field(value: CsvField): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return neutralised(value);
  if (!Number.isInteger(value)) throw new TypeError(`toCsv got the number ${value}: format it with formatNumber first`);
  return formatCount(value);
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvField[])[]): string {
  const records = [header.map(neutralised), ...rows.map((row) => row.map(field))];
  // csv-stringify quotes commas, quotes and \n by itself; RFC 4180 wants \r quoted too.
  return stringify(records, { record_delimiter: '\n', quoted_match: /\r/ });
}
