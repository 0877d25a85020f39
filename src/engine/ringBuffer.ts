/**
 * A FIFO queue of integers (record ids) in a growable circular buffer: what a
 * pod's waiting line is. Push and shift are O(1) and allocate nothing until
 * the buffer has to grow (unlike `Array.shift`, which is O(n)).
 */
export class RingBuffer {
  private buf: Int32Array;
  private head = 0;
  private length_ = 0;

  constructor(capacity = 16) {
    this.buf = new Int32Array(Math.max(2, capacity));
  }

  get length(): number {
    return this.length_;
  }

  push(x: number): void {
    if (this.length_ === this.buf.length) this.grow();
    this.buf[(this.head + this.length_) % this.buf.length] = x;
    this.length_++;
  }

  /** Removes and returns the oldest element; -1 when empty. */
  shift(): number {
    if (this.length_ === 0) return -1;
    const x = this.buf[this.head];
    this.head = (this.head + 1) % this.buf.length;
    this.length_--;
    return x;
  }

  peek(): number {
    return this.length_ === 0 ? -1 : this.buf[this.head];
  }

  /** The i-th oldest element (0 = next out). */
  at(i: number): number {
    return this.buf[(this.head + i) % this.buf.length];
  }

  clear(): void {
    this.head = 0;
    this.length_ = 0;
  }

  private grow(): void {
    const next = new Int32Array(this.buf.length * 2);
    for (let i = 0; i < this.length_; i++) next[i] = this.buf[(this.head + i) % this.buf.length];
    this.buf = next;
    this.head = 0;
  }
}
