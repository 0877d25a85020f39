/**
 * A first-in, first-out queue of int32 values (record ids): what a pod's
 * waiting line is.
 *
 * A circular buffer in an Int32Array whose capacity is a power of two, so that
 * wrapping around is a bit mask. `push` and `shift` are O(1) and allocate
 * nothing until the buffer is full; then it doubles (unlike `Array.shift`,
 * which is O(n), and which made a 10⁶-request overload backlog take minutes).
 */
export class RingBuffer {
  private buffer: Int32Array;
  private mask: number;
  private head = 0;
  private count = 0;

  constructor(capacity = 16) {
    let size = 2;
    while (size < capacity) size *= 2;
    this.buffer = new Int32Array(size);
    this.mask = size - 1;
  }

  /** Values waiting. */
  get length(): number {
    return this.count;
  }

  /** Adds `value` at the back. */
  push(value: number): void {
    if (this.count === this.buffer.length) this.grow();
    this.buffer[(this.head + this.count) & this.mask] = value;
    this.count++;
  }

  /** Removes and returns the value at the front; -1 when empty (check `length` if -1 can be a value). */
  shift(): number {
    if (this.count === 0) return -1;
    const value = this.buffer[this.head];
    this.head = (this.head + 1) & this.mask;
    this.count--;
    return value;
  }

  /** The value at the front without removing it; -1 when empty. */
  peek(): number {
    return this.count === 0 ? -1 : this.buffer[this.head];
  }

  /** The i-th value from the front (0 = next out), for 0 ≤ i < length. */
  at(i: number): number {
    if (!(i >= 0 && i < this.count)) throw new RangeError(`index ${i} outside a queue of ${this.count}`);
    return this.buffer[(this.head + i) & this.mask];
  }

  /** Empties the queue, keeping its capacity. */
  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const next = new Int32Array(this.buffer.length * 2);
    // The values in order: from head to the end of the buffer, then the wrapped part.
    const firstPart = this.buffer.subarray(this.head, Math.min(this.head + this.count, this.buffer.length));
    next.set(firstPart);
    next.set(this.buffer.subarray(0, this.count - firstPart.length), firstPart.length);
    this.buffer = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}
