import { describe, expect, it } from 'vitest';
import { deriveStream } from '../src/engine/random.js';
import * as hdr from 'hdr-histogram-js';
import type { JsHistogram } from 'hdr-histogram-js/dist/JsHistogram.js';
import { hdrIndex, LatencyHistogram, topOfBin, valueAtIndex } from '../src/stats/histogram.js';

/** n exponential latencies (mean in seconds) from a fixed stream. */
function exponentialSample(n: number, mean: number, source = 'latencies'): number[] {
  const rng = deriveStream(99, source, 0);
  return Array.from({ length: n }, () => -Math.log(rng.next()) * mean);
}

/** HdrHistogram's percentile: the recorded value of rank max(1, ⌊p·n/100 + ½⌋). */
function exactPercentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.floor((p / 100) * sorted.length + 0.5));
  return sorted[Math.min(sorted.length, rank) - 1];
}

function histogramOf(values: readonly number[]): LatencyHistogram {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  return h;
}

const PERCENTILES = [0, 1, 25, 50, 90, 99, 99.9, 99.99, 100];

describe('latency histograms', () => {
  it.each([
    ['exponential, mean 10 ms', exponentialSample(100_000, 0.01)],
    ['uniform on [50 µs, 5 s]', ((rng) => Array.from({ length: 100_000 }, () => 50e-6 + rng.next() * (5 - 50e-6)))(deriveStream(99, 'uniform', 0))],
    ['sub-millisecond, mean 80 µs', exponentialSample(50_000, 80e-6, 'short')],
  ])('give percentiles of a %s sample within 0.1% of the exact order statistics', (_, values) => {
    const h = histogramOf(values);
    const sorted = [...values].sort((a, b) => a - b);
    expect(h.count).toBe(values.length);
    for (const p of PERCENTILES) {
      const exact = exactPercentile(sorted, p);
      expect(Math.abs(h.percentile(p) - exact)).toBeLessThanOrEqual(0.001 * exact + 1e-9);
    }
    expect(Math.abs(h.max - sorted[sorted.length - 1])).toBeLessThanOrEqual(0.001 * sorted[sorted.length - 1]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(h.mean - mean)).toBeLessThanOrEqual(0.001 * mean);
  });

  it('merge exactly: encode, decode and add give what recording everything in one gives', () => {
    const a = exponentialSample(20_000, 0.01, 'a');
    const b = exponentialSample(30_000, 0.2, 'b');
    const whole = histogramOf([...a, ...b]);
    const merged = new LatencyHistogram();
    merged.add(LatencyHistogram.decode(histogramOf(a).encode()));
    merged.add(LatencyHistogram.decode(histogramOf(b).encode()));
    expect(merged.count).toBe(whole.count);
    for (const p of PERCENTILES) expect(merged.percentile(p)).toBe(whole.percentile(p));
    expect(merged.mean).toBeCloseTo(whole.mean, 12);
    expect(merged.encode()).toBe(whole.encode());
  });

  it.each([
    ['exponential, mean 10 ms', exponentialSample(30_000, 0.01, 'many')],
    ['a handful of values, ties and hours', [0.003, 0.003, 0.003, 1e-7, 2.5, 7200]],
    ['one value', [0.042]],
    ['zeros among seconds', [0, 0, 2.5, 0.7, 3]],
    ['only zeros', [0, 0, 0]],
  ])('give in one walk, for a %s sample, the very percentiles that percentile(p) gives one by one, in any order', (_, values) => {
    const h = histogramOf(values);
    const ps = [99.9, 0, 50, 100, 12.5, 99, 90, 99.99, 0.001, 50];
    expect(h.percentiles(ps)).toEqual(ps.map((p) => h.percentile(p)));
    const copy = LatencyHistogram.decode(h.encode());
    expect(copy.percentiles(ps)).toEqual(ps.map((p) => h.percentile(p)));
    expect(new LatencyHistogram().percentiles([50, 99])).toEqual([NaN, NaN]);
  });

  it('answer percentiles again after more latencies are recorded or added, not from their last answer', () => {
    const h = histogramOf([0.001, 0.002, 0.003]);
    expect(h.percentiles([50, 100])).toEqual([h.percentile(50), h.percentile(100)]);
    for (let i = 0; i < 10; i++) h.record(5);
    const recorded = h.percentiles([50, 100]);
    expect(recorded).toEqual([h.percentile(50), h.percentile(100)]);
    expect(recorded[0]).toBeGreaterThan(4.99);
    h.add(histogramOf(Array.from({ length: 100 }, () => 0.0001)));
    expect(h.percentiles([50, 100])[0]).toBeLessThan(0.00011);
  });

  it('hold what recording each latency into hdr-histogram-js itself holds', () => {
    const latencies = [0, 0, ...exponentialSample(30_000, 0.2), 3600 * 30, 1e-7];
    const lib = hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 2 ** 40, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: false });
    const ours = new LatencyHistogram();
    for (const [k, s] of latencies.entries()) {
      lib.recordValue(Math.round(s * 1e9));
      ours.record(s);
      // Flushed part-way too: a flush into a histogram that already holds counts.
      if (k === 10_000) expect(ours.percentile(50)).toBe(lib.getValueAtPercentile(50) / 1e9);
    }
    expect(ours.encode()).toBe(hdr.encodeIntoCompressedBase64(lib));
    expect(ours.count).toBe(lib.totalCount);
    expect([ours.min, ours.max]).toEqual([lib.getValueAtPercentile(0) / 1e9, lib.getValueAtPercentile(100) / 1e9]);
    expect(ours.percentiles([0, 50, 99, 100])).toEqual([0, 50, 99, 100].map((p) => lib.getValueAtPercentile(p) / 1e9));
  });

  it("decode into what hdr-histogram-js's own decoder makes", () => {
    const inside = (h: LatencyHistogram) => (h as unknown as { histogram: JsHistogram }).histogram;
    const cases = [
      new LatencyHistogram(),
      histogramOf([0, 0, 0]),
      histogramOf([0, 1e-3, 0.5]),
      histogramOf(exponentialSample(20_000, 1)),
      histogramOf([1e-6, 3600 * 5, 3600 * 24 * 30]),
      histogramOf(Array.from({ length: 300_000 }, () => 0.0421)),
    ];
    for (const [k, h] of cases.entries()) {
      const text = h.encode();
      const ours = inside(LatencyHistogram.decode(text));
      const theirs = hdr.decodeFromCompressedBase64(text, 64, false) as JsHistogram;
      const facts = (x: JsHistogram) => ({ total: x.totalCount, max: x.maxValue, min: x.minNonZeroValue, highest: x.highestTrackableValue, length: x.countsArrayLength, digits: x.numberOfSignificantValueDigits });
      expect(facts(ours), `case ${k}`).toEqual(facts(theirs));
      const counts = (x: JsHistogram) => Array.from({ length: x.countsArrayLength }, (_, i) => x.getCountAtIndex(i));
      expect(counts(ours), `case ${k}`).toEqual(counts(theirs));
    }
    // A damaged or foreign string is the library's to refuse, with its own message.
    expect(() => LatencyHistogram.decode('HISTFAAAACx4nJNpmSzMwMDAzQABzFAawmS0')).toThrow();
    expect(() => LatencyHistogram.decode('not base64!')).toThrow();
  });

  it("put each bin's top where HdrHistogram does (topOfBin, read by the CDF)", () => {
    const h = hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 2 ** 40, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: false }) as JsHistogram;
    h.recordValue(2 ** 50); // resized: bins up to 2^50 ns (13 days)
    const wrong: number[] = [];
    for (let i = 0; i < h.countsArrayLength; i++) if (topOfBin(i) !== h.highestEquivalentValue(h.valueFromIndex(i))) wrong.push(i);
    expect(h.countsArrayLength).toBeGreaterThan(40_000);
    expect(wrong).toEqual([]);
  });

  it("encode to the very string of hdr-histogram-js's own encoder", () => {
    /** The library's encoding of the HdrHistogram inside h (recorded latencies flushed first by percentile). */
    const libraryEncoding = (h: LatencyHistogram): string => {
      h.percentile(50);
      return hdr.encodeIntoCompressedBase64((h as unknown as { histogram: hdr.Histogram }).histogram);
    };
    const decodedWider = LatencyHistogram.decode(histogramOf([0.001, 0.002]).encode());
    decodedWider.add(LatencyHistogram.decode(histogramOf([0.5, 7200 * 24]).encode()));
    const cases: [string, LatencyHistogram][] = [
      ['empty', new LatencyHistogram()],
      ['zero latencies only', histogramOf([0, 0, 0])],
      ['zeros and one latency', histogramOf([0, 0, 1e-3])],
      ['one latency', histogramOf([0.25])],
      ['exponential, mean 1 s', histogramOf(exponentialSample(20_000, 1))],
      ['sub-millisecond, mean 80 µs', histogramOf(exponentialSample(20_000, 80e-6, 'short'))],
      ['beyond 2^40 ns (resized)', histogramOf([1e-6, 3600 * 5, 3600 * 24 * 30])],
      ['decoded, then a wider one added', decodedWider],
      ['many in one bin (counts of several bytes)', histogramOf(Array.from({ length: 300_000 }, () => 0.0421))],
    ];
    for (const [name, h] of cases) expect(h.encode(), name).toBe(libraryEncoding(h));
  });

  it('take, decoded, the latencies of a histogram with a wider range added to them', () => {
    const first = LatencyHistogram.decode(histogramOf([0.001, 0.002]).encode());
    first.add(LatencyHistogram.decode(histogramOf([0.5, 7200 * 24]).encode()));
    expect(first.count).toBe(4);
    expect(Math.abs(first.max - 7200 * 24)).toBeLessThanOrEqual(7.2 * 24);
    // The one walk reads the grown histogram's counts, as HdrHistogram's own percentile does.
    expect(first.percentiles(PERCENTILES)).toEqual(PERCENTILES.map((p) => first.percentile(p)));
    expect(first.cdf([0.0015, 0.6, 7200 * 25])).toEqual([0.25, 0.75, 1]);
    // Zeros sit in bin 0, below the smallest non-zero latency where the walks resume.
    const zeros = histogramOf([0, 0, 1.5, 2.5]);
    expect(zeros.cdf([1e-9, 1, 2, 3])).toEqual([0.5, 0.5, 0.75, 1]);
    expect(LatencyHistogram.decode(zeros.encode()).cdf([1e-9, 1, 2, 3])).toEqual([0.5, 0.5, 0.75, 1]);
  });

  it('agree with their decoded copy on max and min', () => {
    const h = histogramOf([0.000123, 0.5, 3000]);
    const copy = LatencyHistogram.decode(h.encode());
    expect(copy.max).toBe(h.max);
    expect(copy.min).toBe(h.min);
    expect(Math.abs(h.max - 3000)).toBeLessThanOrEqual(3);
  });

  it('grow to latencies beyond their initial range (hours)', () => {
    const h = histogramOf([0.001, 7200]);
    expect(Math.abs(h.max - 7200)).toBeLessThanOrEqual(7.2);
  });

  it('give NaN for every statistic when empty', () => {
    const h = new LatencyHistogram();
    expect(h.count).toBe(0);
    expect(h.percentile(50)).toBeNaN();
    expect(h.mean).toBeNaN();
    expect(h.max).toBeNaN();
    expect(h.cdf([1])).toEqual([NaN]);
  });

  it('give an empirical CDF that rises from 0 to 1 and matches the sample within the bin resolution', () => {
    const values = exponentialSample(20_000, 0.01, 'cdf');
    const h = histogramOf(values);
    const xs = [1e-5, 0.001, 0.01, 0.05, 1];
    const cdf = h.cdf(xs);
    expect(cdf[cdf.length - 1]).toBe(1);
    for (let i = 1; i < cdf.length; i++) expect(cdf[i]).toBeGreaterThanOrEqual(cdf[i - 1]);
    // Bins reach at most 0.1% beyond x, so the CDF lies between the sample's shares at x/1.001 and x.
    xs.forEach((x, i) => {
      const atOrBelow = (y: number) => values.filter((v) => v <= y).length / values.length;
      expect(cdf[i]).toBeLessThanOrEqual(atOrBelow(x) + 1e-12);
      expect(cdf[i]).toBeGreaterThanOrEqual(atOrBelow(x / 1.002) - 1e-12);
    });
  });

  it('refuse a negative latency', () => {
    expect(() => new LatencyHistogram().record(-0.001)).toThrow(RangeError);
    expect(() => new LatencyHistogram().record(Number.NaN)).toThrow(RangeError);
  });

  it('free their memory on destroy() and are unusable afterwards', () => {
    const h = histogramOf([0.1]);
    h.destroy();
    expect(() => h.count).toThrow();
  });
});

describe('the fast recording path', () => {
  it('puts every value in the bin HdrHistogram itself would', () => {
    const js = hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 2 ** 40, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: false }) as unknown as { countsArrayIndex(v: number): number };
    const values = [0, 1, 2047, 2048, 2049, 4095, 4096, 123456789, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 12345, 2 ** 40 - 1];
    for (let k = 0; k < 5000; k++) values.push(Math.floor(Math.exp((k / 5000) * 30)));
    for (const v of values) {
      expect(hdrIndex(v), String(v)).toBe(js.countsArrayIndex(v));
      expect(hdrIndex(valueAtIndex(hdrIndex(v))), String(v)).toBe(hdrIndex(v));
    }
  });
});
