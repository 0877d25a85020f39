import { describe, expect, it } from 'vitest';
import { deriveStream } from '../src/engine/random.js';
import { mser5 } from '../src/stats/mser5.js';

/** n independent standard normal points (Box–Muller) from stream `seed`. */
function noise(seed: number, n: number): number[] {
  const rng = deriveStream(seed, 'mser5-noise', 0);
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(rng.next())) * Math.cos(2 * Math.PI * rng.next()));
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('MSER-5 warm-up truncation', () => {
  it('cuts a decaying transient (10·e^(−t/50) plus unit noise) where it has sunk into the noise, for 20 seeds', () => {
    for (const seed of SEEDS) {
      const series = noise(seed, 1000).map((e, t) => 10 * Math.exp(-t / 50) + e);
      const { truncationIndex, truncationBatches } = mser5(series);
      expect(truncationIndex).toBe(5 * truncationBatches);
      // At t = 100 the transient is still 1.35, three times the 0.45 noise of a batch mean; by t = 300 it is 0.025.
      expect(truncationIndex).toBeGreaterThanOrEqual(100);
      expect(truncationIndex).toBeLessThanOrEqual(300);
    }
  });

  it('cuts nothing from most stationary series, and little on average (20 seeds)', () => {
    // On i.i.d. noise the truncation is 0 in most runs, with a thin tail of chance cuts
    // (over 400 seeds here: mean 4.5 points of 1000, 90th percentile 15, 99th 70).
    const cuts = SEEDS.map((seed) => mser5(noise(seed, 1000)).truncationIndex).sort((a, b) => a - b);
    expect(cuts[cuts.length / 2]).toBe(0);
    expect(cuts.reduce((a, b) => a + b, 0) / cuts.length).toBeLessThanOrEqual(20);
  });

  it('cuts exactly a level shift that ends on a batch boundary', () => {
    const series = noise(3, 500).map((e, t) => (t < 50 ? 100 : 0) + e);
    expect(mser5(series).truncationIndex).toBe(50);
  });

  it('computes the statistic as Σ(Z_j − Z̄)² / (k − d)² over the batch means kept', () => {
    // Batch means 10, 1, 3, 1, 3, 1, 3, 1 (k = 8, d searched in 0..3): d = 1 keeps seven with mean 13/7.
    const means = [10, 1, 3, 1, 3, 1, 3, 1];
    const series = means.flatMap((m) => [m, m, m, m, m]);
    const result = mser5(series);
    const kept = means.slice(1);
    const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
    const expected = kept.reduce((a, z) => a + (z - mean) ** 2, 0) / kept.length ** 2;
    expect(result.truncationBatches).toBe(1);
    expect(result.statistic).toBeCloseTo(expected, 12);
  });

  it('never cuts half the batches or more', () => {
    // A series that keeps falling would be cut ever later; the search stops before half.
    const series = Array.from({ length: 100 }, (_, t) => 1000 - t * t);
    expect(mser5(series).truncationBatches).toBeLessThan(10);
  });

  it('leaves out empty points and empty batches but counts them in the truncation index', () => {
    const series = noise(5, 400).map((e, t) => (t < 40 ? 50 : 0) + e) as (number | undefined)[];
    for (let t = 0; t < 400; t += 7) series[t] = undefined;
    for (let t = 20; t < 25; t++) series[t] = Number.NaN; // batch 4 is empty
    expect(mser5(series).truncationIndex).toBe(40);
  });

  it('has nothing to choose with fewer than two batches', () => {
    expect(mser5([1, 2, 3, 4, 5, 6, 7])).toEqual({ truncationBatches: 0, truncationIndex: 0, statistic: Number.NaN });
    expect(mser5([])).toEqual({ truncationBatches: 0, truncationIndex: 0, statistic: Number.NaN });
  });
});
