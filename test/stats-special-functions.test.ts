import { describe, expect, it } from 'vitest';
import { erfc, gammaFunction, logGamma, normalCdf, normalQuantile, regularizedBeta, regularizedGammaP, regularizedGammaQ, tCdf, tQuantile } from '../src/stats/index.js';

// Reference values from R (qt, pnorm, pgamma, pbeta, lgamma) to 15 digits.
describe('special functions', () => {
  it('ln Γ matches known values to 1e-13 relative', () => {
    expect(logGamma(100)).toBeCloseTo(359.1342053695754, 11);
    expect(gammaFunction(5)).toBeCloseTo(24, 12);
    expect(gammaFunction(0.5)).toBeCloseTo(Math.sqrt(Math.PI), 13);
    expect(gammaFunction(1.5)).toBeCloseTo(Math.sqrt(Math.PI) / 2, 13);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 13);
  });

  it('the normal CDF keeps relative accuracy deep in the tails', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.96)).toBeCloseTo(0.97500210485177952, 15);
    expect(normalCdf(-3) / 0.0013498980316300946 - 1).toBeLessThan(1e-13);
    expect(Math.abs(normalCdf(-8) / 6.220960574271784e-16 - 1)).toBeLessThan(1e-12);
    expect(erfc(1)).toBeCloseTo(0.15729920705028513, 14);
  });

  it('the normal quantile inverts the CDF', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 14);
    expect(normalQuantile(0.5)).toBe(0);
    for (const p of [1e-12, 1e-5, 0.01, 0.3, 0.7, 0.999, 1 - 1e-9]) {
      const x = normalQuantile(p);
      const back = x < 0 ? normalCdf(x) / p : (1 - normalCdf(x)) / (1 - p);
      expect(Math.abs(back - 1)).toBeLessThan(1e-8);
    }
  });

  it('the regularized incomplete gamma functions match R pgamma', () => {
    expect(regularizedGammaP(2, 1)).toBeCloseTo(0.26424111765711533, 14);
    expect(regularizedGammaQ(3, 10)).toBeCloseTo(0.0027693957155115775, 15);
    expect(regularizedGammaP(0.5, 0)).toBe(0);
  });

  it('the regularized incomplete beta function matches R pbeta', () => {
    expect(regularizedBeta(0.3, 2, 5)).toBeCloseTo(0.579825, 12);
    expect(regularizedBeta(0.9, 0.5, 0.5)).toBeCloseTo(0.7951672353008665, 13);
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
  });
});

describe('Student t quantile', () => {
  it.each([
    [0.975, 1, 12.706204736174698],
    [0.975, 2, 4.302652729749464],
    [0.975, 9, 2.262157162798205],
    [0.975, 19, 2.093024054408307],
    [0.975, 30, 2.042272456301238],
    [0.995, 10, 3.169272672616951],
    [0.9995, 1, 636.6192487687196],
    [0.95, 4, 2.131846786326649],
    [0.6, 3, 0.2766706623326898],
  ])('t(%f, %i) is the tabulated value to 1e-9', (p, df, expected) => {
    expect(Math.abs(tQuantile(p, df) - expected)).toBeLessThan(1e-9 * Math.max(1, expected));
  });

  it('is symmetric: t(1 − p) = −t(p), and t(0.5) = 0', () => {
    expect(tQuantile(0.025, 7)).toBeCloseTo(-tQuantile(0.975, 7), 14);
    expect(tQuantile(0.5, 3)).toBe(0);
  });

  it('approaches the normal quantile 1.959964 as df grows, continuously across the large-df switch', () => {
    expect(tQuantile(0.975, 1e6)).toBeCloseTo(1.9599663568, 9);
    expect(tQuantile(0.975, 1e12)).toBeCloseTo(1.959963984540054, 10);
    expect(tQuantile(0.975, Infinity)).toBeCloseTo(1.959963984540054, 14);
    expect(Math.abs(tQuantile(0.975, 99_999.999) - tQuantile(0.975, 100_000.001))).toBeLessThan(1e-10);
  });

  it('is the inverse of the t CDF, including non-integer df', () => {
    for (const df of [0.7, 1, 2.5, 13, 400]) {
      for (const p of [0.001, 0.2, 0.9, 0.99999]) expect(tCdf(tQuantile(p, df), df)).toBeCloseTo(p, 12);
    }
  });

  it('rejects p outside (0, 1) and df ≤ 0', () => {
    expect(() => tQuantile(1, 3)).toThrow(RangeError);
    expect(() => tQuantile(0.5, 0)).toThrow(RangeError);
  });
});
