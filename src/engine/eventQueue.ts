/**
 * The future event list: what will happen, and when.
 *
 * An event is a (time, kind, payload) triple: when it happens, what happens,
 * and to which record (a request, a pod, a node...). Events come out in time
 * order; events at the same time come out in the order they were scheduled
 * (FIFO), which keeps a run deterministic.
 *
 * A binary heap of slots keyed by (time, sequence number). An event's time
 * is kept only in the heap, beside its slot, the pairs in one array (a step
 * of a sift reads one array: V8 checks an array's map and loads its pointers
 * again at every step of a loop); the sequence number, needed only when two
 * times are equal, stays with the slot. The events' kinds and payloads live in
 * growable typed arrays indexed by slot and slots are recycled, so scheduling
 * and popping allocate nothing once the arrays are large enough; `pop()`
 * writes the event into the public fields `time`, `kind` and `payload`
 * instead of returning an object. Cancelling is lazy: the event is marked and
 * skipped when it reaches the top of the heap.
 *
 * Lanes: an event that recurs one at a time, such as a traffic entry's next
 * arrival, can wait in a lane of its own instead of the heap. It takes its
 * sequence number as any event does and comes out in the same (time,
 * sequence) order, but costs no sift up or down: an arrival is usually the
 * next event of all, so in the heap it climbed to the root when scheduled and
 * was sifted out of it when popped (a third of a request's heap work).
 * Finding the earliest lane scans them, so a queue keeps at most MAX_LANES;
 * `lane()` on a queue without lanes falls back to `schedule()`.
 *
 * An event id is its slot plus a 7-bit generation that changes each time the
 * slot is reused, packed into a non-negative int32 (it fits an Int32Array,
 * with -1 free to mean "none"). Cancelling an event that has already happened
 * is therefore a no-op rather than the cancellation of whichever event took
 * its slot (unless the slot was reused a multiple of 128 times since).
 */
const SLOT_BITS = 24;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
const GENERATION_MASK = 0x7f;
const MAX_SLOTS = 1 << SLOT_BITS;
import { grown } from './typedArrays.js';

/** At most this many lanes (finding the earliest scans them). */
export const MAX_LANES = 8;

const FREE = 0;
const SCHEDULED = 1;
const CANCELLED = 2;

export class EventQueue {
  /** The time of the event `pop()` returned last (0 before the first). */
  time = 0;
  /** The kind of the event `pop()` returned last. */
  kind = 0;
  /** The payload of the event `pop()` returned last. */
  payload = 0;

  /**
   * The heap, in order: entry i's time at [2i] and its slot at [2i + 1] (one
   * array, so a step of a sift checks one array's map and loads its pointers
   * once). Every entry from heapSize on holds time Infinity (filled so, and
   * removeTop writes it into the place it empties; nothing else writes
   * there), so a sift down reads a right child without testing that there
   * is one.
   */
  private keys: Float64Array;
  /** Per slot: the sequence number of its event (ties in time go in this order). */
  private sequences: Float64Array;
  private heapSize = 0;
  private live = 0;
  private kinds: Int32Array;
  private payloads: Int32Array;
  private states: Uint8Array;
  private generations: Uint8Array;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private usedSlots = 0;
  private nextSequence = 0;

  /** Per lane: its pending event's time (Infinity: none), sequence number and kind (its payload is the lane). */
  private readonly laneTimes: Float64Array;
  private readonly laneSequences: Float64Array;
  private readonly laneKinds: Int32Array;
  /** The lane whose event comes first, or -1 when every lane is empty. */
  private firstLane = -1;

  /** `lanes`: how many lanes `lane()` may use (0 to MAX_LANES; 0: every event in the heap). */
  constructor(capacity = 1024, lanes = 0) {
    if (!(Number.isInteger(lanes) && lanes >= 0 && lanes <= MAX_LANES)) throw new RangeError(`an event queue has 0 to ${MAX_LANES} lanes, got ${lanes}`);
    this.laneTimes = new Float64Array(lanes).fill(Infinity);
    this.laneSequences = new Float64Array(lanes);
    this.laneKinds = new Int32Array(lanes);
    const n = Math.max(2, Math.min(capacity, MAX_SLOTS));
    this.keys = new Float64Array(2 * n + 2).fill(Infinity);
    this.sequences = new Float64Array(n);
    this.kinds = new Int32Array(n);
    this.payloads = new Int32Array(n);
    this.states = new Uint8Array(n);
    this.generations = new Uint8Array(n);
    this.freeSlots = new Int32Array(n);
  }

  /** Events scheduled and neither popped nor cancelled. */
  get size(): number {
    return this.live;
  }

  /**
   * Schedules `kind` with `payload` (int32) at `time`; returns the event's id
   * for {@link cancel}, a non-negative int32.
   */
  schedule(time: number, kind: number, payload: number): number {
    // (time !== time: NaN; shorter bytecode than Number.isNaN, for V8's inlining budget where this is inlined.)
    if (time !== time) throw noTime(kind, 'payload', payload);
    const slot = this.freeCount > 0 ? this.freeSlots[--this.freeCount] : this.newSlot();
    const sequence = this.nextSequence++;
    this.kinds[slot] = kind;
    this.payloads[slot] = payload;
    this.states[slot] = SCHEDULED;
    this.sequences[slot] = sequence;
    this.live++;

    // Sift up: move parents that come later down until the slot's place is found.
    // (A parent at the same time was scheduled earlier: its sequence is smaller.)
    const keys = this.keys;
    let i = this.heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = keys[2 * parent];
      if (parentTime <= time) break;
      keys[2 * i] = parentTime;
      keys[2 * i + 1] = keys[2 * parent + 1];
      i = parent;
    }
    keys[2 * i] = time;
    keys[2 * i + 1] = slot;
    return (this.generations[slot] << SLOT_BITS) | slot;
  }

  /**
   * Schedules `kind` at `time` in lane `lane`, with the lane as its payload;
   * the lane must be empty (its last event popped). Not cancellable. Beyond
   * the queue's lanes (or at an infinite time), the same as
   * `schedule(time, kind, lane)`.
   */
  lane(lane: number, time: number, kind: number): void {
    // One test for the rare cases (no such lane, an infinite or NaN time, the lane taken), handled apart:
    // this is inlined where arrivals are scheduled, and its bytecode counts against V8's inlining budget there.
    if (!(time < Infinity && lane < this.laneTimes.length && this.laneTimes[lane] === Infinity)) return this.laneElsewhere(lane, time, kind);
    const sequence = this.nextSequence++;
    this.laneTimes[lane] = time;
    this.laneSequences[lane] = sequence;
    this.laneKinds[lane] = kind;
    this.live++;
    // The lane's sequence is the largest yet: it comes first only if strictly earlier.
    const first = this.firstLane;
    if (first < 0 || time < this.laneTimes[first]) this.firstLane = lane;
  }

  /** `lane()` beyond the queue's lanes or at an infinite time (the heap), at a NaN time or on a taken lane (an error). */
  private laneElsewhere(lane: number, time: number, kind: number): void {
    if (lane >= this.laneTimes.length || time === Infinity) {
      this.schedule(time, kind, lane);
      return;
    }
    if (Number.isNaN(time)) throw noTime(kind, 'lane', lane);
    throw laneTaken(lane);
  }

  /** Cancels a scheduled event; a no-op for -1 and for an event that has already happened or been cancelled. */
  cancel(id: number): void {
    if (id < 0) return;
    const slot = id & SLOT_MASK;
    if (slot >= this.usedSlots || this.generations[slot] !== id >>> SLOT_BITS || this.states[slot] !== SCHEDULED) return;
    this.states[slot] = CANCELLED;
    this.live--;
  }

  /** The time of the next event, or Infinity when there is none. */
  peekTime(): number {
    this.dropCancelledTop();
    const heapTime = this.keys[0];
    const lane = this.firstLane;
    return lane >= 0 && this.laneTimes[lane] < heapTime ? this.laneTimes[lane] : heapTime;
  }

  /** Takes the next event into `time`, `kind` and `payload`; false when there is none. */
  pop(): boolean {
    this.dropCancelledTop();
    const lane = this.firstLane;
    if (lane >= 0) {
      const laneTime = this.laneTimes[lane];
      const heapTime = this.keys[0];
      if (laneTime < heapTime || (laneTime === heapTime && this.heapSize > 0 && this.laneSequences[lane] < this.sequences[this.keys[1] | 0])) {
        this.time = laneTime;
        this.kind = this.laneKinds[lane];
        this.payload = lane;
        this.live--;
        this.laneTimes[lane] = Infinity;
        this.firstLane = this.earliestLane();
        return true;
      }
    }
    if (this.heapSize === 0) return false;
    // The top is live (dropCancelledTop).
    this.time = this.keys[0];
    const slot = this.removeTop();
    this.kind = this.kinds[slot];
    this.payload = this.payloads[slot];
    this.live--;
    this.release(slot);
    return true;
  }

  /** Removes cancelled events from the top of the heap, so that heap[0], if any, is a live event. */
  private dropCancelledTop(): void {
    while (this.heapSize > 0 && this.states[this.keys[1] | 0] === CANCELLED) this.release(this.removeTop());
  }

  /** The lane whose event comes first by (time, sequence), or -1. */
  private earliestLane(): number {
    const times = this.laneTimes;
    let best = -1;
    let bestTime = Infinity;
    for (let l = 0; l < times.length; l++) {
      const t = times[l];
      if (t < bestTime || (t === bestTime && t !== Infinity && this.laneSequences[l] < this.laneSequences[best])) {
        best = l;
        bestTime = t;
      }
    }
    return best;
  }

  /** Returns a slot to the free list under a new generation, so that its old id no longer matches. */
  private release(slot: number): void {
    this.states[slot] = FREE;
    this.generations[slot] = (this.generations[slot] + 1) & GENERATION_MASK;
    this.freeSlots[this.freeCount++] = slot;
  }

  /** Removes the top of the heap and returns its slot (the heap must not be empty). */
  private removeTop(): number {
    const keys = this.keys;
    const top = keys[1] | 0;
    const n = --this.heapSize;
    // The last entry goes down from the root; its place holds Infinity again.
    const end = 2 * n;
    const lastTime = keys[end];
    const last = keys[end + 1];
    keys[end] = Infinity;
    if (n === 0) return top;
    // Positions in `keys` (twice the entry's index): the entry at j, its children at 2j + 2 and 2j + 4.
    let j = 0;
    for (;;) {
      let k = 2 * j + 2;
      if (k >= end) break;
      let childTime = keys[k];
      const rightTime = keys[k + 2];
      if (rightTime < childTime || (rightTime === childTime && k + 2 < end && this.before(keys[k + 3], keys[k + 1]))) {
        k += 2;
        childTime = rightTime;
      }
      if (lastTime < childTime || (lastTime === childTime && this.before(last, keys[k + 1]))) break;
      keys[j] = childTime;
      keys[j + 1] = keys[k + 1];
      j = k;
    }
    keys[j] = lastTime;
    keys[j + 1] = last;
    return top;
  }

  /** Whether slot a's event was scheduled before slot b's (two events at the same time). */
  private before(a: number, b: number): boolean {
    return this.sequences[a | 0] < this.sequences[b | 0];
  }

  /** A slot never used yet (none is free), growing the arrays when all are taken. */
  private newSlot(): number {
    if (this.usedSlots === this.kinds.length) this.grow();
    return this.usedSlots++;
  }

  private grow(): void {
    if (this.kinds.length >= MAX_SLOTS) throw new RangeError(`more than ${MAX_SLOTS} events pending at once`);
    const capacity = Math.min(this.kinds.length * 2, MAX_SLOTS);
    const keys = new Float64Array(2 * capacity + 2).fill(Infinity);
    keys.set(this.keys);
    this.keys = keys;
    this.sequences = grown(this.sequences, capacity);
    this.kinds = grown(this.kinds, capacity);
    this.payloads = grown(this.payloads, capacity);
    this.states = grown(this.states, capacity);
    this.generations = grown(this.generations, capacity);
    this.freeSlots = grown(this.freeSlots, capacity);
  }
}

// The errors are built apart from schedule() and lane(): a template string is
// long in bytecode, and V8 inlines a function into its caller only while the
// caller's inlined bytecode stays within a budget (920 bytes in Node 20).

function noTime(kind: number, what: 'payload' | 'lane', value: number): RangeError {
  return new RangeError(`an event needs a time, got NaN (kind ${kind}, ${what} ${value})`);
}

function laneTaken(lane: number): Error {
  return new Error(`lane ${lane} already holds an event`);
}

/**
 * Runs the queue's rarer paths (growth, a cancelled event at the top of the
 * heap, a lane beside the heap) on throwaway queues, 16 times over: V8 gives
 * a function the vector its feedback goes into only after 8 calls and
 * records nothing before, and optimised code meeting a path without feedback
 * is thrown away (deoptimised). A thread's preflight (src/sim/replication.ts)
 * calls it before the data path's functions are optimised.
 */
export function exerciseEventQueue(): void {
  for (let round = 0; round < 16; round++) {
    const q = new EventQueue(2, 1);
    for (let i = 0; i < 4; i++) q.cancel(q.schedule(i, 1, i));
    q.lane(0, 0.5, 0);
    q.schedule(4, 2, 0);
    while (q.pop());
  }
}
