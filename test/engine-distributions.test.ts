import { describe, expect, it } from 'vitest';
import { createSampler } from '../src/engine/distributions.js';
import { distributionMean, distributionSecondMoment } from '../src/scenario/moments.js';
import { deriveStream } from '../src/engine/random.js';
import type { Distribution } from '../src/scenario/units.js';

const N = 200_000;

/** N draws of `d` from a fixed stream. */
function draw(d: Distribution, n = N, source = 'samples'): Float64Array {
  const sampler = createSampler(d, deriveStream(2024, source, 0));
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = sampler.sample();
  return xs;
}

/** Sample mean, variance (n − 1) and fourth central moment. */
function moments(xs: Float64Array): { mean: number; variance: number; m4: number } {
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / xs.length;
  let s2 = 0;
  let s4 = 0;
  for (const x of xs) {
    const d2 = (x - mean) ** 2;
    s2 += d2;
    s4 += d2 * d2;
  }
  return { mean, variance: s2 / (xs.length - 1), m4: s4 / xs.length };
}

/** The share of xs at or below x. */
function fractionBelow(xs: Float64Array, x: number): number {
  let k = 0;
  for (const v of xs) if (v <= x) k++;
  return k / xs.length;
}

// Distributions whose four moments are finite, so that the standard errors below exist.
const cases: [string, Distribution][] = [
  ['exponential', { dist: 'exponential', mean: 0.01 }],
  ['uniform', { dist: 'uniform', min: 0.002, max: 0.005 }],
  ['normal, barely truncated', { dist: 'normal', mean: 0.01, stddev: 0.002 }],
  ['normal, heavily truncated (mean below stddev)', { dist: 'normal', mean: 0.001, stddev: 0.002 }],
  ['lognormal from median and p99', { dist: 'lognormal', median: 0.001, p99: 0.004 }],
  ['lognormal from mean and stddev', { dist: 'lognormal', mean: 0.02, stddev: 0.005 }],
  ['gamma with cv 0.5 (shape 4)', { dist: 'gamma', mean: 0.012, cv: 0.5 }],
  ['gamma with cv 1.5 (shape < 1, boosted)', { dist: 'gamma', mean: 0.012, cv: 1.5 }],
  ['weibull with shape 0.8', { dist: 'weibull', shape: 0.8, scale: 0.01 }],
  ['weibull with shape 2', { dist: 'weibull', shape: 2, scale: 0.01 }],
  ['pareto with shape 5', { dist: 'pareto', scale: 0.001, shape: 5 }],
  ['empirical, equal weights', { dist: 'empirical', values: [0.001, 0.002, 0.01] }],
  ['empirical, weighted', { dist: 'empirical', values: [0.001, 0.002, 0.01, 0.5], weights: [5, 3, 1.5, 0.5] }],
];

describe('samplers', () => {
  it.each(cases)('%s: the sample mean is the exact mean within 4 standard errors', (_, d) => {
    const mean = distributionMean(d);
    const sd = Math.sqrt(distributionSecondMoment(d) - mean * mean);
    const m = moments(draw(d));
    expect(Math.abs(m.mean - mean)).toBeLessThan(4 * (sd / Math.sqrt(N)));
  });

  it.each(cases)('%s: the sample variance is the exact variance within 4 standard errors', (_, d) => {
    const mean = distributionMean(d);
    const variance = distributionSecondMoment(d) - mean * mean;
    const m = moments(draw(d));
    // Var(s²) ≈ (μ₄ − σ⁴)/n, with μ₄ estimated from the sample.
    const standardError = Math.sqrt((m.m4 - m.variance ** 2) / N);
    expect(Math.abs(m.variance - variance)).toBeLessThan(4 * standardError);
  });

  it.each(cases)('%s: every sample is finite and ≥ 0', (_, d) => {
    const xs = draw(d, 50_000);
    expect(xs.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
  });

  it('a constant always draws its value', () => {
    expect(draw({ dist: 'constant', value: 0.25 }, 100).every((x) => x === 0.25)).toBe(true);
  });

  it('a normal truncated at 0 never draws a negative time, even with mean far below stddev', () => {
    const xs = draw({ dist: 'normal', mean: 0.0001, stddev: 0.01 });
    expect(xs.reduce((a, b) => Math.min(a, b), Infinity)).toBeGreaterThanOrEqual(0);
  });

  it('a lognormal given by median and p99 draws half below the median and 99% below the p99 (binomial 4 SE)', () => {
    const xs = draw({ dist: 'lognormal', median: 0.05e-3, p99: 0.2e-3 });
    expect(Math.abs(fractionBelow(xs, 0.05e-3) - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / N));
    expect(Math.abs(fractionBelow(xs, 0.2e-3) - 0.99)).toBeLessThan(4 * Math.sqrt((0.99 * 0.01) / N));
  });

  it('a gamma with cv 1 is the exponential: P(S ≤ mean) = 1 − 1/e (binomial 4 SE)', () => {
    const xs = draw({ dist: 'gamma', mean: 0.01, cv: 1 });
    const p = 1 - Math.exp(-1);
    expect(Math.abs(fractionBelow(xs, 0.01) - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / N));
  });

  it('a heavy-tailed pareto (shape 1.2) has P(S > x) = (scale/x)^shape (binomial 4 SE), never below its scale', () => {
    const xs = draw({ dist: 'pareto', scale: 0.001, shape: 1.2 });
    expect(xs.reduce((a, b) => Math.min(a, b), Infinity)).toBeGreaterThanOrEqual(0.001);
    for (const x of [0.002, 0.01, 0.1]) {
      const tail = (0.001 / x) ** 1.2;
      expect(Math.abs(1 - fractionBelow(xs, x) - tail)).toBeLessThan(4 * Math.sqrt((tail * (1 - tail)) / N));
    }
  });

  it('an empirical distribution draws each value with its weight (binomial 4 SE)', () => {
    const values = [0.001, 0.002, 0.003, 0.004, 0.005];
    const weights = [1, 0, 2, 3, 4];
    const xs = draw({ dist: 'empirical', values, weights });
    values.forEach((v, i) => {
      const p = weights[i] / 10;
      const share = xs.filter((x) => x === v).length / N;
      expect(Math.abs(share - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / N));
    });
  });

  it('draw the same numbers from the same stream, and different numbers from another', () => {
    const d: Distribution = { dist: 'gamma', mean: 0.01, cv: 0.7 };
    expect(draw(d, 1000)).toEqual(draw(d, 1000));
    expect(draw(d, 1000, 'other')).not.toEqual(draw(d, 1000));
  });

  it('refuse parameters that would loop forever or draw negative times', () => {
    const rng = deriveStream(1, 'bad', 0);
    expect(() => createSampler({ dist: 'normal', mean: -1, stddev: 1 }, rng)).toThrow(RangeError);
    expect(() => createSampler({ dist: 'uniform', min: 2, max: 1 }, rng)).toThrow(RangeError);
    expect(() => createSampler({ dist: 'empirical', values: [1], weights: [0] }, rng)).toThrow(RangeError);
    expect(() => createSampler({ dist: 'empirical', file: 'x.csv' }, rng)).toThrow(/x\.csv has no values/);
  });
});

describe('exact moments', () => {
  it('follow the textbook formulas', () => {
    expect(distributionMean({ dist: 'exponential', mean: 2 })).toBe(2);
    expect(distributionSecondMoment({ dist: 'exponential', mean: 2 })).toBe(8);
    expect(distributionSecondMoment({ dist: 'constant', value: 3 })).toBe(9);
    expect(distributionSecondMoment({ dist: 'uniform', min: 0, max: 3 })).toBeCloseTo(3, 14);
    expect(distributionSecondMoment({ dist: 'gamma', mean: 2, cv: 0.5 })).toBeCloseTo(5, 14);
    expect(distributionMean({ dist: 'weibull', shape: 1, scale: 3 })).toBeCloseTo(3, 12);
    expect(distributionMean({ dist: 'weibull', shape: 2, scale: 1 })).toBeCloseTo(Math.sqrt(Math.PI) / 2, 12);
    expect(distributionMean({ dist: 'pareto', scale: 1, shape: 3 })).toBe(1.5);
    expect(distributionSecondMoment({ dist: 'pareto', scale: 1, shape: 3 })).toBe(3);
    expect(distributionMean({ dist: 'lognormal', mean: 0.02, stddev: 0.005 })).toBeCloseTo(0.02, 15);
    expect(distributionSecondMoment({ dist: 'lognormal', mean: 0.02, stddev: 0.005 })).toBeCloseTo(0.02 ** 2 + 0.005 ** 2, 15);
    expect(distributionMean({ dist: 'empirical', values: [1, 3], weights: [3, 1] })).toBe(1.5);
  });

  it('are infinite for a pareto whose tail is too heavy', () => {
    expect(distributionMean({ dist: 'pareto', scale: 1, shape: 1 })).toBe(Infinity);
    expect(distributionSecondMoment({ dist: 'pareto', scale: 1, shape: 2 })).toBe(Infinity);
  });

  it('of a normal are those of the truncated normal actually drawn (the half-normal for mean → 0)', () => {
    // Truncation at 0 of N(m, s) with m ≪ s tends to the half-normal: mean s·√(2/π), E[X²] = s².
    const halfNormal = { dist: 'normal' as const, mean: 1e-12, stddev: 1 };
    expect(distributionMean(halfNormal)).toBeCloseTo(Math.sqrt(2 / Math.PI), 10);
    expect(distributionSecondMoment(halfNormal)).toBeCloseTo(1, 10);
    // Far from 0 the truncation does not matter.
    expect(distributionMean({ dist: 'normal', mean: 10, stddev: 1 })).toBeCloseTo(10, 12);
  });
});
