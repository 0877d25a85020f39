import { describe, expect, it } from 'vitest';
import { deriveStream } from '../src/engine/random.js';
import { pairedDiff } from '../src/stats/pairedDiff.js';
import { summarize } from '../src/stats/summarize.js';

/** n standard normal draws (Box–Muller) from a fixed stream. */
function normals(n: number, source: string, replication = 0): number[] {
  const rng = deriveStream(17, source, replication);
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(rng.next())) * Math.cos(2 * Math.PI * rng.next()));
}

describe('summaries over replications', () => {
  it('give the mean, sample standard deviation and Student-t interval', () => {
    const s = summarize([1, 2, 3, 4, 5]);
    expect(s.n).toBe(5);
    expect(s.mean).toBe(3);
    expect(s.stddev).toBeCloseTo(Math.sqrt(2.5), 14);
    const half = (2.7764451051977987 * Math.sqrt(2.5)) / Math.sqrt(5);
    expect(s.ciHalfWidth).toBeCloseTo(half, 12);
    expect(s.ciLow).toBeCloseTo(3 - half, 12);
    expect(s.ciHigh).toBeCloseTo(3 + half, 12);
    expect([s.min, s.max]).toEqual([1, 5]);
  });

  it('use the requested confidence level', () => {
    const s = summarize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.99);
    expect(s.ciHalfWidth).toBeCloseTo((3.169272672616951 * s.stddev!) / Math.sqrt(11), 12);
  });

  it('leave undefined what n cannot define: everything for n = 0, the spread for n = 1', () => {
    expect(summarize([])).toEqual({ n: 0, mean: undefined, stddev: undefined, ciLow: undefined, ciHigh: undefined, ciHalfWidth: undefined, min: undefined, max: undefined });
    expect(summarize([4])).toEqual({ n: 1, mean: 4, stddev: undefined, ciLow: undefined, ciHigh: undefined, ciHalfWidth: undefined, min: 4, max: 4 });
  });

  it('leave out replications where the metric is undefined, and count the rest', () => {
    expect(summarize([1, Number.NaN, undefined, 3, Infinity])).toMatchObject({ n: 2, mean: 2, min: 1, max: 3 });
  });

  it('give a zero-width interval when every replication agrees', () => {
    expect(summarize([2, 2, 2])).toMatchObject({ stddev: 0, ciHalfWidth: 0, ciLow: 2, ciHigh: 2 });
  });

  it('sum plainly left to right in the given order, so the result is reproducible bit for bit', () => {
    // (1e16 + 1) rounds to 1e16 before −1e16 is added: plain summation, as documented.
    expect(summarize([1e16, 1, -1e16]).mean).toBe(0);
    expect(summarize([1, 1e16, -1e16]).mean).toBe(0);
  });

  it('cover the true mean with their nominal probability (2000 intervals of 10 normal draws, binomial 4 SE)', () => {
    const trials = 2000;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const s = summarize(normals(10, 'coverage', t).map((z) => 5 + 2 * z));
      if (s.ciLow! <= 5 && 5 <= s.ciHigh!) covered++;
    }
    expect(Math.abs(covered / trials - 0.95)).toBeLessThan(4 * Math.sqrt((0.95 * 0.05) / trials));
  });

  it('refuse a confidence level outside (0, 1)', () => {
    expect(() => summarize([1, 2], 95)).toThrow(RangeError);
  });
});

describe('paired differences', () => {
  it('are v_r − b_r by replication, summarized like any metric', () => {
    const d = pairedDiff([3, 5, 9], [1, 2, 4]);
    expect(d.differences).toEqual([2, 3, 5]);
    expect(d.n).toBe(3);
    expect(d.mean).toBeCloseTo(10 / 3, 14);
    expect(d.ciHalfWidth).toBeCloseTo((4.302652729749464 * d.stddev!) / Math.sqrt(3), 12);
  });

  it('skip a replication where either side is undefined', () => {
    const d = pairedDiff([3, Number.NaN, 9, 4], [1, 2, undefined, 1]);
    expect(d.differences).toEqual([2, NaN, NaN, 3]);
    expect(d.n).toBe(2);
    expect(d.mean).toBe(2.5);
  });

  it('are far tighter than the two intervals when the variants share their random numbers', () => {
    const common = normals(20, 'crn');
    const baseline = common.map((z) => 100 + 10 * z);
    const variant = common.map((z, r) => 103 + 10 * z + 0.5 * normals(20, 'crn-noise')[r]);
    const paired = pairedDiff(variant, baseline);
    expect(paired.ciHalfWidth!).toBeLessThan(summarize(variant).ciHalfWidth! / 5);
    expect(paired.ciLow!).toBeGreaterThan(0);
  });

  it('need one value per replication on both sides', () => {
    expect(() => pairedDiff([1, 2], [1])).toThrow(RangeError);
  });
});
