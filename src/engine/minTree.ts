/**
 * The leftmost smallest of n integer counts, kept up to date as the counts
 * change: a segment tree (a complete binary tree over the positions, each
 * inner node holding the smaller of its children). Changing one count and
 * finding the leftmost minimum both cost O(log n), where a scan costs O(n).
 *
 * "Least connections" choices use it (IPVS `lc`, an LB's `leastConnections`):
 * leftmost, because a scan in candidate order kept the first of equal counts,
 * and the choice must stay the same.
 */
const PAD = 0x7fffffff;

export class MinTree {
  private readonly size: number;
  private readonly tree: Int32Array;

  /** A tree over `counts` (read once, at construction). */
  constructor(readonly length: number, count: (i: number) => number) {
    let size = 1;
    while (size < length) size *= 2;
    this.size = size;
    this.tree = new Int32Array(2 * size).fill(PAD);
    for (let i = 0; i < length; i++) this.tree[size + i] = count(i);
    for (let j = size - 1; j >= 1; j--) this.tree[j] = Math.min(this.tree[2 * j], this.tree[2 * j + 1]);
  }

  set(i: number, value: number): void {
    const tree = this.tree;
    let j = this.size + i;
    tree[j] = value;
    for (j >>= 1; j >= 1; j >>= 1) {
      const m = tree[2 * j] <= tree[2 * j + 1] ? tree[2 * j] : tree[2 * j + 1];
      if (tree[j] === m) break;
      tree[j] = m;
    }
  }

  /** The leftmost position holding the smallest count (the tree must not be empty). */
  argmin(): number {
    const tree = this.tree;
    let j = 1;
    while (j < this.size) j = tree[2 * j] <= tree[2 * j + 1] ? 2 * j : 2 * j + 1;
    return j - this.size;
  }
}

/** Position of `x` in an ascending array, or -1. */
export function indexOfSorted(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid];
    if (v === x) return mid;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
