import { describe, expect, it } from 'vitest';
import { deriveStream, fnv1a64, RandomStream, replicationSeed, streamFromSeed, unitInterval } from '../src/engine/random.js';

describe('random streams', () => {
  it('keep their published first outputs (changing them changes every result)', () => {
    expect(replicationSeed(1, 0)).toBe(3405691463);
    expect(replicationSeed(1, 1)).toBe(4114278092);
    expect(replicationSeed(7, 3)).toBe(282025378);
    const r = deriveStream(1, 'traffic:users/arrivals', 0);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([2594806812, 1482162253, 1936351156]);
    expect(r.next()).toBe(0.8611382714152963);
    const s = deriveStream(7, 'workload:web/serviceTime', 3);
    expect([s.nextUint32(), s.nextUint32()]).toEqual([4225414554, 544368162]);
  });

  it('implement sfc32 as published by PractRand (a, b, c, counter; 15 outputs discarded)', () => {
    // The reference: tmp = a + b + counter++; a = b ^ (b >> 9); b = c + (c << 3); c = rotl(c, 21) + tmp.
    let [a, b, c, d] = [1, 2, 3, 4];
    const reference = (): number => {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      return t >>> 0;
    };
    for (let i = 0; i < 15; i++) reference();
    const stream = new RandomStream(1, 2, 3, 4);
    for (let i = 0; i < 100; i++) expect(stream.nextUint32()).toBe(reference());
  });

  it('draw a double from the next two raw outputs, interleaved with integers as they come (next() writes the two steps out)', () => {
    const drawn = deriveStream(9, 'twins', 0);
    const raw = deriveStream(9, 'twins', 0);
    for (let i = 0; i < 1000; i++) {
      if (i % 3 === 0) expect(drawn.nextInt(7)).toBe(raw.nextInt(7));
      expect(drawn.next()).toBe(unitInterval(raw.nextUint32(), raw.nextUint32()));
    }
  });

  it('hash source ids with 64-bit FNV-1a over UTF-8 (published test vectors)', () => {
    const hex = (s: string) => fnv1a64(s).map((w) => w.toString(16).padStart(8, '0')).reverse().join('');
    expect(hex('')).toBe('cbf29ce484222325');
    expect(hex('a')).toBe('af63dc4c8601ec8c');
    expect(hex('foobar')).toBe('85944171f73967e8');
    expect(hex('é')).not.toBe(hex('e'));
  });

  it('draw doubles strictly inside (0, 1), even from the extreme raw outputs', () => {
    const lowest = unitInterval(0, 0);
    const highest = unitInterval(0xffffffff, 0xffffffff | 0);
    expect(lowest).toBe(2 ** -53);
    expect(highest).toBe(1 - 2 ** -53);
    expect(highest).toBeLessThan(1);
    const r = deriveStream(3, 'open-interval', 0);
    let outside = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const u = r.next();
      if (!(u > 0 && u < 1)) outside++;
    }
    expect(outside).toBe(0);
  });

  it('draw uniform doubles: the mean of 10^6 draws is ½ within 4 standard errors', () => {
    const n = 1_000_000;
    const r = deriveStream(11, 'uniformity', 0);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += r.next();
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
  });

  it('draw unbiased integers: nextInt(10) passes a chi-square test at the 0.1% level', () => {
    const n = 200_000;
    const counts = new Array<number>(10).fill(0);
    const r = deriveStream(5, 'nextInt', 0);
    for (let i = 0; i < n; i++) counts[r.nextInt(10)]++;
    const expected = n / 10;
    const chiSquare = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(27.877); // χ²(9) 0.999 quantile
  });

  it('give nextInt the full range [0, n) up to n = 2^32 and reject other n', () => {
    const r = deriveStream(5, 'range', 0);
    for (let i = 0; i < 1000; i++) {
      const x = r.nextInt(3);
      expect(x === 0 || x === 1 || x === 2).toBe(true);
    }
    expect(r.nextInt(1)).toBe(0);
    const big = r.nextInt(2 ** 32);
    expect(Number.isInteger(big) && big >= 0 && big < 2 ** 32).toBe(true);
    expect(() => r.nextInt(0)).toThrow(RangeError);
    expect(() => r.nextInt(2.5)).toThrow(RangeError);
  });

  it('are reproducible: the same (root seed, source, replication) gives the same numbers', () => {
    const a = deriveStream(42, 'lb:web', 7);
    const b = deriveStream(42, 'lb:web', 7);
    for (let i = 0; i < 1000; i++) expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('are named by the replication seed alone, so one replication can be rerun from its seed', () => {
    const a = deriveStream(42, 'lb:web', 7);
    const b = streamFromSeed(replicationSeed(42, 7), 'lb:web');
    for (let i = 0; i < 100; i++) expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('give every replication of a run its own seed', () => {
    for (const root of [0, 1, 7, 2 ** 32 - 1, 2 ** 40 + 3]) {
      const seeds = new Set<number>();
      for (let r = 0; r < 20_000; r++) seeds.add(replicationSeed(root, r));
      expect(seeds.size).toBe(20_000);
    }
  });

  it('fold root seeds above 2^32 instead of truncating them', () => {
    expect(replicationSeed(2 ** 40 + 1, 0)).not.toBe(replicationSeed(1, 0));
    expect(() => replicationSeed(-1, 0)).toThrow(RangeError);
    expect(() => replicationSeed(1.5, 0)).toThrow(RangeError);
    expect(() => replicationSeed(1, -1)).toThrow(RangeError);
  });

  it('are uncorrelated across sources, replications and root seeds (|r| < 4/√n)', () => {
    const n = 100_000;
    const pairs: [RandomStream, RandomStream][] = [
      [deriveStream(1, 'traffic:a', 0), deriveStream(1, 'traffic:b', 0)],
      [deriveStream(1, 'traffic:a', 0), deriveStream(1, 'traffic:a', 1)],
      [deriveStream(1, 'traffic:a', 0), deriveStream(2, 'traffic:a', 0)],
      [deriveStream(1, 'pod-0', 0), deriveStream(1, 'pod-1', 0)],
    ];
    for (const [x, y] of pairs) {
      let sxy = 0;
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      for (let i = 0; i < n; i++) {
        const u = x.next();
        const v = y.next();
        sx += u;
        sy += v;
        sxy += u * v;
        sxx += u * u;
        syy += v * v;
      }
      const cov = sxy / n - (sx / n) * (sy / n);
      const correlation = cov / Math.sqrt((sxx / n - (sx / n) ** 2) * (syy / n - (sy / n) ** 2));
      expect(Math.abs(correlation)).toBeLessThan(4 / Math.sqrt(n));
    }
  });
});
