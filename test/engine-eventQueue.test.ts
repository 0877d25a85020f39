import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, MAX_LANES } from '../src/engine/eventQueue.js';

/** Pops everything as [time, kind, payload] triples. */
function drain(q: EventQueue): [number, number, number][] {
  const out: [number, number, number][] = [];
  while (q.pop()) out.push([q.time, q.kind, q.payload]);
  return out;
}

describe('the event queue', () => {
  it('pops events in time order', () => {
    const q = new EventQueue();
    q.schedule(3, 1, 30);
    q.schedule(1, 1, 10);
    q.schedule(2, 1, 20);
    expect(drain(q)).toEqual([
      [1, 1, 10],
      [2, 1, 20],
      [3, 1, 30],
    ]);
  });

  it('pops events at the same time in the order they were scheduled', () => {
    const q = new EventQueue();
    for (let i = 0; i < 50; i++) q.schedule(i % 2 === 0 ? 5 : 1, i, i);
    const popped = drain(q);
    const at1 = popped.filter(([t]) => t === 1).map(([, k]) => k);
    const at5 = popped.filter(([t]) => t === 5).map(([, k]) => k);
    expect(at1).toEqual([...at1].sort((a, b) => a - b));
    expect(at5).toEqual([...at5].sort((a, b) => a - b));
    expect(popped.slice(0, 25).every(([t]) => t === 1)).toBe(true);
  });

  it('says false and keeps its last event when empty', () => {
    const q = new EventQueue();
    expect(q.pop()).toBe(false);
    q.schedule(2, 7, 9);
    expect(q.pop()).toBe(true);
    expect(q.pop()).toBe(false);
    expect([q.time, q.kind, q.payload]).toEqual([2, 7, 9]);
    expect(q.peekTime()).toBe(Infinity);
  });

  it('skips cancelled events, and counts only live ones in size', () => {
    const q = new EventQueue();
    const a = q.schedule(1, 0, 1);
    q.schedule(2, 0, 2);
    const c = q.schedule(3, 0, 3);
    q.cancel(a);
    q.cancel(c);
    q.cancel(c);
    expect(q.size).toBe(1);
    expect(q.peekTime()).toBe(2);
    expect(drain(q)).toEqual([[2, 0, 2]]);
    expect(q.size).toBe(0);
  });

  it('ignores the cancellation of an event that has already happened, even after its slot is reused', () => {
    const q = new EventQueue();
    const fired = q.schedule(1, 0, 1);
    expect(q.pop()).toBe(true);
    const reused = q.schedule(2, 0, 2); // takes the freed slot
    expect(reused).not.toBe(fired);
    q.cancel(fired);
    q.cancel(-1);
    expect(q.size).toBe(1);
    expect(drain(q)).toEqual([[2, 0, 2]]);
  });

  it('gives ids that fit an Int32Array', () => {
    const q = new EventQueue(2);
    const ids = new Int32Array(1000);
    for (let round = 0; round < 300; round++) {
      for (let i = 0; i < 4; i++) ids[i] = q.schedule(round, 0, i);
      for (let i = 0; i < 4; i++) expect(q.pop()).toBe(true);
    }
    expect(ids.every((id) => id >= 0)).toBe(true);
  });

  it('grows beyond its initial capacity without losing or reordering events', () => {
    const q = new EventQueue(2);
    const n = 10_000;
    for (let i = n - 1; i >= 0; i--) q.schedule(i, 0, i);
    expect(q.size).toBe(n);
    const payloads = drain(q).map(([, , p]) => p);
    expect(payloads).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('refuses an event without a time', () => {
    expect(() => new EventQueue().schedule(Number.NaN, 0, 0)).toThrow(RangeError);
  });

  it('behaves like a stable sort of (time, insertion order), under any mix of schedule, cancel and pop', () => {
    type Op = { op: 'schedule'; time: number } | { op: 'cancel'; which: number } | { op: 'pop' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.record({ op: fc.constant('schedule' as const), time: fc.integer({ min: 0, max: 20 }) }), weight: 5 },
      { arbitrary: fc.record({ op: fc.constant('cancel' as const), which: fc.nat() }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant('pop' as const) }), weight: 3 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const q = new EventQueue(4);
        // The reference: pending events as {time, order, id}, popped by minimum (time, order).
        let pending: { time: number; order: number; id: number }[] = [];
        const ids: number[] = [];
        let order = 0;
        let now = 0;
        for (const o of ops) {
          if (o.op === 'schedule') {
            const time = now + o.time; // never in the past
            const id = q.schedule(time, 0, order);
            ids.push(id);
            pending.push({ time, order, id });
            order++;
          } else if (o.op === 'cancel') {
            if (ids.length === 0) continue;
            const id = ids[o.which % ids.length];
            q.cancel(id);
            pending = pending.filter((e) => e.id !== id);
          } else {
            pending.sort((a, b) => a.time - b.time || a.order - b.order);
            const next = pending.shift();
            expect(q.pop()).toBe(next !== undefined);
            if (next) {
              expect([q.time, q.payload]).toEqual([next.time, next.order]);
              now = next.time;
            }
          }
          expect(q.size).toBe(pending.length);
        }
        pending.sort((a, b) => a.time - b.time || a.order - b.order);
        expect(drain(q).map(([t, , p]) => [t, p])).toEqual(pending.map((e) => [e.time, e.order]));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  describe('lanes', () => {
    it('a lane event comes out among the heap events by time, and by scheduling order at the same time', () => {
      const q = new EventQueue(4, 2);
      q.schedule(2, 1, 20);
      q.lane(0, 1, 9); // earlier than everything
      q.lane(1, 2, 9); // same time as the heap's, scheduled after it
      q.schedule(2, 1, 21); // same time again, after the lane's
      expect(q.size).toBe(4);
      expect(q.peekTime()).toBe(1);
      expect(drain(q)).toEqual([
        [1, 9, 0],
        [2, 1, 20],
        [2, 9, 1],
        [2, 1, 21],
      ]);
      expect(q.size).toBe(0);
    });

    it('refuses a second event in a lane, and a queue of more than the lanes it may keep', () => {
      const q = new EventQueue(4, 1);
      q.lane(0, 1, 0);
      expect(() => q.lane(0, 2, 0)).toThrow(/lane 0 already holds an event/);
      expect(q.pop()).toBe(true);
      q.lane(0, 3, 0); // empty again once popped
      expect(drain(q)).toEqual([[3, 0, 0]]);
      expect(() => new EventQueue(4, MAX_LANES + 1)).toThrow(RangeError);
    });

    it('beyond its lanes, or at an infinite time, a lane event goes into the heap in the same order', () => {
      const q = new EventQueue(4, 1);
      q.lane(3, 5, 7); // no lane 3: the heap
      q.lane(0, Infinity, 7); // never: the heap, last
      q.schedule(5, 1, 1);
      expect(drain(q)).toEqual([
        [5, 7, 3],
        [5, 1, 1],
        [Infinity, 7, 0],
      ]);
    });

    it('behaves like a stable sort of (time, insertion order) with lanes among the heap events', () => {
      type Op = { op: 'schedule'; time: number } | { op: 'lane'; lane: number; time: number } | { op: 'cancel'; which: number } | { op: 'pop' };
      const op: fc.Arbitrary<Op> = fc.oneof(
        { arbitrary: fc.record({ op: fc.constant('schedule' as const), time: fc.integer({ min: 0, max: 8 }) }), weight: 4 },
        { arbitrary: fc.record({ op: fc.constant('lane' as const), lane: fc.integer({ min: 0, max: 3 }), time: fc.integer({ min: 0, max: 8 }) }), weight: 3 },
        { arbitrary: fc.record({ op: fc.constant('cancel' as const), which: fc.nat() }), weight: 1 },
        { arbitrary: fc.record({ op: fc.constant('pop' as const) }), weight: 4 },
      );
      fc.assert(
        fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
          const q = new EventQueue(4, 3); // lanes 0-2; lane 3 falls back to the heap
          let pending: { time: number; order: number; id: number; kind: number; payload: number }[] = [];
          const busyLane = [false, false, false, false];
          const ids: number[] = [];
          let order = 0;
          let now = 0;
          for (const o of ops) {
            if (o.op === 'schedule') {
              const id = q.schedule(now + o.time, 0, 100 + order);
              ids.push(id);
              pending.push({ time: now + o.time, order: order++, id, kind: 0, payload: 100 + order - 1 });
            } else if (o.op === 'lane') {
              if (busyLane[o.lane]) continue;
              busyLane[o.lane] = true;
              q.lane(o.lane, now + o.time, 1);
              pending.push({ time: now + o.time, order: order++, id: -1, kind: 1, payload: o.lane });
            } else if (o.op === 'cancel') {
              if (ids.length === 0) continue;
              const id = ids[o.which % ids.length];
              q.cancel(id);
              pending = pending.filter((e) => e.id !== id || e.kind === 1);
            } else {
              pending.sort((a, b) => a.time - b.time || a.order - b.order);
              const next = pending.shift();
              expect(q.pop()).toBe(next !== undefined);
              if (next) {
                expect([q.time, q.kind, q.payload]).toEqual([next.time, next.kind, next.payload]);
                if (next.kind === 1) busyLane[next.payload] = false;
                now = next.time;
              }
            }
            expect(q.size).toBe(pending.length);
          }
          pending.sort((a, b) => a.time - b.time || a.order - b.order);
          expect(drain(q)).toEqual(pending.map((e) => [e.time, e.kind, e.payload]));
        }),
        { seed: 7, numRuns: 300 },
      );
    });
  });
});
