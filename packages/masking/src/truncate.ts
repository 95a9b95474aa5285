import type { IndexBatch } from './types';

/**
 * Equalises a batch of sorted index lists by keeping the **first** `K` entries of each, where `K` is
 * the shortest list's length (capped at `maxKeep` when given). Official behaviour: since the lists
 * are sorted and tokens are time-major, this drops the latest-in-time, bottom-right indices; the
 * dropped indices are simply unused (they do not change side).
 */
export function truncateToShortest(lists: readonly Int32Array[], maxKeep: number | null = null): IndexBatch {
  let keep = Infinity;
  for (const list of lists) keep = Math.min(keep, list.length);
  if (maxKeep !== null) keep = Math.min(keep, maxKeep);
  if (lists.length === 0) keep = 0;
  const data = new Int32Array(lists.length * keep);
  lists.forEach((list, row) => data.set(list.subarray(0, keep), row * keep));
  return { data, shape: [lists.length, keep] };
}
