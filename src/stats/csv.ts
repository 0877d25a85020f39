/** A CSV table per RFC 4180: one header row, `\n` line ends, fields quoted only where needed. */
import { stringify } from 'csv-stringify/sync';

export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return stringify([header as string[], ...(rows as string[][])], { record_delimiter: '\n' });
}
