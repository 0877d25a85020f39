import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntTable } from '../src/engine/intTable.js';

describe('the integer table', () => {
  it('answers like a Map under any mix of sets, overwrites and retains, across growth', () => {
    const op = fc.oneof(
      { arbitrary: fc.record({ op: fc.constant('set' as const), key: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), value: fc.integer({ min: 0, max: 0x7fffffff }) }), weight: 8 },
      { arbitrary: fc.record({ op: fc.constant('retain' as const), modulus: fc.integer({ min: 2, max: 5 }) }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant('get' as const), key: fc.integer({ min: 0, max: 300 }) }), weight: 4 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const table = new IntTable(4); // small, so that it grows
        const map = new Map<number, number>();
        for (const o of ops) {
          if (o.op === 'set') {
            table.set(o.key, o.value);
            map.set(o.key, o.value);
          } else if (o.op === 'retain') {
            const keep = (key: number, value: number) => (key + value) % o.modulus !== 0;
            table.retain(keep);
            for (const [k, v] of map) if (!keep(k, v)) map.delete(k);
          } else {
            expect(table.get(o.key)).toBe(map.get(o.key) ?? -1);
          }
          expect(table.size).toBe(map.size);
        }
        for (const [k, v] of map) expect(table.get(k)).toBe(v);
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('keeps keys apart that share their low or high 32 bits, up to 2^53', () => {
    const table = new IntTable(2);
    const keys = [0, 1, 2 ** 32, 2 ** 32 + 1, 2 ** 33, 2 ** 52 + 7, Number.MAX_SAFE_INTEGER, 4294967295];
    keys.forEach((k, i) => table.set(k, i));
    keys.forEach((k, i) => expect(table.get(k)).toBe(i));
    expect(table.get(3)).toBe(-1);
    expect(table.size).toBe(keys.length);
  });

  it('says when one more key would grow it, and a sweep then makes the room that growth would', () => {
    const table = new IntTable(8); // 16 cells: full at 8 keys
    for (let k = 0; k < 8; k++) {
      expect(table.full).toBe(false);
      table.set(k * 1000, k);
    }
    expect(table.full).toBe(true);
    table.retain(() => true); // everything kept: rebuilt at 32 cells
    expect(table.full).toBe(false);
    expect(table.size).toBe(8);
    for (let k = 0; k < 8; k++) expect(table.get(k * 1000)).toBe(k);
    table.retain((key) => key < 3000);
    expect([table.size, table.get(5000), table.get(2000)]).toEqual([3, -1, 2]);
  });

  it('refuses what it cannot hold', () => {
    const table = new IntTable();
    expect(() => table.set(-1, 0)).toThrow(RangeError);
    expect(() => table.set(2 ** 53, 0)).toThrow(RangeError);
    expect(() => table.set(1.5, 0)).toThrow(RangeError);
    expect(() => table.set(1, -1)).toThrow(RangeError);
    expect(() => table.set(1, 2 ** 31)).toThrow(RangeError);
  });
});
