import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { toCsv } from '../src/stats/csv.js';
import { formatCount, formatNumber } from '../src/stats/format.js';

describe('numbers in result files', () => {
  it.each([
    [1.23456789e-7, '0.000000123457'],
    [1.5e21, '1500000000000000000000'],
    [0, '0'],
    [-0, '0'],
    [0.5, '0.500000'],
    [1, '1.00000'],
    [123456.7, '123457'],
    [1234567, '1234570'],
    [-0.000012345678, '-0.0000123457'],
    [-9.87654321e25, '-98765400000000000000000000'],
    [3.14159265, '3.14159'],
    [0.000001, '0.00000100000'],
    [999999.5, '1000000'],
    [5e-324, '0.' + '0'.repeat(323) + '494066'],
  ])('formatNumber(%d) is %s', (x, text) => {
    expect(formatNumber(x)).toBe(text);
  });

  it("write every integer below 10^6 as toPrecision(6) writes it (the fast path's whole domain), and the first beyond", () => {
    for (let x = -1_000_001; x <= 1_000_001; x++) {
      if (x === 0) continue;
      const text = formatNumber(x);
      if (text !== x.toPrecision(6) && !(Math.abs(x) >= 1e6)) expect(text, String(x)).toBe(x.toPrecision(6));
    }
    expect(formatNumber(-999_999)).toBe('-999999');
    expect(formatNumber(1080)).toBe('1080.00');
    expect(formatNumber(1_000_000)).toBe('1000000');
    expect(formatNumber(-1_000_001)).toBe('-1000000');
  });

  it('are empty fields when undefined', () => {
    for (const x of [undefined, Number.NaN, Infinity, -Infinity]) {
      expect(formatNumber(x)).toBe('');
      expect(formatCount(x)).toBe('');
    }
  });

  it('never use an exponent and read back as toPrecision(6) does, for any double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = formatNumber(x);
        expect(text).not.toMatch(/e/i);
        expect(Number(text)).toBe(x === 0 ? 0 : Number(x.toPrecision(6)));
      }),
      { seed: 11, numRuns: 5000 },
    );
  });

  it('write counts as exact integers, beyond 2^53 too', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234567)).toBe('1234567');
    expect(formatCount(-3)).toBe('-3');
    expect(formatCount(2 ** 70)).toBe('1180591620717411303424');
    expect(() => formatCount(1.5)).toThrow(RangeError);
  });
});

describe('CSV tables', () => {
  it('have the header first, \\n line ends and a final newline', () => {
    expect(toCsv(['variant', 'n'], [['base', '3'], ['x', '4']])).toBe('variant,n\nbase,3\nx,4\n');
  });

  it('quote fields with commas, quotes, line feeds and carriage returns, per RFC 4180', () => {
    expect(toCsv(['a'], [['replicas=3;rate=1,000/s'], ['say "hi"'], ['two\nlines'], ['cr\rhere'], [' plain ']])).toBe(
      'a\n"replicas=3;rate=1,000/s"\n"say ""hi"""\n"two\nlines"\n"cr\rhere"\n plain \n',
    );
  });

  it('write undefined as an empty field and integers as counts', () => {
    expect(toCsv(['a', 'b', 'c'], [[undefined, 7, '']])).toBe('a,b,c\n,7,\n');
  });

  it('are byte for byte what csv-stringify wrote before (RFC 4180, \\r quoted too)', () => {
    // Text from the characters that matter to quoting; a leading letter keeps formula neutralising out of the way.
    const text = fc.array(fc.constantFrom('a', '1', ',', '"', '\n', '\r', ' ', ';', "'"), { maxLength: 8 }).map((cs) => `x${cs.join('')}`);
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 4 }), fc.array(fc.array(text, { minLength: 1, maxLength: 4 }), { maxLength: 5 }), (header, rows) => {
        expect(toCsv(header, rows)).toBe(stringify([header, ...rows], { record_delimiter: '\n', quoted_match: /\r/ }));
      }),
      { seed: 12, numRuns: 500 },
    );
  });

  it('refuse an unformatted fractional number', () => {
    expect(() => toCsv(['a'], [[0.1]])).toThrow(/formatNumber/);
  });
});
