/**
 * Bilinear resampling on host typed arrays, numerically PyTorch's `interpolate(mode='bilinear',
 * align_corners=False)` without antialiasing: source coordinate `(dst + 0.5) · in/out − 0.5`, clamped at 0,
 * neighbours `i0 = ⌊src⌋`, `i1 = min(i0 + 1, in − 1)`. One pass does crop, resize, window, flip and
 * normalisation, writing float32 channels-last frames straight into a batch buffer.
 *
 * @packageDocumentation
 */
import { fail } from '@vjepa/core';
import type { CropBox } from './crop';

/** Per-axis lookup: for each output position, the two source positions and the weight of the second. */
interface AxisTable {
  first: Int32Array;
  second: Int32Array;
  weight: Float64Array;
}

/**
 * The source neighbours of `count` output positions starting at `windowStart` of an axis of `outSize`
 * positions resized from `boxSize` source positions starting at `boxStart`; reversed when `flip`.
 */
function axisTable(boxStart: number, boxSize: number, outSize: number, windowStart: number, count: number, flip: boolean): AxisTable {
  const first = new Int32Array(count);
  const second = new Int32Array(count);
  const weight = new Float64Array(count);
  const scale = boxSize / outSize;
  for (let k = 0; k < count; k++) {
    const dst = windowStart + (flip ? count - 1 - k : k);
    const src = Math.max((dst + 0.5) * scale - 0.5, 0);
    const i0 = Math.min(Math.floor(src), boxSize - 1);
    const i1 = i0 < boxSize - 1 ? i0 + 1 : i0;
    first[k] = boxStart + i0;
    second[k] = boxStart + i1;
    weight[k] = src - i0;
  }
  return { first, second, weight };
}

/** Where and how {@link resampleFrames} reads and writes. */
export interface ResampleSpec {
  /** Region of each source frame to resize (default: the whole frame). */
  box?: CropBox;
  /** Rows the box is resized to. */
  outHeight: number;
  /** Columns the box is resized to. */
  outWidth: number;
  /** Part of the resized image to keep (default: all of it); used by resize-then-crop transforms. */
  window?: CropBox;
  /** Mirror the kept window left-right. */
  flip?: boolean;
  /** Per-channel value subtracted after resizing (default 0). */
  subtract?: readonly number[];
  /** Per-channel divisor applied after subtracting (default 1). */
  divide?: readonly number[];
}

/**
 * Resamples `frames` frames of `height × width × channels` (channels-last, uint8 or float) by
 * `spec`, writing `frames · window.height · window.width · channels` float32 values into `out` from
 * `offset`. Every frame uses the same box, size, window and flip.
 *
 * @returns the number of values written.
 */
export function resampleFrames(
  source: Uint8Array | Float32Array,
  frames: number,
  height: number,
  width: number,
  channels: number,
  spec: ResampleSpec,
  out: Float32Array,
  offset = 0,
): number {
  const box = spec.box ?? { top: 0, left: 0, height, width };
  const window = spec.window ?? { top: 0, left: 0, height: spec.outHeight, width: spec.outWidth };
  checkGeometry(source, frames, height, width, channels, box, spec, window);
  const rows = axisTable(box.top, box.height, spec.outHeight, window.top, window.height, false);
  const cols = axisTable(box.left, box.width, spec.outWidth, window.left, window.width, spec.flip === true);
  const subtract = spec.subtract ?? new Array<number>(channels).fill(0);
  const divide = spec.divide ?? new Array<number>(channels).fill(1);
  const written = frames * window.height * window.width * channels;
  if (offset < 0 || offset + written > out.length) fail('out', `room for ${written} values from offset ${offset}`, out);
  const inverse = divide.map((value) => 1 / value);
  const frameSize = height * width * channels;
  const rowSize = width * channels;
  let target = offset;
  for (let t = 0; t < frames; t++) {
    const base = t * frameSize;
    for (let y = 0; y < window.height; y++) {
      const top = base + rows.first[y] * rowSize;
      const bottom = base + rows.second[y] * rowSize;
      const wy = rows.weight[y];
      for (let x = 0; x < window.width; x++) {
        const left = cols.first[x] * channels;
        const right = cols.second[x] * channels;
        const wx = cols.weight[x];
        for (let c = 0; c < channels; c++) {
          const upper = source[top + left + c] * (1 - wx) + source[top + right + c] * wx;
          const lower = source[bottom + left + c] * (1 - wx) + source[bottom + right + c] * wx;
          out[target++] = (upper * (1 - wy) + lower * wy - subtract[c]) * inverse[c];
        }
      }
    }
  }
  return written;
}

function checkGeometry(
  source: Uint8Array | Float32Array,
  frames: number,
  height: number,
  width: number,
  channels: number,
  box: CropBox,
  spec: ResampleSpec,
  window: CropBox,
): void {
  for (const [name, value] of [['frames', frames], ['height', height], ['width', width], ['channels', channels], ['outHeight', spec.outHeight], ['outWidth', spec.outWidth]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) fail(name, 'a positive integer', value);
  }
  if (source.length !== frames * height * width * channels) {
    fail('source', `${frames}·${height}·${width}·${channels} = ${frames * height * width * channels} values`, source);
  }
  const inside = (b: CropBox, h: number, w: number) =>
    [b.top, b.left, b.height, b.width].every(Number.isSafeInteger) &&
    b.top >= 0 && b.left >= 0 && b.height >= 1 && b.width >= 1 && b.top + b.height <= h && b.left + b.width <= w;
  if (!inside(box, height, width)) fail('box', `a box inside the ${height}x${width} frame`, box);
  if (!inside(window, spec.outHeight, spec.outWidth)) {
    fail('window', `a box inside the ${spec.outHeight}x${spec.outWidth} resized frame`, window);
  }
  const subtract = spec.subtract;
  const divide = spec.divide;
  if (subtract !== undefined && subtract.length !== channels) fail('subtract', `${channels} values`, subtract);
  if (divide !== undefined && (divide.length !== channels || divide.some((value) => value === 0))) {
    fail('divide', `${channels} non-zero values`, divide);
  }
}

/**
 * Resizes `frames` channels-last frames to `outHeight × outWidth` with PyTorch's bilinear rule
 * (align_corners=False, no antialias) and returns them as float32.
 *
 * @example
 * ```ts
 * resizeBilinear(new Float32Array([1, 2, 3, 4]), 1, 2, 2, 1, 4, 4);
 * // rows [1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]
 * ```
 */
export function resizeBilinear(
  source: Uint8Array | Float32Array,
  frames: number,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  const out = new Float32Array(frames * outHeight * outWidth * channels);
  resampleFrames(source, frames, height, width, channels, { outHeight, outWidth }, out, 0);
  return out;
}
