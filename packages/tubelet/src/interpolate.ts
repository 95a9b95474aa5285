/**
 * Trilinear resizing of a positional table to another token grid, as the official encoder does when a clip's
 * size differs from the configured one (spec §2, last paragraph): the `(N, D)` table is viewed as
 * `(T', H', W', D)`, resized with PyTorch `F.interpolate(mode='trilinear', scale_factor=…, align_corners=False)`
 * and flattened back in (t, h, w) order.
 *
 * Index rule (PyTorch `area_pixel_compute_source_index`, align_corners=False, linear modes), per axis:
 *   ratio = 1/scale when a scale factor is given (as the official code does), else in/out;
 *   src = max(0, ratio·(dst + 0.5) − 0.5); i0 = min(floor(src), in−1); i1 = min(i0+1, in−1);
 *   λ1 = clamp(src − i0, 0, 1), λ0 = 1 − λ1; an axis whose output size equals its input size is copied exactly.
 * The output size along an axis is floor(in·scale) in float64, as in PyTorch's `compute_output_size`.
 *
 * Precision: PyTorch computes ratio, src and λ in float32 and sums the 8 weighted corners in float32. We compute
 * them in float64 from the float32 inputs and round once to float32, so results agree with PyTorch to float32
 * rounding (about 1e-7 relative), not bit for bit. Linear interpolation is continuous in src, so the float32
 * rounding of src inside PyTorch cannot move a result by more than that.
 */
import { checkKeys, optionKeys } from '@vjepa/core';
import { assertTokenGrid, describeValue, tokenCount, type TokenGrid } from './grid';

/** Per-output-position taps of a 1-D linear resize: `out[i] = λ0[i]·in[index0[i]] + λ1[i]·in[index1[i]]`. */
export interface LinearResizeTaps {
  /** Lower source index of each output position, shape (out,). */
  readonly index0: Int32Array;
  /** Upper source index, `min(index0 + 1, in − 1)`, shape (out,). */
  readonly index1: Int32Array;
  /** Weight of `index0`, shape (out,). */
  readonly lambda0: Float64Array;
  /** Weight of `index1`, shape (out,). */
  readonly lambda1: Float64Array;
}

function assertScale(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${where}: ${name} must be a positive finite number; received ${describeValue(value)}.`);
  }
}

function assertSize(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${where}: ${name} must be a positive integer; received ${describeValue(value)}.`);
  }
}

/**
 * Output length PyTorch gives an axis of length `inSize` resized by `scaleFactor`: `floor(inSize · scaleFactor)`
 * in float64. Note that `floor(14 · (61/14))` is 60, not 61: float64 rounding can lose one position.
 */
export function interpolatedSize(inSize: number, scaleFactor: number): number {
  assertSize('interpolatedSize', 'inSize', inSize);
  assertScale('interpolatedSize', 'scaleFactor', scaleFactor);
  return Math.floor(inSize * scaleFactor);
}

/**
 * Source indices and weights of PyTorch's 1-D linear resize with align_corners=False (see the module comment).
 *
 * @param scaleFactor - the scale factor passed to `F.interpolate`; when given, the source step is `1/scaleFactor`
 *   (PyTorch's rule), otherwise `inSize/outSize`.
 */
export function linearResizeTaps(inSize: number, outSize: number, scaleFactor?: number): LinearResizeTaps {
  const where = 'linearResizeTaps';
  assertSize(where, 'inSize', inSize);
  assertSize(where, 'outSize', outSize);
  if (scaleFactor !== undefined) assertScale(where, 'scaleFactor', scaleFactor);
  const index0 = new Int32Array(outSize);
  const index1 = new Int32Array(outSize);
  const lambda0 = new Float64Array(outSize);
  const lambda1 = new Float64Array(outSize);
  const ratio = scaleFactor !== undefined ? 1 / scaleFactor : inSize / outSize;
  for (let dst = 0; dst < outSize; dst++) {
    if (outSize === inSize) {
      // PyTorch copies an axis whose size does not change, whatever the scale factor says.
      index0[dst] = index1[dst] = dst;
      lambda0[dst] = 1;
      continue;
    }
    const src = Math.max(0, ratio * (dst + 0.5) - 0.5);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const weight1 = Math.min(Math.max(src - i0, 0), 1);
    index0[dst] = i0;
    index1[dst] = Math.min(i0 + 1, inSize - 1);
    lambda0[dst] = 1 - weight1;
    lambda1[dst] = weight1;
  }
  return { index0, index1, lambda0, lambda1 };
}

/** Options of {@link resizeTrilinear}. */
export interface ResizeTrilinearOptions {
  /** C: values per grid cell (the table width D). */
  channels: number;
  /** Grid of the input. */
  from: TokenGrid;
  /** Scale factors `[time, height, width]`, as passed to `F.interpolate(scale_factor=…)`. */
  scaleFactor: readonly [number, number, number];
}

/** Result of {@link resizeTrilinear}. */
export interface ResizeTrilinearResult {
  /** Resized values, shape (T'', H'', W'', C), row-major, float32. */
  data: Float32Array;
  /** Grid of the output: `floor(from · scaleFactor)` per axis. */
  grid: TokenGrid;
}

/**
 * PyTorch `F.interpolate(x, scale_factor, mode='trilinear', align_corners=False)` on a channels-last volume.
 *
 * @param input - shape (T', H', W', C), row-major (a positional table `(N, D)` is already in this layout).
 */
export function resizeTrilinear(input: Float32Array | Float64Array, options: ResizeTrilinearOptions): ResizeTrilinearResult {
  const where = 'resizeTrilinear';
  checkKeys(`${where}: options`, options, optionKeys<ResizeTrilinearOptions>({ channels: true, from: true, scaleFactor: true }));
  const { channels, from, scaleFactor } = options;
  assertSize(where, 'channels', channels);
  assertTokenGrid(where, 'from', from);
  if (!Array.isArray(scaleFactor) || scaleFactor.length !== 3) {
    throw new Error(`${where}: scaleFactor must be [time, height, width]; received ${describeValue(scaleFactor)}.`);
  }
  scaleFactor.forEach((s, axis) => assertScale(where, `scaleFactor[${axis}]`, s));
  if (!(input instanceof Float32Array || input instanceof Float64Array)) {
    throw new Error(`${where}: input must be a Float32Array or Float64Array; received ${describeValue(input)}.`);
  }
  const expected = tokenCount(from) * channels;
  if (input.length !== expected) {
    throw new Error(
      `${where}: input must hold ${from.depth}·${from.height}·${from.width}·${channels} = ${expected} values ` +
        `(grid × channels); received ${input.length}.`,
    );
  }
  const grid: TokenGrid = {
    depth: Math.floor(from.depth * scaleFactor[0]),
    height: Math.floor(from.height * scaleFactor[1]),
    width: Math.floor(from.width * scaleFactor[2]),
  };
  if (grid.depth < 1 || grid.height < 1 || grid.width < 1) {
    throw new Error(
      `${where}: scaleFactor ${describeValue(scaleFactor)} shrinks the grid ${describeValue(from)} to ` +
        `${describeValue(grid)}; every axis needs at least one position.`,
    );
  }

  const tapsT = linearResizeTaps(from.depth, grid.depth, scaleFactor[0]);
  const tapsH = linearResizeTaps(from.height, grid.height, scaleFactor[1]);
  const tapsW = linearResizeTaps(from.width, grid.width, scaleFactor[2]);
  const data = new Float32Array(grid.depth * grid.height * grid.width * channels); // (T'', H'', W'', C)
  const corner = new Int32Array(8); // offsets of the 8 source cells, order (t, h, w) ∈ {0,1}³, w fastest
  const weight = new Float64Array(8);
  let out = 0;
  for (let t = 0; t < grid.depth; t++) {
    for (let h = 0; h < grid.height; h++) {
      for (let w = 0; w < grid.width; w++, out += channels) {
        for (let k = 0; k < 8; k++) {
          const it = k & 4 ? tapsT.index1[t] : tapsT.index0[t];
          const ih = k & 2 ? tapsH.index1[h] : tapsH.index0[h];
          const iw = k & 1 ? tapsW.index1[w] : tapsW.index0[w];
          corner[k] = ((it * from.height + ih) * from.width + iw) * channels;
          weight[k] =
            (k & 4 ? tapsT.lambda1[t] : tapsT.lambda0[t]) *
            (k & 2 ? tapsH.lambda1[h] : tapsH.lambda0[h]) *
            (k & 1 ? tapsW.lambda1[w] : tapsW.lambda0[w]);
        }
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let k = 0; k < 8; k++) sum += weight[k] * input[corner[k] + c];
          data[out + c] = sum;
        }
      }
    }
  }
  return { data, grid };
}

/** Options of {@link interpolatePosEmbed}. */
export interface InterpolatePosEmbedOptions {
  /** D: width of a table row. */
  dim: number;
  /** Grid the table was built for (the configured clip: 8×14×14 for 16 frames at 224 px). */
  from: TokenGrid;
  /** Grid of the clip actually fed to the encoder. */
  to: TokenGrid;
}

/**
 * Resizes a positional table `(N, D)` from grid `from` to grid `to` exactly as the official encoder's
 * `interpolate_pos_encoding`: scale factors `to/from` per axis (float64 division, as in Python), trilinear,
 * align_corners=False. Height and width may differ, in `from` and in `to`.
 *
 * @param table - shape (T'·H'·W', D) in token order.
 * @returns a new float32 table, shape (T''·H''·W'', D) in token order; an exact copy when `to` equals `from`.
 * @throws Error when the arguments are invalid, or when PyTorch's `floor(from · (to/from))` loses a position
 *   (e.g. 14 → 61 gives 60), in which case the official encoder fails too.
 */
export function interpolatePosEmbed(table: Float32Array | Float64Array, options: InterpolatePosEmbedOptions): Float32Array {
  const where = 'interpolatePosEmbed';
  checkKeys(`${where}: options`, options, optionKeys<InterpolatePosEmbedOptions>({ dim: true, from: true, to: true }));
  const { dim, from, to } = options;
  assertSize(where, 'dim', dim);
  assertTokenGrid(where, 'from', from);
  assertTokenGrid(where, 'to', to);
  if (!(table instanceof Float32Array || table instanceof Float64Array)) {
    throw new Error(`${where}: table must be a Float32Array or Float64Array; received ${describeValue(table)}.`);
  }
  if (table.length !== tokenCount(from) * dim) {
    throw new Error(
      `${where}: table must hold N·D = ${tokenCount(from)}·${dim} = ${tokenCount(from) * dim} values for grid ` +
        `${from.depth}×${from.height}×${from.width}; received ${table.length}.`,
    );
  }
  const scaleFactor = [to.depth / from.depth, to.height / from.height, to.width / from.width] as const;
  const axes = ['depth', 'height', 'width'] as const;
  axes.forEach((axis, i) => {
    const size = Math.floor(from[axis] * scaleFactor[i]);
    if (size !== to[axis]) {
      throw new Error(
        `${where}: to.${axis} = ${to[axis]} cannot be reached from from.${axis} = ${from[axis]}: PyTorch's ` +
          `scale-factor interpolation gives floor(${from[axis]} · ${scaleFactor[i]}) = ${size} in float64, ` +
          'so the official encoder fails on this size too. Choose a neighbouring size.',
      );
    }
  });
  if (to.depth === from.depth && to.height === from.height && to.width === from.width) {
    return Float32Array.from(table); // PyTorch copies unchanged axes; a copy also keeps non-finite values intact
  }
  return resizeTrilinear(table, { channels: dim, from, scaleFactor }).data;
}
