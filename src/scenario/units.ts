/**
 * The scalars of the scenario format: Durations (`250ms`, `1.5s`, `2m`,
 * `1h`, `50us`, compounds like `6m30s`, or a bare number of seconds), Rates
 * (`2000/s`, `90/m`, `3600/h`, or a bare number per second) and
 * Distributions (a Duration for a constant, or an object with `dist:`).
 * Each is a zod schema that parses what a user writes into seconds, per
 * second, or a typed distribution, and explains what is allowed when the
 * input is wrong.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export class UnitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnitError';
  }
}

const DURATION_UNITS: Record<string, number> = { us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const DURATION_HELP = 'use a number with a unit: 250ms, 1.5s, 2m, 1h, 50us, or compounds like 6m30s (a bare number is seconds)';
const RATE_UNITS: Record<string, number> = { s: 1, m: 1 / 60, h: 1 / 3600 };
const RATE_HELP = 'use a number per unit: 2000/s, 90/m, 3600/h (a bare number is per second)';

const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const DURATION_PART = new RegExp(`(${NUMBER})\\s*(us|µs|ms|s|m|h)`, 'y');

export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new UnitError(`${input} is not a Duration: it must be a finite number ≥ 0; ${DURATION_HELP}`);
    return input;
  }
  const text = input.trim();
  if (new RegExp(`^${NUMBER}$`).test(text)) return Number(text);
  let total = 0;
  let pos = 0;
  let parts = 0;
  DURATION_PART.lastIndex = 0;
  while (pos < text.length) {
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(text);
    if (!m) throw new UnitError(`"${input}" is not a Duration; ${DURATION_HELP}`);
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    pos = DURATION_PART.lastIndex;
    while (text[pos] === ' ') pos++;
    parts++;
  }
  if (parts === 0 || !Number.isFinite(total)) throw new UnitError(`"${input}" is not a Duration; ${DURATION_HELP}`);
  return total;
}

export function parseRate(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new UnitError(`${input} is not a Rate: it must be a finite number ≥ 0; ${RATE_HELP}`);
    return input;
  }
  const m = new RegExp(`^\\s*(${NUMBER})\\s*(?:/\\s*(s|m|h))?\\s*$`).exec(input);
  if (!m) throw new UnitError(`"${input}" is not a Rate; ${RATE_HELP}`);
  return Number(m[1]) * RATE_UNITS[m[2] ?? 's'];
}

/** Seconds as a short Duration string: 0.25 → "250ms", 90 → "1m30s". */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  if (seconds < 1e-3) return `${+(seconds * 1e6).toPrecision(6)}us`;
  if (seconds < 1) return `${+(seconds * 1e3).toPrecision(6)}ms`;
  if (seconds < 60 || !Number.isInteger(seconds)) return `${+seconds.toPrecision(6)}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

function scalar<T>(parse: (x: string | number) => T) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    try {
      return parse(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

export const durationSchema = scalar(parseDuration);
export const rateSchema = scalar(parseRate);

const positive = (what: string) => z.number().positive({ message: `${what} must be > 0` });
const positiveDuration = durationSchema.refine((x) => x > 0, { message: 'must be a Duration > 0' });

const constantDist = z.strictObject({ dist: z.literal('constant'), value: durationSchema });
const exponentialDist = z.strictObject({ dist: z.literal('exponential'), mean: positiveDuration });
const uniformDist = z
  .strictObject({ dist: z.literal('uniform'), min: durationSchema, max: durationSchema })
  .refine((d) => d.min <= d.max, { message: 'uniform needs min ≤ max', path: ['max'] });
const normalDist = z.strictObject({ dist: z.literal('normal'), mean: durationSchema, stddev: durationSchema });
const lognormalDist = z
  .strictObject({
    dist: z.literal('lognormal'),
    median: positiveDuration.optional(),
    p99: positiveDuration.optional(),
    mean: positiveDuration.optional(),
    stddev: durationSchema.optional(),
  })
  .superRefine((d, ctx) => {
    const byQuantiles = d.median !== undefined || d.p99 !== undefined;
    const byMoments = d.mean !== undefined || d.stddev !== undefined;
    if (byQuantiles === byMoments || (byQuantiles && (d.median === undefined || d.p99 === undefined)) || (byMoments && (d.mean === undefined || d.stddev === undefined))) {
      ctx.addIssue({ code: 'custom', message: 'lognormal takes either median and p99, or mean and stddev' });
    } else if (byQuantiles && d.p99! <= d.median!) ctx.addIssue({ code: 'custom', path: ['p99'], message: 'lognormal needs p99 > median' });
  });
const gammaDist = z.strictObject({ dist: z.literal('gamma'), mean: positiveDuration, cv: positive('cv') });
const weibullDist = z.strictObject({ dist: z.literal('weibull'), shape: positive('shape'), scale: positiveDuration });
const paretoDist = z.strictObject({ dist: z.literal('pareto'), scale: positiveDuration, shape: positive('shape') });
const empiricalDist = z
  .strictObject({
    dist: z.literal('empirical'),
    values: z.array(durationSchema).min(1).optional(),
    weights: z.array(z.number().min(0)).optional(),
    file: z.string().min(1).optional(),
  })
  .superRefine((d, ctx) => {
    if ((d.values === undefined) === (d.file === undefined)) ctx.addIssue({ code: 'custom', message: 'empirical takes values: [...] or file: path.csv' });
    if (d.weights !== undefined) {
      if (d.values === undefined || d.weights.length !== d.values.length)
        ctx.addIssue({ code: 'custom', path: ['weights'], message: 'weights must have one entry per value' });
      else if (!(d.weights.reduce((a, b) => a + b, 0) > 0)) ctx.addIssue({ code: 'custom', path: ['weights'], message: 'weights must sum to more than 0' });
    }
  });

const distributionObject = z.discriminatedUnion('dist', [
  constantDist,
  exponentialDist,
  uniformDist,
  normalDist,
  lognormalDist,
  gammaDist,
  weibullDist,
  paretoDist,
  empiricalDist,
]);

/** A Distribution: a Duration (constant) or `{dist: ..., parameters}`; samples are never negative. */
export const distributionSchema = z.union([
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    try {
      return { dist: 'constant' as const, value: parseDuration(value) };
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `${(err as Error).message}, or an object with dist: (constant, exponential, uniform, normal, lognormal, gamma, weibull, pareto, empirical)` });
      return z.NEVER;
    }
  }),
  distributionObject,
]);

export type Distribution = z.output<typeof distributionSchema>;

/** Reads an empirical distribution's CSV: one column of Durations in seconds (a header line is allowed). */
export function loadEmpiricalFile(path: string): number[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).map((l) => l.split(',')[0].trim()).filter((l) => l !== '');
  const values: number[] = [];
  lines.forEach((line, i) => {
    const x = Number(line);
    if (Number.isFinite(x) && x >= 0) values.push(x);
    else if (i > 0) throw new UnitError(`line ${i + 1}: "${line}" is not a number of seconds ≥ 0`);
  });
  if (values.length === 0) throw new UnitError('no values: the file needs one column of seconds');
  return values;
}
