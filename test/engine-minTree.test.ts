/**
 * The leftmost-minimum tree behind least-connection choices must choose
 * exactly what a scan in candidate order chose: the first of the smallest
 * counts, after any sequence of count changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexOfSorted, MinTree } from '../src/engine/minTree.js';

const scanArgmin = (a: number[]) => a.reduce((best, x, i) => (x < a[best] ? i : best), 0);

describe('MinTree', () => {
  it('gives the leftmost smallest count after every change, as a scan does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(5), { minLength: 1, maxLength: 70 }),
        fc.array(fc.tuple(fc.nat(69), fc.nat(5)), { maxLength: 200 }),
        (initial, changes) => {
          const counts = initial.slice();
          const tree = new MinTree(counts.length, (i) => counts[i]);
          expect(tree.argmin()).toBe(scanArgmin(counts));
          for (const [at, value] of changes) {
            const i = at % counts.length;
            counts[i] = value;
            tree.set(i, value);
            expect(tree.argmin()).toBe(scanArgmin(counts));
          }
        },
      ),
    );
  });

  it('finds an element of an ascending array by bisection, and -1 for one that is absent', () => {
    const a = Int32Array.from([2, 3, 5, 8, 13, 21]);
    expect([2, 3, 5, 8, 13, 21].map((x) => indexOfSorted(a, x))).toEqual([0, 1, 2, 3, 4, 5]);
    expect([0, 4, 22].map((x) => indexOfSorted(a, x))).toEqual([-1, -1, -1]);
    expect(indexOfSorted(new Int32Array(0), 1)).toBe(-1);
  });
});
