/**
 * A map from non-negative integer keys (below 2^53) to non-negative int32
 * values, in typed arrays: open addressing with linear probing, at most half
 * full. A lookup reads one or two neighbouring cells where a `Map` of
 * hundreds of thousands of entries walks a hash chain through scattered
 * objects: ClientIP affinity (kubeProxy.ts) asks one per new connection, with
 * a row per (client, node, Service) that saw traffic.
 *
 * Entries leave only all at once, by `retain()`, which rebuilds the table
 * from the entries it keeps: no tombstones, and lookups stay short.
 */
const EMPTY = -1;
const TWO_POW_32 = 4294967296;

export class IntTable {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  /** 32 − log2(cells): a hash's top bits pick the cell (a multiplicative hash's low bits are its weakest). */
  private shift: number;
  private count = 0;

  constructor(capacity = 1024) {
    let cells = 16;
    while (cells < 2 * capacity) cells *= 2;
    this.keys = new Float64Array(cells);
    this.values = new Int32Array(cells).fill(EMPTY);
    this.mask = cells - 1;
    this.shift = 32 - Math.log2(cells);
  }

  /** Entries in the table. */
  get size(): number {
    return this.count;
  }

  /** The first cell to probe for `key`: a multiplicative hash of both 32-bit halves. */
  private home(key: number): number {
    const low = key >>> 0;
    const high = (key / TWO_POW_32) | 0;
    return Math.imul(low ^ Math.imul(high, 0x9e3779b9), 0x9e3779b1) >>> this.shift;
  }

  /** The value of `key`, or -1 when it has none. */
  get(key: number): number {
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    for (let i = this.home(key); ; i = (i + 1) & mask) {
      const v = values[i];
      if (v === EMPTY || keys[i] === key) return v;
    }
  }

  /** Sets `key`'s value (an int32 ≥ 0). */
  set(key: number, value: number): void {
    if (!(value >= 0 && value <= 0x7fffffff && Number.isInteger(value))) throw new RangeError(`an IntTable value is an int32 ≥ 0, got ${value}`);
    if (!(key >= 0 && Number.isSafeInteger(key))) throw new RangeError(`an IntTable key is an integer in [0, 2^53), got ${key}`);
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    for (let i = this.home(key); ; i = (i + 1) & mask) {
      if (values[i] === EMPTY) {
        keys[i] = key;
        values[i] = value;
        if (++this.count * 2 > mask + 1) this.rebuild(2 * (mask + 1), () => true);
        return;
      }
      if (keys[i] === key) {
        values[i] = value;
        return;
      }
    }
  }

  /** Whether one more key would make the table grow (past half full). */
  get full(): boolean {
    return (this.count + 1) * 2 > this.mask + 1;
  }

  /**
   * Keeps only the entries for which `keep(key, value)` holds. A full table
   * is rebuilt at twice its size, the growth its next key would cause: a
   * caller that sweeps when the table is full moves each entry once per
   * doubling, as growth alone does.
   */
  retain(keep: (key: number, value: number) => boolean): void {
    this.rebuild(this.full ? 2 * (this.mask + 1) : this.mask + 1, keep);
  }

  private rebuild(cells: number, keep: (key: number, value: number) => boolean): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Float64Array(cells);
    this.values = new Int32Array(cells).fill(EMPTY);
    this.mask = cells - 1;
    this.shift = 32 - Math.log2(cells);
    this.count = 0;
    const keys = this.keys;
    const values = this.values;
    for (let j = 0; j < oldValues.length; j++) {
      const v = oldValues[j];
      if (v === EMPTY || !keep(oldKeys[j], v)) continue;
      let i = this.home(oldKeys[j]);
      while (values[i] !== EMPTY) i = (i + 1) & this.mask;
      keys[i] = oldKeys[j];
      values[i] = v;
      this.count++;
    }
  }
}
