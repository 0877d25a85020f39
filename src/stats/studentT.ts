import { regularizedBeta } from './incompleteBeta.js';
import { logGamma } from './logGamma.js';
import { normalQuantile } from './normal.js';

/**
 * The Student-t distribution with `df` degrees of freedom (df > 0, not
 * necessarily an integer): the distribution of (mean − μ)/(s/√n) for n normal
 * samples with df = n − 1, hence the width of confidence intervals over replications.
 *
 * Tails are computed directly, P(T > t) = ½·I_{df/(df+t²)}(df/2, ½), so that
 * quantiles far out (p = 0.9995 with df = 1 is 636.6) keep full accuracy.
 */

/** P(T > t) for t ≥ 0. */
function upperTail(t: number, df: number): number {
  return 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/** The density of T at t. */
export function tPdf(t: number, df: number): number {
  const logNorm = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(logNorm - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** P(T ≤ t). */
export function tCdf(t: number, df: number): number {
  return t >= 0 ? 1 - upperTail(t, df) : upperTail(-t, df);
}

/**
 * Beyond this many degrees of freedom the Cornish–Fisher expansion around the
 * normal quantile is exact to double precision (its first omitted term is
 * O(df⁻⁵)), while ln Γ differences inside the incomplete beta would lose
 * digits to cancellation (ln Γ(5e8) ≈ 1e10).
 */
const LARGE_DF = 1e5;

/** Abramowitz & Stegun 26.7.5: the t quantile as a series in 1/df around z = Φ⁻¹(p). */
function cornishFisher(p: number, df: number): number {
  const z = normalQuantile(p);
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

/**
 * The p-quantile of T: the t with P(T ≤ t) = p, for 0 < p < 1 and df > 0.
 * E.g. tQuantile(0.975, 9) = 2.262157. Safeguarded Newton iteration on the
 * upper tail (bisection whenever a Newton step leaves the bracket); converges
 * to about 1e-12 relative. df = Infinity gives the normal quantile.
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tQuantile needs 0 < p < 1, got ${p}`);
  if (!(df > 0)) throw new RangeError(`tQuantile needs df > 0, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  if (df > LARGE_DF) return cornishFisher(p, df);
  const target = 1 - p; // the upper tail we want
  let low = 0;
  let high = 1;
  while (upperTail(high, df) > target) {
    low = high;
    high *= 2;
  }
  let t = (low + high) / 2;
  for (let i = 0; i < 200; i++) {
    const excess = upperTail(t, df) - target; // > 0 means t is too small
    if (excess > 0) low = t;
    else high = t;
    let next = t + excess / tPdf(t, df);
    if (!(next > low && next < high)) next = (low + high) / 2;
    if (Math.abs(next - t) <= 1e-14 * Math.max(1, t)) return next;
    t = next;
  }
  return t;
}
