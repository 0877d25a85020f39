/**
 * Numbers as the result files write them (docs/outputs.md): counts as
 * exact integers; every other number as JavaScript's `toPrecision(6)`, but
 * written as a plain decimal, never with an exponent; undefined values
 * (undefined, NaN, ±Infinity: n < 2, 0/0, an empty bucket) as an empty field.
 */

/** Zeros for formatNumber to pad an integer's digits with, as toPrecision(6) does. */
const ZEROS = '00000';

/**
 * `x.toPrecision(6)` as a plain decimal: 1.23457e-7 → "0.000000123457",
 * 1.5e21 → "1500000000000000000000", 0.5 → "0.500000" (the trailing zeros
 * toPrecision writes are kept), 0 → "0".
 */
export function formatNumber(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '';
  if (x === 0) return '0'; // also -0
  // An integer below 10⁶, as most counts are: toPrecision(6)'s text built here (its six digits, a
  // point and zeros), as it writes it; toPrecision is a call into the runtime (tested on all of them).
  if (Number.isInteger(x) && x > -1e6 && x < 1e6) {
    const digits = String(x < 0 ? -x : x);
    const plain = digits.length < 6 ? `${digits}.${ZEROS.slice(0, 6 - digits.length)}` : digits;
    return x < 0 ? `-${plain}` : plain;
  }
  const text = x.toPrecision(6);
  const e = text.indexOf('e');
  if (e < 0) return text;
  // "-d.ddddde±k": move the decimal point k places.
  const negative = text.startsWith('-');
  const digits = text.slice(negative ? 1 : 0, e).replace('.', '');
  const exponent = Number(text.slice(e + 1));
  let plain: string;
  if (exponent < 0) plain = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  else if (exponent + 1 >= digits.length) plain = digits + '0'.repeat(exponent + 1 - digits.length);
  else plain = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  return negative ? `-${plain}` : plain;
}

/** An exact integer ("12345678901234567890", never "1.2e+19"); "" when undefined. Throws on a fraction. */
export function formatCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  if (!Number.isInteger(n)) throw new RangeError(`a count is an integer, got ${n}`);
  if (Object.is(n, -0)) return '0';
  return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}
