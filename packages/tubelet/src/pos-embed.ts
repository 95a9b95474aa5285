/**
 * The fixed 3-D sin-cos positional table of V-JEPA (spec §2), computed in float64 like the official numpy
 * code and cast to float32 once at the end.
 */
import { checkKeys, optionKeys } from '@vjepa/core';
import { assertPositiveInteger, describeValue } from './grid';

/** Options of {@link sincosPosEmbed3d}. */
export interface SincosPosEmbed3dOptions {
  /** D: width of a row (encoder width, or predictor width P for the predictor's table). */
  dim: number;
  /** T': tubelets along time (8 for 16 frames, tubelet 2). */
  gridDepth: number;
  /** H': patch rows (14 at 224 px, 24 at 384 px). */
  gridHeight: number;
  /** W': patch columns (usually equal to `gridHeight`). */
  gridWidth: number;
  /**
   * true: each axis gets `2·ceil(D/6)` dims and the concatenation is cut to D columns;
   * false: time D/2, height D/4, width D/4 (D must be a multiple of 8).
   * Default true: every released V-JEPA config sets `uniform_power: true` (the official class default is false).
   */
  uniformPower?: boolean;
}

/**
 * 1-D sin-cos embedding of `positions`, block layout: row = `[sin(x·ω_0) … sin(x·ω_{k−1}), cos(x·ω_0) … cos(x·ω_{k−1})]`
 * with `k = dim/2` and `ω_i = 1 / 10000^(i/k)`.
 *
 * @param dim - row width; a positive even integer.
 * @param positions - M finite positions (integers in V-JEPA, but any finite number works).
 * @returns float64 rows, shape (M, dim), row-major.
 */
export function sincos1d(dim: number, positions: ArrayLike<number>): Float64Array {
  const where = 'sincos1d';
  assertPositiveInteger(where, 'dim', dim);
  if (dim % 2 !== 0) throw new Error(`${where}: dim must be even (sines then cosines); received ${dim}.`);
  if (positions === null || typeof positions !== 'object' || typeof positions.length !== 'number') {
    throw new Error(`${where}: positions must be an array of numbers; received ${describeValue(positions)}.`);
  }
  for (let m = 0; m < positions.length; m++) {
    const x = positions[m];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new Error(`${where}: positions[${m}] must be a finite number; received ${describeValue(x)}.`);
    }
  }
  const half = dim / 2;
  const omega = new Float64Array(half); // (k,)
  for (let i = 0; i < half; i++) omega[i] = 1 / Math.pow(10000, i / half);
  const out = new Float64Array(positions.length * dim); // (M, dim)
  for (let m = 0; m < positions.length; m++) {
    const x = positions[m];
    const row = m * dim;
    for (let i = 0; i < half; i++) {
      const angle = x * omega[i];
      out[row + i] = Math.sin(angle);
      out[row + half + i] = Math.cos(angle);
    }
  }
  return out;
}

/**
 * Widths `[time, height, width]` of the three 1-D parts before truncation to `dim` (spec §2).
 *
 * @example `sincosAxisDims(1024, true)` → `[342, 342, 342]` (1026 columns, the last 2 are dropped);
 *   `sincosAxisDims(1024, false)` → `[512, 256, 256]`.
 * @throws Error when `dim` is not a positive integer, or, with `uniformPower` false, not a multiple of 8.
 */
export function sincosAxisDims(dim: number, uniformPower: boolean): [number, number, number] {
  return axisDims('sincosAxisDims', dim, uniformPower);
}

function axisDims(where: string, dim: number, uniformPower: boolean): [number, number, number] {
  assertPositiveInteger(where, 'dim', dim);
  if (uniformPower) {
    const axis = 2 * Math.ceil(dim / 6);
    return [axis, axis, axis];
  }
  if (dim % 8 !== 0) {
    throw new Error(
      `${where}: dim must be a multiple of 8 when uniformPower is false (time gets dim/2, height and width ` +
        `dim/4 each, and every 1-D part needs an even width); received ${dim}. ` +
        'Use a multiple of 8 or uniformPower: true.',
    );
  }
  return [dim / 2, dim / 4, dim / 4];
}

function range(n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/**
 * The fixed 3-D sin-cos positional table, one row per token in token order (time-major, column fastest):
 * row `t·H'·W' + h·W' + w` = first D columns of `concat(E1(dimT, t), E1(dimH, h), E1(dimW, w))`.
 *
 * @returns float32, shape (N, D) with N = T'·H'·W', row-major (the official `(1, N, D)` without the leading 1).
 * @throws Error naming the argument when an argument is invalid; nothing is computed before the checks pass.
 */
export function sincosPosEmbed3d(options: SincosPosEmbed3dOptions): Float32Array {
  const where = 'sincosPosEmbed3d';
  if (typeof options !== 'object' || options === null) {
    throw new Error(`${where}: options must be an object { dim, gridDepth, gridHeight, gridWidth, uniformPower }; received ${describeValue(options)}.`);
  }
  checkKeys(`${where}: options`, options, optionKeys<SincosPosEmbed3dOptions>({
    dim: true, gridDepth: true, gridHeight: true, gridWidth: true, uniformPower: true,
  }));
  const { dim, gridDepth, gridHeight, gridWidth, uniformPower = true } = options;
  assertPositiveInteger(where, 'dim', dim);
  assertPositiveInteger(where, 'gridDepth', gridDepth);
  assertPositiveInteger(where, 'gridHeight', gridHeight);
  assertPositiveInteger(where, 'gridWidth', gridWidth);
  if (typeof uniformPower !== 'boolean') {
    throw new Error(`${where}: uniformPower must be a boolean; received ${describeValue(uniformPower)}.`);
  }
  const [dimT, dimH, dimW] = axisDims(where, dim, uniformPower); // validates dim against uniformPower

  const embT = sincos1d(dimT, range(gridDepth)); // (T', dimT)
  const embH = sincos1d(dimH, range(gridHeight)); // (H', dimH)
  const embW = sincos1d(dimW, range(gridWidth)); // (W', dimW)
  // Columns kept from each part after truncating the concatenation to `dim` (only the width part can lose some).
  const keepT = Math.min(dimT, dim);
  const keepH = Math.min(dimH, dim - keepT);
  const keepW = Math.min(dimW, dim - keepT - keepH);

  const table = new Float32Array(gridDepth * gridHeight * gridWidth * dim); // (N, D)
  let row = 0;
  for (let t = 0; t < gridDepth; t++) {
    for (let h = 0; h < gridHeight; h++) {
      for (let w = 0; w < gridWidth; w++, row += dim) {
        // Float32Array.set rounds each float64 to the nearest float32, like numpy's .float() cast.
        table.set(embT.subarray(t * dimT, t * dimT + keepT), row);
        table.set(embH.subarray(h * dimH, h * dimH + keepH), row + keepT);
        table.set(embW.subarray(w * dimW, w * dimW + keepW), row + keepT + keepH);
      }
    }
  }
  return table;
}
