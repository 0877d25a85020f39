import { describe, expect, it } from 'vitest';
import { deriveStream } from '../src/engine/random.js';
import { BinStore, TimeHistogram } from '../src/stats/timeHistogram.js';

/** The order statistic of rank max(1, ⌈q·n⌉). */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

function lognormalSample(n: number, source: string): number[] {
  const rng = deriveStream(5, source, 0);
  // ln X uniform-ish over a wide range: 10 µs to 10 s, to cross many bins.
  return Array.from({ length: n }, () => Math.exp(Math.log(1e-5) + rng.next() * Math.log(1e6)));
}

const QS = [0, 0.01, 0.5, 0.9, 0.99, 0.999, 1];

describe('time-bucket histograms', () => {
  it('give exact quantiles while they hold at most 32 latencies', () => {
    const values = lognormalSample(32, 'few');
    const h = new TimeHistogram();
    for (const v of values) h.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of QS) expect(h.quantile(q)).toBe(exactQuantile(sorted, q));
  });

  it('give quantiles within 0.5% of the exact order statistics beyond that', () => {
    const values = lognormalSample(100_000, 'many');
    const h = new TimeHistogram();
    for (const v of values) h.record(v);
    expect(h.count).toBe(100_000);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of QS) {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(h.quantile(q) - exact)).toBeLessThanOrEqual(0.00499 * exact);
    }
  });

  it.each([
    ['0 latencies', 0],
    ['1 latency', 1],
    ['32 latencies (exact)', 32],
    ['33 latencies (binned)', 33],
    ['200 latencies', 200],
    ['50 000 latencies', 50_000],
  ])('give with quantilePair, for %s, the very two values quantile gives one by one', (_, n) => {
    const h = new TimeHistogram();
    for (const v of lognormalSample(n, `pair${n}`)) h.record(v);
    for (const [q1, q2] of [[0.5, 0.99], [0, 1], [0, 0.5], [0.99, 1], [0.3, 0.3], [0.001, 0.999]]) {
      expect(h.quantilePair(q1, q2)).toEqual([h.quantile(q1), h.quantile(q2)]);
    }
  });

  it('keep the exact extremes, also outside the 1 µs to 10⁵ s range of the bins', () => {
    const h = new TimeHistogram();
    for (let i = 0; i < 100; i++) h.record(0.01);
    h.record(0);
    h.record(2e6);
    expect(h.quantile(0)).toBe(0);
    expect(h.quantile(1)).toBe(2e6);
    expect(Math.abs(h.quantile(0.5) - 0.01)).toBeLessThanOrEqual(0.00499 * 0.01);
  });

  it('stay correct when later latencies fall far below and far above the first ones', () => {
    const h = new TimeHistogram();
    const values: number[] = [];
    for (let i = 0; i < 40; i++) values.push(0.1); // starts the bins around 100 ms
    for (let i = 0; i < 40; i++) values.push(1e-6 * (i + 1)); // far below
    for (let i = 0; i < 40; i++) values.push(1000 * (i + 1)); // far above
    for (const v of values) h.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.1, 0.3, 0.5, 0.7, 0.95]) {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(h.quantile(q) - exact)).toBeLessThanOrEqual(0.00499 * exact);
    }
  });

  it('give NaN when empty, and forget everything on reset()', () => {
    const h = new TimeHistogram();
    expect(h.quantile(0.5)).toBeNaN();
    for (let i = 0; i < 100; i++) h.record(i / 1000);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.quantile(0.99)).toBeNaN();
    h.record(0.02);
    expect(h.quantile(0.5)).toBeCloseTo(0.02, 12);
  });

  it('count from zero in bins that another histogram outgrew (they are reused)', () => {
    // The first histograms outgrow their bins several times and hand the old ones on.
    const store = new BinStore();
    for (let k = 0; k < 3; k++) {
      const spread = new TimeHistogram(store);
      // Narrow first (its first bins cover a few), then wide: the bins double up to the whole range.
      for (let i = 0; i < 40; i++) spread.record(0.01 * (1 + i / 1000));
      for (const v of lognormalSample(2000, `spread-${k}`)) spread.record(v);
    }
    // Later ones take those arrays: their quantiles must be their own latencies' only.
    for (let k = 0; k < 20; k++) {
      // The same pattern, so they take the outgrown arrays (64 and 512 bins) on their way up.
      const values = [...Array.from({ length: 40 }, (_, i) => 0.02 * (1 + i / 1000)), ...lognormalSample(500, `later-${k}`)];
      const h = new TimeHistogram(store);
      for (const v of values) h.record(v);
      const sorted = [...values].sort((a, b) => a - b);
      for (const q of [0.05, 0.5, 0.95]) {
        const exact = exactQuantile(sorted, q);
        expect(Math.abs(h.quantile(q) - exact)).toBeLessThanOrEqual(0.00499 * exact);
      }
    }
  });
});
