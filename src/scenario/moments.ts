/**
 * The exact moments of what the engine's samplers (engine/distributions.ts)
 * draw, the normal truncated at 0 included: for the M/G/1 and
 * Pollaczek–Khinchine checks of the simulator, and for estimates of offered
 * load from a scenario.
 */
import { empiricalValues, histogramSegments, lognormalParameters, type Distribution, type EmpiricalDistribution, type HistogramDistribution } from '../engine/distributions.js';
import { gammaFunction } from '../stats/logGamma.js';
import { normalCdf, normalPdf } from '../stats/normal.js';

/** Σ wᵢ·f(vᵢ) / Σ wᵢ over an empirical distribution's values. */
function empiricalAverage(d: EmpiricalDistribution, f: (v: number) => number): number {
  const values = empiricalValues(d);
  let weighted = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const w = d.weights === undefined ? 1 : d.weights[i];
    weighted += w * f(values[i]);
    total += w;
  }
  return weighted / total;
}

/** Σ wᵢ·∫f over bucket i / Σ wᵢ, with ∫ the mean of f over the uniform range of each bucket (given in closed form by `f`). */
function histogramAverage(d: HistogramDistribution, f: (lo: number, hi: number) => number): number {
  let weighted = 0;
  let total = 0;
  for (const b of histogramSegments(d)) {
    weighted += b.weight * f(b.lo, b.hi);
    total += b.weight;
  }
  return weighted / total;
}

/**
 * For a normal(m, s) truncated below at 0, λ = φ(m/s)/Φ(m/s), the inverse Mills
 * ratio: E[X] = m + sλ and E[X²] = m² + s² + msλ.
 */
function truncatedNormalLambda(mean: number, stddev: number): number {
  return normalPdf(mean / stddev) / normalCdf(mean / stddev);
}

/** The exact mean of what the sampler of `d` draws; Infinity for a Pareto with shape ≤ 1. */
export function distributionMean(d: Distribution): number {
  switch (d.dist) {
    case 'constant':
      return d.value;
    case 'exponential':
      return d.mean;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'normal':
      return d.stddev === 0 ? d.mean : d.mean + d.stddev * truncatedNormalLambda(d.mean, d.stddev);
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
    case 'empirical':
      return empiricalAverage(d, (v) => v);
    case 'histogram':
      return histogramAverage(d, (lo, hi) => (lo + hi) / 2);
  }
}

/** The exact second moment E[S²] of what the sampler of `d` draws (for M/G/1); Infinity for a Pareto with shape ≤ 2. */
export function distributionSecondMoment(d: Distribution): number {
  switch (d.dist) {
    case 'constant':
      return d.value * d.value;
    case 'exponential':
      return 2 * d.mean * d.mean;
    case 'uniform':
      return (d.min * d.min + d.min * d.max + d.max * d.max) / 3;
    case 'normal': {
      const m = d.mean;
      const s = d.stddev;
      return s === 0 ? m * m : m * m + s * s + m * s * truncatedNormalLambda(m, s);
    }
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
    case 'empirical':
      return empiricalAverage(d, (v) => v * v);
    case 'histogram':
      return histogramAverage(d, (lo, hi) => (lo * lo + lo * hi + hi * hi) / 3);
  }
}
