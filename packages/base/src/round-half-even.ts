/**
 * Python 3's built-in `round(x)` for floats: to the nearest integer, ties to the even one
 * (`round(2.5) = 2`, `round(3.5) = 4`). The official block size uses it, so must we.
 */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor; // exact for |x| < 2^52
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
