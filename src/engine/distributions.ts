/**
 * Samplers: a Distribution of the scenario bound to one random stream.
 *
 * A sampler is built once, when a replication starts (parameters converted,
 * tables prepared), and then draws without allocating: `sample()` is on the
 * hot path of every hop and every service. Samples are never negative: the
 * normal is truncated at 0 by resampling, the others are non-negative by
 * construction. Every method draws from the sampler's own stream only, so the
 * numbers a source gets do not depend on what other sources drew.
 *
 * The exact moments of what the samplers draw are in scenario/moments.ts.
 * This module imports nothing of the project but the random streams: the
 * `Distribution` type is defined here, and the scenario schema's output
 * (scenario/units.ts) is checked against it wherever a sampler is built.
 */
import type { RandomStream } from './random.js';

/** A distribution of times, in seconds: what a scenario's Distribution parses to. */
export type Distribution =
  | { dist: 'constant'; value: number }
  | { dist: 'exponential'; mean: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'normal'; mean: number; stddev: number }
  | { dist: 'lognormal'; median: number; p99: number; mean?: undefined; stddev?: undefined }
  | { dist: 'lognormal'; mean: number; stddev: number; median?: undefined; p99?: undefined }
  | { dist: 'gamma'; mean: number; cv: number }
  | { dist: 'weibull'; shape: number; scale: number }
  | { dist: 'pareto'; scale: number; shape: number }
  | { dist: 'empirical'; values: number[]; weights?: number[]; file?: undefined }
  | { dist: 'empirical'; file: string; values?: number[]; weights?: undefined }
  | { dist: 'histogram'; buckets: HistogramBucket[]; max?: number; file?: undefined; metric?: undefined }
  | { dist: 'histogram'; file: string; metric?: string; max?: number; buckets?: HistogramBucket[] };

/** One cumulative bucket of a Prometheus histogram: `count` observations ≤ `le` seconds (`le` may be Infinity, the `+Inf` bucket). */
export type HistogramBucket = { le: number; count: number };

export interface Sampler {
  /** One draw, ≥ 0. */
  sample(): number;
}

/** z such that Φ(z) = 0.99: a lognormal's p99 is median·e^(zσ). */
const Z99 = 2.3263478740408408;

class Constant implements Sampler {
  constructor(private readonly value: number) {}
  sample(): number {
    return this.value;
  }
}

/** By inversion: −mean·ln U, finite because U is never 0. */
class Exponential implements Sampler {
  constructor(
    private readonly mean: number,
    private readonly rng: RandomStream,
  ) {}
  sample(): number {
    return -Math.log(this.rng.next()) * this.mean;
  }
}

class Uniform implements Sampler {
  constructor(
    private readonly min: number,
    private readonly width: number,
    private readonly rng: RandomStream,
  ) {}
  sample(): number {
    return this.min + this.width * this.rng.next();
  }
}

/**
 * Standard normal variates by Marsaglia's polar method, which makes two at a
 * time: the second is kept for the next call.
 */
class StandardNormal {
  private spare = 0;
  private hasSpare = false;
  constructor(private readonly rng: RandomStream) {}
  sample(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.rng.next() - 1;
      v = 2 * this.rng.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }
}

/** Normal(mean, stddev) conditioned on ≥ 0, by resampling (mean > 0: at least half the draws are kept). */
class TruncatedNormal implements Sampler {
  private readonly z: StandardNormal;
  constructor(
    private readonly mean: number,
    private readonly stddev: number,
    rng: RandomStream,
  ) {
    this.z = new StandardNormal(rng);
  }
  sample(): number {
    let x: number;
    do x = this.mean + this.stddev * this.z.sample();
    while (x < 0);
    return x;
  }
}

class Lognormal implements Sampler {
  private readonly z: StandardNormal;
  constructor(
    private readonly mu: number,
    private readonly sigma: number,
    rng: RandomStream,
  ) {
    this.z = new StandardNormal(rng);
  }
  sample(): number {
    return Math.exp(this.mu + this.sigma * this.z.sample());
  }
}

/**
 * Gamma(shape k, scale θ) by Marsaglia and Tsang (2000): a squeeze-accepted
 * transform of a normal variate, for k ≥ 1. For k < 1 it draws Gamma(k + 1)
 * and multiplies by U^(1/k) (their "boost").
 */
class Gamma implements Sampler {
  private readonly z: StandardNormal;
  private readonly d: number;
  private readonly c: number;
  private readonly inverseShape: number;
  constructor(
    shape: number,
    private readonly scale: number,
    private readonly rng: RandomStream,
  ) {
    this.z = new StandardNormal(rng);
    const k = shape < 1 ? shape + 1 : shape;
    this.d = k - 1 / 3;
    this.c = 1 / Math.sqrt(9 * this.d);
    this.inverseShape = shape < 1 ? 1 / shape : 0;
  }
  sample(): number {
    const d = this.d;
    let v: number;
    for (;;) {
      let x: number;
      do {
        x = this.z.sample();
        v = 1 + this.c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.rng.next();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) break;
    }
    const g = d * v;
    return (this.inverseShape === 0 ? g : g * Math.pow(this.rng.next(), this.inverseShape)) * this.scale;
  }
}

/** By inversion: scale·(−ln U)^(1/shape). */
class Weibull implements Sampler {
  private readonly inverseShape: number;
  constructor(
    shape: number,
    private readonly scale: number,
    private readonly rng: RandomStream,
  ) {
    this.inverseShape = 1 / shape;
  }
  sample(): number {
    return this.scale * Math.pow(-Math.log(this.rng.next()), this.inverseShape);
  }
}

/** By inversion: scale·U^(−1/shape), never below scale. */
class Pareto implements Sampler {
  private readonly exponent: number;
  constructor(
    private readonly scale: number,
    shape: number,
    private readonly rng: RandomStream,
  ) {
    this.exponent = -1 / shape;
  }
  sample(): number {
    return this.scale * Math.pow(this.rng.next(), this.exponent);
  }
}

/**
 * Resampling of given values, with weights, by Walker's alias method: one
 * uniform picks a column i (its integer part) and, by its fractional part,
 * either value i or the column's alias. O(1) per draw whatever the count.
 */
class Empirical implements Sampler {
  private readonly values: Float64Array;
  private readonly keep: Float64Array;
  private readonly alias: Int32Array;
  constructor(
    values: readonly number[],
    weights: readonly number[] | undefined,
    private readonly rng: RandomStream,
  ) {
    const n = values.length;
    this.values = Float64Array.from(values);
    this.keep = new Float64Array(n);
    this.alias = new Int32Array(n);
    const total = weights === undefined ? n : weights.reduce((a, b) => a + b, 0);
    // Vose's stable construction: columns below 1 are topped up from columns above.
    const scaled = Float64Array.from(values, (_, i) => ((weights === undefined ? 1 : weights[i]) * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) (scaled[i] < 1 ? small : large).push(i);
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.keep[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    // What is left is 1 up to rounding.
    for (const i of large) this.keep[i] = 1;
    for (const i of small) this.keep[i] = 1;
  }
  sample(): number {
    const n = this.values.length;
    const u = this.rng.next() * n;
    const i = Math.min(n - 1, Math.floor(u));
    return u - i < this.keep[i] ? this.values[i] : this.values[this.alias[i]];
  }
}

/**
 * A Prometheus histogram turned into a distribution: observations are taken
 * as uniform within each bucket (lo, le], which is what `histogram_quantile`
 * assumes, so the sampler's quantiles are the ones Prometheus reports from
 * the same buckets. One uniform, inverted through the piecewise-linear CDF
 * (binary search over the cumulative fractions): no allocation per draw.
 * The first bucket starts at 0 (times are never negative); the open `+Inf`
 * bucket is uniform up to `max` when given, else all at the last finite
 * bound (the clamp `validate` reports).
 */
class Histogram implements Sampler {
  /** Lower and upper bound of each bucket with observations, and the cumulative fraction at its top. */
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly cum: Float64Array;
  constructor(
    buckets: readonly HistogramSegment[],
    private readonly rng: RandomStream,
  ) {
    const n = buckets.length;
    this.lo = Float64Array.from(buckets, (b) => b.lo);
    this.hi = Float64Array.from(buckets, (b) => b.hi);
    this.cum = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += buckets[i].weight;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += buckets[i].weight;
      this.cum[i] = sum / total;
    }
    this.cum[n - 1] = 1;
  }
  sample(): number {
    const u = this.rng.next();
    const cum = this.cum;
    // The first bucket whose cumulative fraction reaches u.
    let a = 0;
    let b = cum.length - 1;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (cum[m] < u) a = m + 1;
      else b = m;
    }
    const below = a === 0 ? 0 : cum[a - 1];
    return this.lo[a] + (this.hi[a] - this.lo[a]) * ((u - below) / (cum[a] - below));
  }
}

/** One bucket of a histogram as the sampler uses it: its range and its observations (not cumulative). */
export interface HistogramSegment {
  lo: number;
  hi: number;
  weight: number;
}

export type HistogramDistribution = Extract<Distribution, { dist: 'histogram' }>;

/**
 * The buckets of a histogram as ranges with their own counts, empty ones
 * left out: (0, le₀], (le₀, le₁], …; the `+Inf` bucket becomes (last, max]
 * or the point `last` without `max`. Its buckets must have been read by the
 * scenario loader when they come from a file.
 */
export function histogramSegments(d: HistogramDistribution): HistogramSegment[] {
  const buckets = d.buckets;
  if (buckets === undefined || buckets.length === 0) {
    throw new Error(`histogram distribution${d.file === undefined ? '' : ` from ${d.file}`} has no buckets (files are read by the scenario loader)`);
  }
  const out: HistogramSegment[] = [];
  let lo = 0;
  let below = 0;
  for (const { le, count } of buckets) {
    const hi = le === Infinity ? (d.max ?? lo) : le;
    if (count > below) out.push({ lo, hi, weight: count - below });
    below = Math.max(below, count);
    lo = hi;
  }
  return out;
}

export type LognormalDistribution = Extract<Distribution, { dist: 'lognormal' }>;
export type EmpiricalDistribution = Extract<Distribution, { dist: 'empirical' }>;

/** μ and σ of ln X, from (median, p99): μ = ln median, σ = ln(p99/median)/z₀.₉₉; or from (mean, stddev): σ² = ln(1 + s²/m²), μ = ln m − σ²/2. */
export function lognormalParameters(d: LognormalDistribution): { mu: number; sigma: number } {
  if (d.median !== undefined) return { mu: Math.log(d.median), sigma: Math.log(d.p99 / d.median) / Z99 };
  const sigma2 = Math.log1p((d.stddev * d.stddev) / (d.mean * d.mean));
  return { mu: Math.log(d.mean) - sigma2 / 2, sigma: Math.sqrt(sigma2) };
}

/** The values of an empirical distribution; its file must have been read by the scenario loader. */
export function empiricalValues(d: EmpiricalDistribution): number[] {
  if (d.values === undefined || d.values.length === 0) {
    throw new Error(`empirical distribution${d.file === undefined ? '' : ` from ${d.file}`} has no values (files are read by the scenario loader)`);
  }
  return d.values;
}

function check(condition: boolean, d: Distribution, what: string): void {
  if (!condition) throw new RangeError(`${d.dist} distribution ${JSON.stringify(d)}: ${what}`);
}

/**
 * A sampler of `d` drawing from `rng`. The parameters are checked once (the
 * scenario schema already did; this guards distributions built in code):
 * a bad one throws a RangeError rather than looping or drawing negative times.
 */
export function createSampler(d: Distribution, rng: RandomStream): Sampler {
  switch (d.dist) {
    case 'constant':
      check(d.value >= 0, d, 'value must be ≥ 0');
      return new Constant(d.value);
    case 'exponential':
      check(d.mean > 0, d, 'mean must be > 0');
      return new Exponential(d.mean, rng);
    case 'uniform':
      check(d.min >= 0 && d.max >= d.min, d, 'needs 0 ≤ min ≤ max');
      return new Uniform(d.min, d.max - d.min, rng);
    case 'normal':
      check(d.mean > 0 && d.stddev >= 0, d, 'needs mean > 0 and stddev ≥ 0');
      return d.stddev === 0 ? new Constant(d.mean) : new TruncatedNormal(d.mean, d.stddev, rng);
    case 'lognormal': {
      const { mu, sigma } = lognormalParameters(d);
      check(Number.isFinite(mu) && sigma >= 0, d, 'needs 0 < median < p99, or mean > 0 and stddev ≥ 0');
      return new Lognormal(mu, sigma, rng);
    }
    case 'gamma': {
      check(d.mean > 0 && d.cv > 0, d, 'needs mean > 0 and cv > 0');
      const shape = 1 / (d.cv * d.cv);
      return new Gamma(shape, d.mean / shape, rng);
    }
    case 'weibull':
      check(d.shape > 0 && d.scale > 0, d, 'needs shape > 0 and scale > 0');
      return new Weibull(d.shape, d.scale, rng);
    case 'pareto':
      check(d.shape > 0 && d.scale > 0, d, 'needs shape > 0 and scale > 0');
      return new Pareto(d.scale, d.shape, rng);
    case 'empirical': {
      const values = empiricalValues(d);
      check(values.every((v) => v >= 0), d, 'values must be ≥ 0');
      check(d.weights === undefined || (d.weights.length === values.length && d.weights.every((w) => w >= 0) && d.weights.some((w) => w > 0)), d, 'needs one weight ≥ 0 per value, not all 0');
      return new Empirical(values, d.weights, rng);
    }
    case 'histogram': {
      const segments = histogramSegments(d);
      check(segments.length > 0 && segments.every((b) => b.lo >= 0 && b.hi >= b.lo && b.weight > 0), d, 'needs cumulative counts, increasing bounds ≥ 0 and some observations');
      return new Histogram(segments, rng);
    }
  }
}
