/**
 * Python 3's built-in `round(x)` for floats: to the nearest integer, ties to the even one
 * (`round(2.5) = 2`, `round(3.5) = 4`, `round(-1.5) = -2`). The official block size and crop use it,
 * so must we; the float16 writer rounds its subnormals with it.
 *
 * @param x - a finite number (exact for |x| < 2^52).
 * @returns the nearest integer, ties to even.
 */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor; // exact for |x| < 2^52
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
