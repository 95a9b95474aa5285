/**
 * Crop boxes: the Inception-style random resized crop of the official video transforms (spec §10),
 * and the centre crop of the evaluation transform (spec §11.5).
 *
 * @packageDocumentation
 */
import { fail, roundHalfEven, type RandomStream } from '@vjepa/core';

/** A rectangle of a frame, in whole pixels: rows `top … top + height − 1`, columns `left … left + width − 1`. */
export interface CropBox {
  /** First row. */
  top: number;
  /** First column. */
  left: number;
  /** Number of rows. */
  height: number;
  /** Number of columns. */
  width: number;
}

/** Options of {@link sampleResizedCrop}, with the V-JEPA pretraining defaults. */
export interface ResizedCropOptions {
  /** Range of the crop area as a fraction of the frame area; default [0.3, 1.0]. */
  scale?: readonly [number, number];
  /** Range of the crop aspect ratio width/height, sampled log-uniformly; default [0.75, 1.35]. */
  ratio?: readonly [number, number];
  /** Tries before falling back to a centre crop; default 10. */
  maxTries?: number;
}

function checkRange(range: readonly [number, number], argument: string, positive: boolean): void {
  const ok =
    Array.isArray(range) &&
    range.length === 2 &&
    range.every((value) => Number.isFinite(value) && (!positive || value > 0)) &&
    range[0] <= range[1];
  if (!ok) fail(argument, `[low, high] with ${positive ? '0 < ' : ''}low <= high`, range);
}

/**
 * Samples the random resized crop of the official `_get_param_spatial_crop` (log-scale ratio):
 * up to `maxTries` times draw `target = U(scale)·H·W` and `aspect = exp(U(log ratio))`, take
 * `w = round(√(target·aspect))`, `h = round(√(target/aspect))` (round half to even), and accept when
 * `0 < w ≤ W` and `0 < h ≤ H` with `top ~ U{0…H−h}`, `left ~ U{0…W−w}`. Otherwise fall back to a
 * centre crop of the whole frame clamped to the ratio range. Draw order: area, ratio (per try), top, left.
 *
 * @param height - H of the frames.
 * @param width - W of the frames.
 * @param rng - the stream the draws come from.
 */
export function sampleResizedCrop(
  height: number,
  width: number,
  rng: RandomStream,
  options: ResizedCropOptions = {},
): CropBox {
  const { scale = [0.3, 1.0], ratio = [0.75, 1.35], maxTries = 10 } = options;
  if (!Number.isSafeInteger(height) || height < 1) fail('height', 'a positive integer', height);
  if (!Number.isSafeInteger(width) || width < 1) fail('width', 'a positive integer', width);
  checkRange(scale, 'scale', false);
  checkRange(ratio, 'ratio', true);
  if (!Number.isSafeInteger(maxTries) || maxTries < 0) fail('maxTries', 'a non-negative integer', maxTries);
  const area = height * width;
  const logLow = Math.log(ratio[0]);
  const logHigh = Math.log(ratio[1]);
  for (let attempt = 0; attempt < maxTries; attempt++) {
    const targetArea = (scale[0] + (scale[1] - scale[0]) * rng.nextFloat()) * area;
    const aspect = Math.exp(logLow + (logHigh - logLow) * rng.nextFloat());
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.nextInt(0, height - h);
      const left = rng.nextInt(0, width - w);
      return { top, left, height: h, width: w };
    }
  }
  return centreRatioCrop(height, width, ratio);
}

/** The fallback of {@link sampleResizedCrop}: the largest centred box whose ratio lies in `ratio`. */
export function centreRatioCrop(height: number, width: number, ratio: readonly [number, number]): CropBox {
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < Math.min(...ratio)) h = roundHalfEven(w / Math.min(...ratio));
  else if (inRatio > Math.max(...ratio)) w = roundHalfEven(h * Math.max(...ratio));
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/** A `size`-sized box centred in a `height × width` frame, offsets `round((L − size) / 2)` (spec §11.5). */
export function centreCrop(height: number, width: number, size: { height: number; width: number }): CropBox {
  if (size.height > height || size.width > width) {
    fail('size', `at most the frame size ${height}x${width}`, `${size.height}x${size.width}`);
  }
  return {
    top: roundHalfEven((height - size.height) / 2),
    left: roundHalfEven((width - size.width) / 2),
    height: size.height,
    width: size.width,
  };
}
