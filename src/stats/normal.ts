import { regularizedGammaP, regularizedGammaQ } from './incompleteGamma.js';

/**
 * The standard normal distribution: density φ and cumulative distribution Φ.
 *
 * Φ comes from the complementary error function, erfc(y) = Q(½, y²) for y ≥ 0,
 * so both tails keep full relative accuracy (Φ(−8) ≈ 6.2e-16 is not rounded to 0).
 */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** erfc(y) = 1 − erf(y). */
export function erfc(y: number): number {
  return y >= 0 ? regularizedGammaQ(0.5, y * y) : 1 + regularizedGammaP(0.5, y * y);
}

export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}
