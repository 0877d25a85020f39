import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../src/engine/ringBuffer.js';

describe('the ring buffer', () => {
  it('gives values back first in, first out', () => {
    const q = new RingBuffer();
    q.push(1);
    q.push(2);
    q.push(3);
    expect(q.peek()).toBe(1);
    expect([q.shift(), q.shift(), q.shift()]).toEqual([1, 2, 3]);
    expect(q.length).toBe(0);
  });

  it('returns -1 from shift and peek when empty', () => {
    const q = new RingBuffer();
    expect(q.shift()).toBe(-1);
    expect(q.peek()).toBe(-1);
  });

  it('keeps the order when it grows while wrapped around', () => {
    const q = new RingBuffer(4);
    for (let i = 0; i < 3; i++) q.push(i);
    q.shift();
    q.shift(); // head is now in the middle
    for (let i = 3; i < 20; i++) q.push(i); // wraps, then grows twice
    const out: number[] = [];
    while (q.length > 0) out.push(q.shift());
    expect(out).toEqual(Array.from({ length: 18 }, (_, i) => i + 2));
  });

  it('reads the i-th value from the front with at(), and refuses indexes outside the queue', () => {
    const q = new RingBuffer(2);
    for (const x of [5, 6, 7]) q.push(x);
    expect([q.at(0), q.at(1), q.at(2)]).toEqual([5, 6, 7]);
    expect(() => q.at(3)).toThrow(RangeError);
  });

  it('empties with clear() and can be used again', () => {
    const q = new RingBuffer();
    q.push(1);
    q.clear();
    expect(q.length).toBe(0);
    q.push(2);
    expect(q.shift()).toBe(2);
  });

  it('behaves like an array used as a queue, under any mix of pushes and shifts', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: undefined }), { maxLength: 500 }), (ops) => {
        const q = new RingBuffer(2);
        const reference: number[] = [];
        for (const value of ops) {
          if (value === undefined) {
            if (reference.length > 0) expect(q.shift()).toBe(reference.shift());
          } else {
            q.push(value);
            reference.push(value);
          }
          expect(q.length).toBe(reference.length);
        }
        expect(Array.from({ length: q.length }, (_, i) => q.at(i))).toEqual(reference);
      }),
      { seed: 3, numRuns: 300 },
    );
  });
});
