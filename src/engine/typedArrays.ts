/** Growing the typed arrays that hold records: a copy into a larger array of the same kind. */
export type Growable = Int32Array | Uint8Array | Float64Array;

export function grown<T extends Growable>(array: T, capacity: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity);
  next.set(array);
  return next;
}
