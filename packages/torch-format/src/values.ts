/**
 * The JavaScript forms of the Python values a checkpoint holds. `None` → null, `bool` → boolean, `int` →
 * number (BigInt beyond ±2^53), `float` → number, `str` → string, `bytes` → Uint8Array, `list` → Array,
 * `tuple` → {@link PyTuple}, `dict` → Map, `collections.OrderedDict` → {@link PyOrderedDict}, `set` →
 * Set, tensors → {@link TorchTensor} (in `tensor.ts`).
 *
 * @packageDocumentation
 */

/** A Python tuple: an Array that remembers it was a tuple (so a writer writes it back as one). */
export class PyTuple<T = unknown> extends Array<T> {
  static override get [Symbol.species]() {
    return Array;
  }
}

/** A tuple of `items` (use this, not `new PyTuple(n)`, which makes `n` holes as `new Array(n)` does). */
export function pyTuple<T>(items: readonly T[]): PyTuple<T> {
  const tuple = new PyTuple<T>();
  for (const item of items) tuple.push(item);
  return tuple;
}

/** A Python `collections.OrderedDict` (a state dict): a Map that is written back as an OrderedDict. */
export class PyOrderedDict<K = unknown, V = unknown> extends Map<K, V> {}

/** A number to be written as a Python `float` even when it is integral (`1.0`, `0.0`). */
export class PyFloat {
  /** @param value - the float. */
  constructor(readonly value: number) {}
}

/** Where a tensor's elements live: one storage record of the file. */
export interface StorageRef {
  /** The record key (`data/<key>` in the zip format). */
  readonly key: string;
  /** Its element type. */
  readonly dtype: import('./dtypes').TorchDtype;
  /** Elements in the storage. */
  readonly numel: number;
  /** The device it was saved from (`cpu`, `cuda:0`); recorded, not needed. */
  readonly location: string;
  /** Elements into the record where this storage begins (non-zero only for legacy storage views). */
  readonly recordOffset: number;
}
