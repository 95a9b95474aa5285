/**
 * What a decoding is judged against, on the host in colours [0, 1]: the mean absolute error on the
 * masked tokens, and two predictions that need no features at all.
 */
import { fail } from '@vjepa/core';
import { clipGrid, clipTokens, valuesPerToken, type HostClip } from './pixels';

/** Mean `|a − b|` over every value. */
export function meanAbsError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length || a.length === 0) fail('b', `${a.length} values, as many as a (at least one)`, b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** The clip's mean colour (per channel, over every pixel) at each of `count` tokens: `[count, t·p·p·C]`. */
export function meanColourPrediction(clip: HostClip, count: number): Float32Array {
  const { channels } = clip.geometry;
  const mean = new Float64Array(channels);
  clip.data.forEach((v, i) => (mean[i % channels] += v));
  const pixels = clip.data.length / channels;
  const per = valuesPerToken(clip.geometry);
  return Float32Array.from({ length: count * per }, (_, i) => mean[i % channels] / pixels);
}

/**
 * Each target token copied from the nearest visible (context) token in time at the same place; where
 * that place is hidden at every time (a tube mask), from the nearest visible place, then nearest time.
 * Ties go to the earlier token. `[K_tgt, t·p·p·C]`.
 */
export function nearestVisiblePrediction(clip: HostClip, contextIds: ArrayLike<number>, targetIds: ArrayLike<number>): Float32Array {
  if (contextIds.length === 0) fail('contextIds', 'at least one visible token', 0);
  const grid = clipGrid(clip.geometry);
  const coords = (token: number) => [Math.floor(token / (grid.height * grid.width)), Math.floor(token / grid.width) % grid.height, token % grid.width];
  const context = Array.from(contextIds).sort((a, b) => a - b);
  const timeWeight = grid.depth * grid.depth + 1; // any change of place outweighs every change of time
  const nearest = Array.from(targetIds, (target) => {
    const [t, h, w] = coords(target);
    let best = context[0];
    let bestKey = Number.POSITIVE_INFINITY;
    for (const token of context) {
      const [ct, ch, cw] = coords(token);
      const key = ((ch - h) ** 2 + (cw - w) ** 2) * timeWeight + (ct - t) ** 2;
      if (key < bestKey) [best, bestKey] = [token, key];
    }
    return best;
  });
  return clipTokens(clip, nearest);
}
