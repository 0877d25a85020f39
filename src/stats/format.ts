/**
 * Numbers as the result files write them (spec/cli-and-outputs.md): counts as
 * exact integers; everything else as JavaScript's `toPrecision(6)` written
 * as a plain decimal (no exponent); undefined values (NaN, ±Infinity,
 * undefined) as an empty field.
 */

export function formatNumber(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '';
  if (x === 0) return (0).toPrecision(6);
  const s = x.toPrecision(6);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const negative = s.startsWith('-');
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exponent = Number(s.slice(e + 1));
  const digits = mantissa.replace('.', '');
  let out: string;
  if (exponent >= 0) {
    const intLen = exponent + 1;
    out = intLen >= digits.length ? digits + '0'.repeat(intLen - digits.length) : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  } else out = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  return negative ? `-${out}` : out;
}

export function formatCount(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '';
  return Math.round(x).toString();
}
