/**
 * The future event list. An event is a (time, kind, payload) triple: what
 * happens, when, and to which record (a request, a pod, a node...). Events
 * come out in time order; two events at the same time come out in the order
 * they were scheduled, which keeps runs deterministic.
 *
 * A binary heap of event ids keyed by (time, sequence number); the events
 * themselves live in growable typed arrays, and ids are recycled, so
 * scheduling allocates nothing once the arrays are large enough. Cancelling
 * is lazy: the event is marked and skipped when it reaches the top.
 */
export class EventQueue {
  /** The event `pop()` returned: its time, kind and payload. */
  time = 0;
  kind = 0;
  payload = 0;

  private heap: Int32Array;
  private size_ = 0;
  private times: Float64Array;
  private seqs: Float64Array;
  private kinds: Int32Array;
  private payloads: Int32Array;
  private cancelled: Uint8Array;
  private free: Int32Array;
  private freeCount = 0;
  private nextId = 0;
  private seq = 0;

  constructor(capacity = 1024) {
    this.heap = new Int32Array(capacity);
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.kinds = new Int32Array(capacity);
    this.payloads = new Int32Array(capacity);
    this.cancelled = new Uint8Array(capacity);
    this.free = new Int32Array(capacity);
  }

  /** Events scheduled and not yet popped (cancelled ones included until they surface). */
  get size(): number {
    return this.size_;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.heap = g(this.heap);
    this.times = g(this.times);
    this.seqs = g(this.seqs);
    this.kinds = g(this.kinds);
    this.payloads = g(this.payloads);
    this.cancelled = g(this.cancelled);
    this.free = g(this.free);
  }

  /** Schedules an event; returns its id (valid until it is popped or skipped). */
  schedule(time: number, kind: number, payload: number): number {
    let id: number;
    if (this.freeCount > 0) id = this.free[--this.freeCount];
    else {
      if (this.nextId === this.times.length) this.grow();
      id = this.nextId++;
    }
    this.times[id] = time;
    this.seqs[id] = this.seq++;
    this.kinds[id] = kind;
    this.payloads[id] = payload;
    this.cancelled[id] = 0;
    // sift up
    const heap = this.heap;
    const times = this.times;
    const seqs = this.seqs;
    const s = seqs[id];
    let i = this.size_++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      const tp = times[p];
      if (tp < time || (tp === time && seqs[p] < s)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = id;
    return id;
  }

  /** Cancels a scheduled event (a no-op for -1). */
  cancel(id: number): void {
    if (id >= 0) this.cancelled[id] = 1;
  }

  /** The time of the next event, or Infinity. */
  peekTime(): number {
    while (this.size_ > 0 && this.cancelled[this.heap[0]]) this.removeTop();
    return this.size_ > 0 ? this.times[this.heap[0]] : Infinity;
  }

  /** Takes the next event into `time`, `kind`, `payload`; false when there is none. */
  pop(): boolean {
    for (;;) {
      if (this.size_ === 0) return false;
      const id = this.heap[0];
      const skip = this.cancelled[id] === 1;
      if (!skip) {
        this.time = this.times[id];
        this.kind = this.kinds[id];
        this.payload = this.payloads[id];
      }
      this.removeTop();
      if (!skip) return true;
    }
  }

  private removeTop(): void {
    const heap = this.heap;
    const times = this.times;
    const seqs = this.seqs;
    this.free[this.freeCount++] = heap[0];
    const n = --this.size_;
    if (n === 0) return;
    const last = heap[n];
    const t = times[last];
    const s = seqs[last];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n) {
        const tl = times[heap[child]];
        const tr = times[heap[right]];
        if (tr < tl || (tr === tl && seqs[heap[right]] < seqs[heap[child]])) child = right;
      }
      const c = heap[child];
      const tc = times[c];
      if (t < tc || (t === tc && s < seqs[c])) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}
