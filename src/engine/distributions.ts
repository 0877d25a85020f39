/**
 * Samplers: a Distribution of the scenario bound to one random stream. A
 * sampler is built once (parameters converted, tables prepared) and then
 * draws without allocating. Samples are never negative: the normal is
 * truncated at 0 by resampling, the others are non-negative by construction.
 */
import type { Distribution } from '../scenario/units.js';
import type { RandomStream } from './random.js';

export interface Sampler {
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

/** Standard normal by the polar method, caching the second value. */
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
    if (this.stddev === 0) return Math.max(0, this.mean);
    for (let i = 0; i < 1000; i++) {
      const x = this.mean + this.stddev * this.z.sample();
      if (x >= 0) return x;
    }
    return 0; // mean far below 0: practically all mass is cut
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

/** Gamma(shape k, scale θ) by Marsaglia–Tsang; k < 1 via the boost U^(1/k). */
class Gamma implements Sampler {
  private readonly z: StandardNormal;
  private readonly d: number;
  private readonly c: number;
  private readonly boost: boolean;
  constructor(
    private readonly shape: number,
    private readonly scale: number,
    private readonly rng: RandomStream,
  ) {
    this.z = new StandardNormal(rng);
    this.boost = shape < 1;
    const k = this.boost ? shape + 1 : shape;
    this.d = k - 1 / 3;
    this.c = 1 / Math.sqrt(9 * this.d);
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
      if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) break;
    }
    let g = d * v;
    if (this.boost) g *= Math.pow(this.rng.next(), 1 / this.shape);
    return g * this.scale;
  }
}

class Weibull implements Sampler {
  constructor(
    private readonly shape: number,
    private readonly scale: number,
    private readonly rng: RandomStream,
  ) {}
  sample(): number {
    return this.scale * Math.pow(-Math.log(this.rng.next()), 1 / this.shape);
  }
}

class Pareto implements Sampler {
  constructor(
    private readonly scale: number,
    private readonly shape: number,
    private readonly rng: RandomStream,
  ) {}
  sample(): number {
    return this.scale * Math.pow(this.rng.next(), -1 / this.shape);
  }
}

/** Resampling of given values with weights: Walker's alias method (O(1) per draw). */
class Empirical implements Sampler {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;
  constructor(
    private readonly values: Float64Array,
    weights: number[] | undefined,
    private readonly rng: RandomStream,
  ) {
    const n = values.length;
    const w = weights ?? new Array<number>(n).fill(1);
    const total = w.reduce((a, b) => a + b, 0);
    const scaled = w.map((x) => (x * n) / total);
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) {
      this.prob[i] = 1;
      this.alias[i] = i;
    }
  }
  sample(): number {
    const n = this.values.length;
    const u = this.rng.next() * n;
    const i = Math.min(n - 1, Math.floor(u));
    return u - i < this.prob[i] ? this.values[i] : this.values[this.alias[i]];
  }
}

/** Lognormal μ and σ from either (median, p99) or (mean, stddev). */
function lognormalParameters(d: Extract<Distribution, { dist: 'lognormal' }>): { mu: number; sigma: number } {
  if (d.median !== undefined && d.p99 !== undefined) return { mu: Math.log(d.median), sigma: Math.log(d.p99 / d.median) / Z99 };
  const m = d.mean!;
  const s = d.stddev!;
  const sigma2 = Math.log(1 + (s * s) / (m * m));
  return { mu: Math.log(m) - sigma2 / 2, sigma: Math.sqrt(sigma2) };
}

export function createSampler(d: Distribution, rng: RandomStream): Sampler {
  switch (d.dist) {
    case 'constant':
      return new Constant(Math.max(0, d.value));
    case 'exponential':
      return new Exponential(d.mean, rng);
    case 'uniform':
      return new Uniform(d.min, d.max - d.min, rng);
    case 'normal':
      return new TruncatedNormal(d.mean, d.stddev, rng);
    case 'lognormal': {
      const { mu, sigma } = lognormalParameters(d);
      return new Lognormal(mu, sigma, rng);
    }
    case 'gamma': {
      const k = 1 / (d.cv * d.cv);
      return new Gamma(k, d.mean / k, rng);
    }
    case 'weibull':
      return new Weibull(d.shape, d.scale, rng);
    case 'pareto':
      return new Pareto(d.scale, d.shape, rng);
    case 'empirical': {
      if (!d.values || d.values.length === 0) throw new Error(`empirical distribution${d.file ? ` from ${d.file}` : ''} has no values (files are read by the scenario loader)`);
      return new Empirical(Float64Array.from(d.values), d.weights, rng);
    }
  }
}

/** The exact mean (of the untruncated distribution for `normal`); Infinity for a Pareto with shape ≤ 1. */
export function distributionMean(d: Distribution): number {
  switch (d.dist) {
    case 'constant':
      return d.value;
    case 'exponential':
      return d.mean;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'normal':
      return d.mean;
    case 'lognormal': {
      const { mu, sigma } = lognormalParameters(d);
      return Math.exp(mu + (sigma * sigma) / 2);
    }
    case 'gamma':
      return d.mean;
    case 'weibull':
      return d.scale * gammaFunction(1 + 1 / d.shape);
    case 'pareto':
      return d.shape > 1 ? (d.shape * d.scale) / (d.shape - 1) : Infinity;
    case 'empirical': {
      const v = d.values ?? [];
      const w = d.weights ?? v.map(() => 1);
      const total = w.reduce((a, b) => a + b, 0);
      return v.reduce((acc, x, i) => acc + x * w[i], 0) / total;
    }
  }
}

/** E[S²] (for the M/G/1 formula). */
export function distributionSecondMoment(d: Distribution): number {
  switch (d.dist) {
    case 'constant':
      return d.value * d.value;
    case 'exponential':
      return 2 * d.mean * d.mean;
    case 'uniform':
      return (d.min * d.min + d.min * d.max + d.max * d.max) / 3;
    case 'normal':
      return d.mean * d.mean + d.stddev * d.stddev;
    case 'lognormal': {
      const { mu, sigma } = lognormalParameters(d);
      return Math.exp(2 * mu + 2 * sigma * sigma);
    }
    case 'gamma':
      return d.mean * d.mean * (1 + d.cv * d.cv);
    case 'weibull':
      return d.scale * d.scale * gammaFunction(1 + 2 / d.shape);
    case 'pareto':
      return d.shape > 2 ? (d.shape * d.scale * d.scale) / (d.shape - 2) : Infinity;
    case 'empirical': {
      const v = d.values ?? [];
      const w = d.weights ?? v.map(() => 1);
      const total = w.reduce((a, b) => a + b, 0);
      return v.reduce((acc, x, i) => acc + x * x * w[i], 0) / total;
    }
  }
}

/** Γ(x) by the Lanczos approximation (g = 7), accurate to ~1e-13 for x > 0. */
export function gammaFunction(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gammaFunction(1 - x));
  x -= 1;
  let a = c[0];
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (x + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
}
