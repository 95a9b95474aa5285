import type { RandomStream } from '@vjepa/core';

/**
 * A uniform random permutation of `0 … count−1` (Fisher–Yates), drawn from `rng`: the same seed gives
 * the same order on every platform.
 */
export function permutation(count: number, rng: RandomStream): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.nextInt(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * The index batches of one epoch: `order` cut into runs of `batchSize`; the last, shorter run is kept
 * unless `dropLast` (the official probe loader keeps it: `drop_last=False`).
 */
export function batchesOf(order: Int32Array, batchSize: number, dropLast: boolean): Int32Array[] {
  const batches: Int32Array[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.subarray(start, start + batchSize);
    if (batch.length === batchSize || !dropLast) batches.push(batch);
  }
  return batches;
}

/** The number of batches per epoch, as {@link batchesOf} cuts them. */
export function batchesPerEpoch(count: number, batchSize: number, dropLast: boolean): number {
  return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}
