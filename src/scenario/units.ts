/**
 * The scalars of the scenario format (docs/scenario-reference.md, "Units"):
 *
 * - a Duration is `250ms`, `1.5s`, `2m`, `1h`, `50us`, a combination written
 *   from the largest unit down (`6m30s`, `1h30m`), or a bare number of seconds;
 * - a Rate is `2000/s`, `90/m`, `3600/h`, or a bare number per second;
 * - a Distribution is a Duration (a constant) or an object with `dist:` and
 *   the parameters of that distribution, Duration-valued where they are times.
 *
 * Each is a zod schema that turns what a user wrote into seconds, per second,
 * or a typed Distribution, reports what is allowed when the input is wrong, and
 * yields the JSON Schema of the input for editors. The plain parse functions
 * throw a {@link UnitError} with the same messages.
 */
import { z } from 'zod';
import type { HistogramBucket } from '../engine/distributions.js';
import { MAX_DATA_FILE_BYTES, readBoundedFile } from './files.js';

/** A scalar the user wrote that is not what it should be; the message says what is allowed. */
export class UnitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnitError';
  }
}

// --------------------------------------------------------------------- limits

/**
 * What a run may ask for at most. Beyond these a run cannot finish (memory,
 * time, numbers that stop being numbers), so it is refused up front, the
 * limit in the message, rather than failing hours in (README "What svcsim
 * refuses").
 */
export const RUN_LIMITS = {
  /** Replications per variant (`simulation.replications`, `--replications`, `precision.maxReplications`). */
  replications: 1_000_000,
  /** Variants × replications of one run. */
  totalReplications: 10_000_000,
  /** Worker threads per core (`--workers`). */
  workersPerCore: 4,
  /** Warm-up plus duration, in simulated seconds (about 116 days). */
  simulatedSeconds: 1e7,
  /** Time buckets from t = 0 to the end of the window ((warmup + duration) / timeBucket): each is kept per replication. */
  timeBuckets: 100_000,
  /** Gamma's coefficient of variation (its shape is 1/cv²). */
  gammaCv: 100,
} as const;

// ------------------------------------------------------------------ Durations

const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const BARE_NUMBER = new RegExp(`^${NUMBER}$`);
/** One `<number><unit>` part; `ms` is tried before `m` so that `5ms` is not 5 minutes and an `s`. */
const DURATION_PART = new RegExp(`(${NUMBER})(h|ms|m|s|us|µs)`, 'y');
/** What a Duration string may look like, for editors (the parser also checks the order of units). */
const DURATION_PATTERN = `^(?:${NUMBER}|(?:${NUMBER}(?:h|ms|m|s|us|µs))+)$`;
/** Units from the largest down: a compound must use them in this order, each at most once. */
const UNIT_RANK: Record<string, number> = { h: 0, m: 1, s: 2, ms: 3, us: 4, µs: 4 };

const DURATION_HELP = 'use a number with a unit: 250ms, 1.5s, 2m, 1h, 50us, or a combination such as 6m30s (a bare number is seconds)';

/** Seconds in `value` of `unit`; divisions rather than multiplications by 0.001 keep `250ms` exactly 0.25. */
function inSeconds(value: number, unit: string): number {
  switch (unit) {
    case 'h':
      return value * 3600;
    case 'm':
      return value * 60;
    case 's':
      return value;
    case 'ms':
      return value / 1e3;
    default:
      return value / 1e6;
  }
}

/** Seconds in a Duration: `250ms` → 0.25, `6m30s` → 390, `2` → 2. Throws a {@link UnitError}. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input;
    throw new UnitError(`${input} is not a Duration: ${input < 0 ? 'it is negative' : 'it is not a finite number'}; ${DURATION_HELP}`);
  }
  const text = input.trim();
  if (text.startsWith('-')) throw new UnitError(`"${input}" is not a Duration: it is negative; ${DURATION_HELP}`);
  if (BARE_NUMBER.test(text)) {
    const seconds = Number(text);
    if (!Number.isFinite(seconds)) throw new UnitError(`"${input}" is not a Duration: it is not a finite number; ${DURATION_HELP}`);
    return seconds;
  }
  let seconds = 0;
  let rank = -1;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const part = DURATION_PART.exec(text);
    if (part === null) throw new UnitError(`"${input}" is not a Duration; ${DURATION_HELP}`);
    const unitRank = UNIT_RANK[part[2]];
    if (unitRank <= rank) {
      throw new UnitError(`"${input}" is not a Duration: write the parts from the largest unit down, each unit once (as in 1h30m or 6m30s)`);
    }
    rank = unitRank;
    seconds += inSeconds(Number(part[1]), part[2]);
  }
  if (rank < 0 || !Number.isFinite(seconds)) throw new UnitError(`"${input}" is not a Duration; ${DURATION_HELP}`);
  return seconds;
}

/** A sub-minute duration with at most 6 significant digits in the largest unit that keeps it ≥ 1. */
function formatShortDuration(seconds: number): string {
  const [value, unit] = seconds >= 1 ? [seconds, 's'] : seconds >= 1e-3 ? [seconds * 1e3, 'ms'] : [seconds * 1e6, 'us'];
  return `${+value.toPrecision(6)}${unit}`;
}

/**
 * Seconds as a Duration a user would write: 0.25 → "250ms", 90 → "1m30s",
 * 5400 → "1h30m", 5e-5 → "50us". Below a minute it keeps 6 significant digits;
 * from a minute up it is exact to the microsecond. `parseDuration` reads every
 * result back.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds < 0) return `-${formatDuration(-seconds)}`;
  if (seconds === 0) return '0s';
  if (seconds < 60) return formatShortDuration(seconds);
  const micros = Math.round(seconds * 1e6);
  const hours = Math.floor(micros / 3.6e9);
  const minutes = Math.floor((micros - hours * 3.6e9) / 6e7);
  const restMicros = micros - hours * 3.6e9 - minutes * 6e7;
  const rest = restMicros === 0 ? '' : restMicros < 1e6 ? `${restMicros / 1e3}ms` : `${restMicros / 1e6}s`;
  return `${hours > 0 ? `${hours}h` : ''}${minutes > 0 ? `${minutes}m` : ''}${rest}`;
}

// ---------------------------------------------------------------------- Rates

const RATE = new RegExp(`^(${NUMBER})(?:/(s|m|h))?$`);
const RATE_HELP = 'use a number per unit of time: 2000/s, 90/m, 3600/h (a bare number is per second)';

/** Events per second in a Rate: `2000/s` → 2000, `90/m` → 1.5, `3600/h` → 1. Throws a {@link UnitError}. */
export function parseRate(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input;
    throw new UnitError(`${input} is not a Rate: ${input < 0 ? 'it is negative' : 'it is not a finite number'}; ${RATE_HELP}`);
  }
  const text = input.trim();
  if (text.startsWith('-')) throw new UnitError(`"${input}" is not a Rate: it is negative; ${RATE_HELP}`);
  const match = RATE.exec(text);
  if (match === null) throw new UnitError(`"${input}" is not a Rate; ${RATE_HELP}`);
  const count = Number(match[1]);
  const perSecond = match[2] === 'm' ? count / 60 : match[2] === 'h' ? count / 3600 : count;
  if (!Number.isFinite(perSecond)) throw new UnitError(`"${input}" is not a Rate; ${RATE_HELP}`);
  return perSecond;
}

// ---------------------------------------------------------------- zod schemas

/**
 * A scalar written as a string or a number, parsed by `parse`; a parse error
 * becomes a zod issue with the parser's message. Anything that is neither a
 * string nor a number (a missing key included) is turned away first with a
 * message naming the kind, since zod would only say that a union failed.
 */
function scalarSchema(kind: string, parse: (input: string | number) => number, json: { description: string; pattern: string }) {
  const scalar = z
    .union([z.string().meta({ pattern: json.pattern }), z.number().meta({ minimum: 0 })])
    .meta({ description: json.description })
    .transform((input, ctx) => {
      try {
        return parse(input);
      } catch (err) {
        if (!(err instanceof UnitError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message, input });
        return z.NEVER;
      }
    });
  return z.preprocess((input, ctx) => {
    if (typeof input !== 'string' && typeof input !== 'number') {
      ctx.addIssue({ code: 'custom', message: input === undefined ? `required: a ${kind} (${json.description.replace(/^\w+: /, '')})` : `must be a ${kind}: ${json.description.replace(/^\w+: /, '')}`, input });
    }
    return input;
  }, scalar).meta({ id: kind }); // named, so that a JSON Schema defines it once and refers to it
}

/** A Duration, parsed to seconds. */
export const durationSchema = scalarSchema('Duration', parseDuration, {
  description: 'Duration: 250ms, 1.5s, 2m, 1h, 50us, a combination such as 6m30s, or a bare number of seconds',
  pattern: DURATION_PATTERN,
});

/** A Rate, parsed to events per second. */
export const rateSchema = scalarSchema('Rate', parseRate, {
  description: 'Rate: 2000/s, 90/m, 3600/h, or a bare number per second',
  pattern: `^${NUMBER}(?:/(?:s|m|h))?$`,
});

const positiveDuration = durationSchema.refine((seconds) => seconds > 0, { error: 'must be a Duration > 0' });
const positiveNumber = z.number({ error: 'must be a number' }).positive({ error: 'must be a number > 0' });
const nonNegativeNumber = z.number({ error: 'must be a number' }).min(0, { error: 'must be a number ≥ 0' });

// ------------------------------------------------------------- Distributions

// The two-way forms name the other form's parameters as absent, so that a
// check such as `d.median !== undefined` or `d.file` tells them apart.
type LognormalByQuantiles = { dist: 'lognormal'; median: number; p99: number; mean?: undefined; stddev?: undefined };
type LognormalByMoments = { dist: 'lognormal'; mean: number; stddev: number; median?: undefined; p99?: undefined };
type EmpiricalValues = { dist: 'empirical'; values: number[]; weights?: number[]; file?: undefined };
type EmpiricalFile = { dist: 'empirical'; file: string; values?: number[]; weights?: undefined };
export type { HistogramBucket } from '../engine/distributions.js';
type HistogramBuckets = { dist: 'histogram'; buckets: HistogramBucket[]; max?: number; file?: undefined; metric?: undefined };
type HistogramFile = { dist: 'histogram'; file: string; metric?: string; max?: number; buckets?: HistogramBucket[] };

/**
 * What is wrong with a histogram's cumulative buckets, or undefined: bounds
 * strictly increasing with `+Inf` only last, counts never decreasing (they
 * are cumulative, as Prometheus writes them), some observations, and `max`
 * above the last finite bound. Used for buckets written in the scenario and
 * for those read from a file.
 */
export function histogramProblem(buckets: readonly HistogramBucket[], max: number | undefined): { index?: number; field?: 'le' | 'count' | 'max'; message: string } | undefined {
  if (buckets.length === 0) return { message: 'needs at least one bucket' };
  for (let i = 0; i < buckets.length; i++) {
    const { le, count } = buckets[i];
    if (!(count >= 0) || !Number.isFinite(count)) return { index: i, field: 'count', message: 'must be a number ≥ 0' };
    if (i === 0) continue;
    const prev = buckets[i - 1];
    if (!(le > prev.le)) return { index: i, field: 'le', message: `must be greater than the bucket before (${prev.le === Infinity ? '+Inf' : `${prev.le}s`}): buckets are in increasing order of le${prev.le === Infinity ? ', +Inf last' : ''}` };
    if (count < prev.count) return { index: i, field: 'count', message: `is ${count}, less than the bucket before (${prev.count}): Prometheus buckets are cumulative (observations ≤ le), so counts never decrease` };
  }
  if (!(buckets[buckets.length - 1].count > 0)) return { message: 'has no observations: the last bucket counts 0' };
  const finite = buckets.filter((b) => b.le !== Infinity);
  if (finite.length === 0) return { message: 'needs a bucket with a finite le: a +Inf bucket alone says nothing about the times' };
  if (max !== undefined) {
    const top = finite[finite.length - 1].le;
    if (!(max > top)) return { field: 'max', message: `must be greater than the last finite le (${top}s): it bounds the open +Inf bucket` };
  }
  return undefined;
}

/** `le` of a bucket: a Duration, or `+Inf` (also `Inf`, `inf`, YAML's `.inf`) for the open top bucket. */
const bucketBound = z.union([
  z.literal(['+Inf', 'Inf', '+inf', 'inf']).transform(() => Infinity),
  z.literal(Infinity).meta({ description: 'YAML .inf' }),
  durationSchema,
]);

const histogramBucket = z.strictObject({
  le: bucketBound.meta({ description: 'upper bound of the bucket (a Duration, or +Inf)' }),
  count: nonNegativeNumber.meta({ description: 'observations ≤ le (cumulative)' }),
});

/**
 * One schema per form of a Distribution. Their outputs, all in seconds, make
 * the {@link Distribution} type; `dist` tells them apart.
 */
/** The descriptions of a Distribution's fields (editors show them on hover; docs/scenario-reference.md lists them). */
const kind = <const T extends string>(name: T) => z.literal(name).describe('The kind of distribution; its parameters follow. A bare Duration is a constant.');
const FIELD = {
  value: 'The value, always (a Duration).',
  meanExp: 'The mean (a Duration > 0): rate 1/mean.',
  min: 'The smallest value (a Duration).',
  max: 'The largest value (a Duration, ≥ min).',
  meanNormal: 'The mean (a Duration > 0); draws below 0 are redrawn.',
  stddev: 'The standard deviation (a Duration).',
  median: 'The median (a Duration > 0).',
  p99: 'The 99th percentile (a Duration > median): with the median, it fixes σ = ln(p99/median)/2.326.',
  meanLognormal: 'The mean (a Duration > 0), with stddev: the moments of the lognormal itself.',
  meanGamma: 'The mean (a Duration > 0).',
  cv: 'Coefficient of variation, stddev/mean (a number > 0, at most 100): 1 is exponential, below 1 more regular, above 1 burstier; shape = 1/cv².',
  shapeWeibull: 'Shape k (a number > 0): below 1 a heavy tail, 1 exponential, above 1 more regular.',
  scaleWeibull: 'Scale λ (a Duration > 0).',
  scalePareto: 'Scale: the smallest value (a Duration > 0).',
  shapePareto: 'Shape α (a number > 0): the tail falls as x^-α; the mean is finite only for α > 1.',
  values: 'The values to draw from (Durations), each equally likely unless weights are given.',
  weights: 'One weight ≥ 0 per value (relative; they need not sum to 1).',
  fileEmpirical: 'Instead of values: a CSV file whose first column holds one value per line (a Duration; a bare number is seconds), after an optional header; relative to the scenario file.',
  buckets: 'Cumulative buckets {le, count}, as a Prometheus histogram has them: a draw is uniform within its bucket.',
  maxHistogram: 'Where the +Inf bucket ends (a Duration): its observations are uniform up to it; without it they all sit at the last finite bound.',
  fileHistogram: 'Instead of buckets: a file of Prometheus histogram buckets, as /metrics serves them or as the JSON of a query such as sum by (le) (increase(x_bucket[1h])); relative to the scenario file (docs/import.md).',
};

const distributionForms = {
  constant: z.strictObject({ dist: kind('constant'), value: durationSchema.describe(FIELD.value) }),
  exponential: z.strictObject({ dist: kind('exponential'), mean: positiveDuration.describe(FIELD.meanExp) }),
  uniform: z
    .strictObject({ dist: kind('uniform'), min: durationSchema.describe(FIELD.min), max: durationSchema.describe(FIELD.max) })
    .refine((d) => d.min <= d.max, { path: ['max'], error: 'must be ≥ min' }),
  normal: z.strictObject({ dist: kind('normal'), mean: positiveDuration.describe(FIELD.meanNormal), stddev: durationSchema.describe(FIELD.stddev) }),
  lognormalByQuantiles: z
    .strictObject({ dist: kind('lognormal'), median: positiveDuration.describe(FIELD.median), p99: positiveDuration.describe(FIELD.p99) })
    .refine((d) => d.p99 > d.median, { path: ['p99'], error: 'must be > median' })
    .transform((d): LognormalByQuantiles => d),
  lognormalByMoments: z
    .strictObject({ dist: kind('lognormal'), mean: positiveDuration.describe(FIELD.meanLognormal), stddev: durationSchema.describe(FIELD.stddev) })
    .transform((d): LognormalByMoments => d),
  gamma: z.strictObject({
    dist: kind('gamma'),
    mean: positiveDuration.describe(FIELD.meanGamma),
    cv: positiveNumber.max(RUN_LIMITS.gammaCv, { error: `must be at most ${RUN_LIMITS.gammaCv}: a larger cv makes a shape below 1e-4, whose samples are almost all 0` }).describe(FIELD.cv),
  }),
  weibull: z.strictObject({ dist: kind('weibull'), shape: positiveNumber.describe(FIELD.shapeWeibull), scale: positiveDuration.describe(FIELD.scaleWeibull) }),
  pareto: z.strictObject({ dist: kind('pareto'), scale: positiveDuration.describe(FIELD.scalePareto), shape: positiveNumber.describe(FIELD.shapePareto) }),
  empiricalValues: z
    .strictObject({
      dist: kind('empirical'),
      values: z.array(durationSchema).min(1, { error: 'needs at least one value' }).describe(FIELD.values),
      weights: z.array(nonNegativeNumber).optional().describe(FIELD.weights),
    })
    .superRefine((d, ctx) => {
      if (d.weights === undefined) return;
      if (d.weights.length !== d.values.length) {
        ctx.addIssue({ code: 'custom', path: ['weights'], message: `needs one weight per value: ${d.values.length} values, ${d.weights.length} weights` });
      } else if (d.weights.every((w) => w >= 0) && !(d.weights.reduce((a, b) => a + b, 0) > 0)) {
        ctx.addIssue({ code: 'custom', path: ['weights'], message: 'must sum to more than 0' });
      }
    })
    .transform((d): EmpiricalValues => d),
  /** `values` is filled in later by the scenario loader, with {@link loadEmpiricalFile}. */
  empiricalFile: z
    .strictObject({ dist: kind('empirical'), file: z.string().min(1, { error: 'must name a CSV file' }).describe(FIELD.fileEmpirical) })
    .transform((d): EmpiricalFile => d),
  histogramBuckets: z
    .strictObject({
      dist: kind('histogram'),
      buckets: z.array(histogramBucket).min(1, { error: 'needs at least one bucket' }).describe(FIELD.buckets),
      max: positiveDuration.optional().describe(FIELD.maxHistogram),
    })
    .superRefine((d, ctx) => {
      const problem = histogramProblem(d.buckets, d.max);
      if (problem === undefined) return;
      const path = problem.field === 'max' ? ['max'] : problem.index === undefined ? ['buckets'] : ['buckets', problem.index, problem.field ?? 'le'];
      ctx.addIssue({ code: 'custom', path, message: problem.message });
    })
    .transform((d): HistogramBuckets => d),
  /** `buckets` is filled in later by the scenario loader, from the Prometheus file (promFiles.ts). */
  histogramFile: z
    .strictObject({
      dist: kind('histogram'),
      file: z.string().min(1, { error: 'must name a file of Prometheus histogram buckets' }).describe(FIELD.fileHistogram),
      metric: z.string().min(1).optional().meta({ description: 'which histogram of the file (its name, with or without _bucket), when it holds several' }),
      max: positiveDuration.optional().describe(FIELD.maxHistogram),
    })
    .transform((d): HistogramFile => d),
};

const DIST_NAMES = ['constant', 'exponential', 'uniform', 'normal', 'lognormal', 'gamma', 'weibull', 'pareto', 'empirical', 'histogram'] as const;
const DIST_HELP = `use one of ${DIST_NAMES.join(', ')}`;

/** A Duration as a distribution: a constant. */
const constantFromDuration = durationSchema.transform((value) => ({ dist: 'constant' as const, value }));

/**
 * Every accepted form: the source of the output type and of the input JSON
 * Schema. A plain union, because `intendedForm` has already chosen the form.
 */
const anyDistributionForm = z.union([
  constantFromDuration,
  distributionForms.constant,
  distributionForms.exponential,
  distributionForms.uniform,
  distributionForms.normal,
  distributionForms.lognormalByQuantiles,
  distributionForms.lognormalByMoments,
  distributionForms.gamma,
  distributionForms.weibull,
  distributionForms.pareto,
  distributionForms.empiricalValues,
  distributionForms.empiricalFile,
  distributionForms.histogramBuckets,
  distributionForms.histogramFile,
]);

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The one form the user meant, told by the input's type, its `dist`, and for
 * the two-way forms which parameters it names; or a complaint when none fits.
 */
function intendedForm(input: unknown): z.ZodType | { path: string[]; message: string } {
  if (typeof input === 'string' || typeof input === 'number') return constantFromDuration;
  if (!isPlainObject(input)) return { path: [], message: `must be a Duration (a constant, e.g. 12ms) or an object with dist: (${DIST_HELP})` };
  const dist = input.dist;
  const has = (key: string) => Object.hasOwn(input, key);
  switch (dist) {
    case 'lognormal': {
      const byQuantiles = has('median') || has('p99');
      if (byQuantiles && (has('mean') || has('stddev'))) return { path: [], message: 'lognormal takes either median and p99, or mean and stddev, not both' };
      return byQuantiles ? distributionForms.lognormalByQuantiles : distributionForms.lognormalByMoments;
    }
    case 'empirical':
      if (has('file') && (has('values') || has('weights'))) return { path: [], message: 'empirical takes either values (with optional weights) or file, not both' };
      return has('file') ? distributionForms.empiricalFile : distributionForms.empiricalValues;
    case 'histogram':
      if (has('file') && has('buckets')) return { path: [], message: 'histogram takes either buckets or file, not both' };
      return has('file') ? distributionForms.histogramFile : distributionForms.histogramBuckets;
    case 'constant':
    case 'exponential':
    case 'uniform':
    case 'normal':
    case 'gamma':
    case 'weibull':
    case 'pareto':
      return distributionForms[dist];
    case undefined:
      return { path: ['dist'], message: `required: the kind of distribution (${DIST_HELP}), or write a Duration for a constant` };
    default:
      return { path: ['dist'], message: `${JSON.stringify(dist)} is not a distribution; ${DIST_HELP}` };
  }
}

/**
 * A Distribution, parsed to a typed object in seconds. Validation first checks
 * the input against the one form it was meant to be (see `intendedForm`), so
 * that a mistake is reported where it is ("mean: must be a Duration > 0")
 * rather than as a failed union of every form; the checked input then goes
 * through the union of all forms, which gives the output type and the JSON Schema.
 */
export const distributionSchema = z
  .preprocess((input, ctx) => {
    const form = intendedForm(input);
    if (!(form instanceof z.ZodType)) {
      ctx.addIssue({ code: 'custom', path: form.path, message: form.message, input });
      return input;
    }
    const result = form.safeParse(input, { jitless: true }); // no generated parser for one value (load.ts)
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
    return input;
  }, anyDistributionForm)
  // Named, so that the scenario's JSON Schema defines it once and refers to it.
  .meta({ id: 'Distribution', description: `Distribution: a Duration (a constant), or an object with dist: (${DIST_NAMES.join(', ')}) and its parameters` });

/**
 * A Distribution as the simulator uses it: a union on `dist`, every time in
 * seconds. Defined once, in engine/distributions.ts (engine/ imports nothing
 * of the project); every sampler built from a parsed Distribution checks that
 * this schema's output is one.
 */
export type { Distribution } from '../engine/distributions.js';

// ---------------------------------------------------------- empirical files

/** An empirical distribution or a trace has at most a million values. */
export const MAX_DATA_VALUES = 1_000_000;

/**
 * The values of an empirical distribution's CSV file: one column of Durations
 * (bare numbers are seconds), one per line. The first line may be a header;
 * blank lines are skipped; only the first column of a line is read.
 * Throws a {@link UnitError} naming the line of a value that is not a Duration
 * (the caller adds the file name).
 */
export function loadEmpiricalFile(path: string): number[] {
  const lines = readBoundedFile(path, MAX_DATA_FILE_BYTES).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const values: number[] = [];
  let firstContentLine = true;
  for (let i = 0; i < lines.length; i++) {
    const field = lines[i].split(',')[0].trim().replace(/^"(.*)"$/, '$1');
    if (field === '') continue;
    const isHeader = firstContentLine && !/^[-+.\d]/.test(field);
    firstContentLine = false;
    if (isHeader) continue;
    if (values.length === MAX_DATA_VALUES) throw new UnitError(`more than ${MAX_DATA_VALUES} values (at most ${MAX_DATA_VALUES}; every variant and replication carries them)`);
    try {
      values.push(parseDuration(field));
    } catch (err) {
      if (err instanceof UnitError) throw new UnitError(`line ${i + 1}: ${err.message}`);
      throw err;
    }
  }
  if (values.length === 0) throw new UnitError(`no values; the file needs one column of Durations in seconds, one per line`);
  return values;
}
