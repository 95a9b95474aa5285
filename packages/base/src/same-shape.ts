/**
 * Whether two shapes are the same: the same rank and the same size on every axis.
 *
 * @example
 * sameShape([2, 3], [2, 3]); // true
 * sameShape([6], [2, 3]); // false
 */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
