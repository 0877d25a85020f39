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

/** A field that holds a comma, a double quote, a line feed or a carriage return must be quoted (RFC 4180). */
const NEEDS_QUOTES = /[",\n\r]/;

/** The field as it is written: quoted, with its quotes doubled, when it must be. */
function quoted(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record: its fields quoted where needed, joined by commas, then `\n`. */
function record(fields: readonly string[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) line += (i === 0 ? '' : ',') + quoted(fields[i]);
  return line + '\n';
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvField[])[]): string {
  // Written here rather than by csv-stringify: a few lines, and it took 60-110 ms to load and run for a run's tables.
  let out = record(header.map(neutralised));
  for (const row of rows) out += record(row.map(field));
  return out;
}
