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

// Acklam's rational approximations (relative error 1.15e-9), refined below.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

function acklam(p: number): number {
  if (p < P_LOW || p > 1 - P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p < P_LOW ? p : 1 - p));
    const x =
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
    return p < P_LOW ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

/**
 * The standard normal p-quantile Φ⁻¹(p), 0 < p < 1: Acklam's approximation
 * polished by one Halley step on Φ, which brings it to about 1e-15 relative.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const x = acklam(p);
  // Work on the smaller tail so that the residual keeps its relative accuracy.
  const residual = x <= 0 ? normalCdf(x) - p : 1 - p - normalCdf(-x);
  const u = residual * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
