/**
 * The report's CSV reader (src/report/readCsv.ts) gives the records
 * csv-parse gives with the options it was used with before (BOM, blank lines
 * skipped, short records kept, \r\n or \n), and fails where csv-parse fails:
 * on every table of the fixture folders, on hand-picked edge cases, and on
 * random texts of commas, quotes and line breaks.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsvRecords } from '../src/report/readCsv.js';

const csvParse = (text: string): string[][] | 'error' => {
  try {
    return parse(text, { bom: true, record_delimiter: ['\r\n', '\n'], skip_empty_lines: true, relax_column_count: true });
  } catch {
    return 'error';
  }
};
const ours = (text: string): string[][] | 'error' => {
  try {
    return parseCsvRecords(text);
  } catch {
    return 'error';
  }
};

describe('the report CSV reader', () => {
  it('reads every table of the fixture folders as csv-parse does', () => {
    let tables = 0;
    for (const folder of ['test/fixtures/results-base', 'test/fixtures/results-sweep']) {
      for (const f of readdirSync(folder).filter((x) => x.endsWith('.csv'))) {
        const text = readFileSync(join(folder, f), 'utf8');
        expect(ours(text), `${folder}/${f}`).toEqual(csvParse(text));
        tables++;
      }
    }
    expect(tables).toBeGreaterThan(8);
  });

  it('reads quoted fields, doubled quotes, line breaks in quotes, a BOM, blank lines and short records as csv-parse does', () => {
    const cases = ['', '\n', 'a', 'a,', ',', 'a,b\n', 'a,b\r\n\r\nc', '"a""b",c\n"x\ny",', '\ufeffh1,h2\n1,2\n\n', '"",""\n', 'a\rb,c', ' a , b ', '\n\n\na\n\n', 'h,i,j\n1\n1,2,3,4\n'];
    for (const text of cases) expect(ours(text), JSON.stringify(text)).toEqual(csvParse(text));
    expect(ours('"a""b",c\n"x\ny",')).toEqual([['a"b', 'c'], ['x\ny', '']]);
  });

  it('fails where csv-parse fails: a quote in an unquoted field, text after a closing quote, a quoted field never closed', () => {
    for (const text of ['a"b', '"a"b', '"abc', 'x,"y"z']) {
      expect(csvParse(text), JSON.stringify(text)).toBe('error');
      expect(ours(text), JSON.stringify(text)).toBe('error');
    }
  });

  it('agrees with csv-parse on random texts of commas, quotes, spaces and line breaks', () => {
    const piece = fc.constantFrom('a', 'b', '1', ' ', ',', '"', '""', '\n', '\r', '\r\n', '\ufeff');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }), (pieces) => {
        const text = pieces.join('');
        expect(ours(text)).toEqual(csvParse(text));
      }),
      { numRuns: 5000, seed: 12 },
    );
  });
});
