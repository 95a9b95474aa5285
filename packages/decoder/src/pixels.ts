/**
 * Host-side pixels of one clip (no tfjs): tokens ⇄ frames in `patchify`'s order, and the clip's
 * normalised values back to colours in [0, 1]. What the sheet and the baselines work on.
 */
import { fail } from '@vjepa/core';

/** The geometry of one clip `[T, H, W, C]` cut into tubelets `t × p × p`. */
export interface ClipGeometry {
  frames: number;
  height: number;
  width: number;
  channels: number;
  tubelet: number;
  patch: number;
}

/** One clip `[T, H, W, C]` on the host, row-major. */
export interface HostClip {
  geometry: ClipGeometry;
  data: Float32Array;
}

/** The token grid of a geometry: `T/t × H/p × W/p`. */
export function clipGrid(g: ClipGeometry): { depth: number; height: number; width: number } {
  return { depth: g.frames / g.tubelet, height: g.height / g.patch, width: g.width / g.patch };
}

/** Values per token, `t · p · p · C`. */
export function valuesPerToken(g: ClipGeometry): number {
  return g.tubelet * g.patch * g.patch * g.channels;
}

function checkClip(clip: HostClip): void {
  const g = clip.geometry;
  if (clip.data.length !== g.frames * g.height * g.width * g.channels) {
    fail('clip.data', `${g.frames}·${g.height}·${g.width}·${g.channels} values`, clip.data.length);
  }
  if (g.frames % g.tubelet !== 0 || g.height % g.patch !== 0 || g.width % g.patch !== 0) {
    fail('clip.geometry', 'frames a multiple of tubelet, height and width multiples of patch', g);
  }
}

/**
 * Calls `visit(token, offset, pixel)` for every value of every token: `offset` inside the token
 * (`patchify`'s `[t, p, p, C]` order), `pixel` in the clip `[T, H, W, C]`.
 */
function forEachTokenValue(g: ClipGeometry, tokens: Iterable<number>, visit: (k: number, offset: number, pixel: number) => void): void {
  const grid = clipGrid(g);
  let k = 0;
  for (const token of tokens) {
    const tt = Math.floor(token / (grid.height * grid.width));
    const hh = Math.floor(token / grid.width) % grid.height;
    const ww = token % grid.width;
    let offset = 0;
    for (let dt = 0; dt < g.tubelet; dt++) {
      for (let dy = 0; dy < g.patch; dy++) {
        const row = ((tt * g.tubelet + dt) * g.height + hh * g.patch + dy) * g.width + ww * g.patch;
        for (let dx = 0; dx < g.patch; dx++) {
          for (let c = 0; c < g.channels; c++) visit(k, offset++, (row + dx) * g.channels + c);
        }
      }
    }
    k++;
  }
}

/** The values of the tokens `tokenIds` of a clip: `[K, t·p·p·C]`, as `patchify` then a gather give them. */
export function clipTokens(clip: HostClip, tokenIds: ArrayLike<number>): Float32Array {
  checkClip(clip);
  const per = valuesPerToken(clip.geometry);
  const out = new Float32Array(tokenIds.length * per);
  forEachTokenValue(clip.geometry, Array.from(tokenIds), (k, offset, pixel) => {
    out[k * per + offset] = clip.data[pixel];
  });
  return out;
}

/** A copy of `clip` with the tokens `tokenIds` replaced by `values` `[K, t·p·p·C]`. */
export function pasteTokens(clip: HostClip, tokenIds: ArrayLike<number>, values: Float32Array): HostClip {
  checkClip(clip);
  const per = valuesPerToken(clip.geometry);
  if (values.length !== tokenIds.length * per) fail('values', `${tokenIds.length}·${per} values, one token each`, values.length);
  const data = Float32Array.from(clip.data);
  forEachTokenValue(clip.geometry, Array.from(tokenIds), (k, offset, pixel) => {
    data[pixel] = values[k * per + offset];
  });
  return { geometry: clip.geometry, data };
}

/**
 * Normalised values (`(x − mean) / std` per channel, the last axis) back to colours `x` in [0, 1],
 * clamped. Works on clips and on token values alike (both end with the channel).
 */
export function denormalize(values: Float32Array, mean: readonly number[], std: readonly number[]): Float32Array {
  const channels = mean.length;
  if (std.length !== channels) fail('std', `${channels} values, one per channel`, std.length);
  return values.map((v, i) => Math.min(1, Math.max(0, v * std[i % channels] + mean[i % channels])));
}
