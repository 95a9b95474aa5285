/**
 * Token-grid geometry of a tubelet-embedded clip (spec §1).
 *
 * A clip of `frames × height × width` pixels cut into tubelets of `tubelet × patch × patch` becomes a grid of
 * `depth × height × width` = `T' × H' × W'` tokens. Tokens are numbered time-major, then row, then column
 * (column fastest): `index = t·H'·W' + h·W' + w`, exactly as the official Conv3d output is flattened.
 */

import { checkKeys, optionKeys, type TokenGrid } from '@vjepa/core';

/** The token grid `(T', H', W')` of a clip: the shared interface of `@vjepa/core`. */
export type { TokenGrid };

/** Pixel/frame sizes of a clip and the tubelet shape that cuts it into tokens. */
export interface TokenGridOptions {
  /** Frames in the clip, T (16 in every released config). Must be divisible by `tubelet`. */
  frames: number;
  /** Pixel height of a frame, H (224 or 384). Must be divisible by `patch`. */
  height: number;
  /** Pixel width of a frame, W (224 or 384). Must be divisible by `patch`. */
  width: number;
  /** Frames per tubelet, t. Default 2 (every released V-JEPA model). */
  tubelet?: number;
  /** Spatial patch side, p, in pixels. Default 16 (every released V-JEPA model). */
  patch?: number;
}

/** Integer coordinates `(t, h, w)` of one token in its grid. */
export interface TokenCoords {
  /** Temporal index in tubelets, 0 … T'−1. */
  t: number;
  /** Row index in patches, 0 … H'−1. */
  h: number;
  /** Column index in patches, 0 … W'−1. */
  w: number;
}

/** Renders a received value for an error message (strings quoted, objects as JSON where possible). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(length ${(value as Float32Array).length})`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Throws unless `value` is a positive safe integer.
 *
 * @param where - the function being called, for the message (e.g. `tokenGrid`).
 * @param name - the argument's name as the caller wrote it (e.g. `frames`).
 */
export function assertPositiveInteger(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${where}: ${name} must be a positive integer; received ${describeValue(value)}.`);
  }
}

/** Throws unless `grid` is a {@link TokenGrid} of positive integers; `name` is the argument's name. */
export function assertTokenGrid(where: string, name: string, grid: unknown): asserts grid is TokenGrid {
  if (typeof grid !== 'object' || grid === null) {
    throw new Error(`${where}: ${name} must be a token grid { depth, height, width }; received ${describeValue(grid)}.`);
  }
  const g = grid as Record<string, unknown>;
  assertPositiveInteger(where, `${name}.depth`, g.depth);
  assertPositiveInteger(where, `${name}.height`, g.height);
  assertPositiveInteger(where, `${name}.width`, g.width);
}

/**
 * The token grid of a clip: `(frames/tubelet, height/patch, width/patch)`.
 *
 * @example `tokenGrid({ frames: 16, height: 224, width: 224 })` → `{ depth: 8, height: 14, width: 14 }`.
 * @throws Error naming the argument when a size is not a positive integer or does not divide evenly
 *   (the official Conv3d would silently drop the remainder; we refuse instead).
 */
export function tokenGrid(options: TokenGridOptions): TokenGrid {
  const where = 'tokenGrid';
  checkKeys(`${where}: options`, options, optionKeys<TokenGridOptions>({
    frames: true, height: true, width: true, tubelet: true, patch: true,
  }));
  const { frames, height, width, tubelet = 2, patch = 16 } = options;
  assertPositiveInteger(where, 'frames', frames);
  assertPositiveInteger(where, 'height', height);
  assertPositiveInteger(where, 'width', width);
  assertPositiveInteger(where, 'tubelet', tubelet);
  assertPositiveInteger(where, 'patch', patch);
  if (frames % tubelet !== 0) {
    throw new Error(`${where}: frames must be a multiple of tubelet (${tubelet}); received frames = ${frames}.`);
  }
  if (height % patch !== 0) {
    throw new Error(`${where}: height must be a multiple of patch (${patch}); received height = ${height}.`);
  }
  if (width % patch !== 0) {
    throw new Error(`${where}: width must be a multiple of patch (${patch}); received width = ${width}.`);
  }
  return { depth: frames / tubelet, height: height / patch, width: width / patch };
}

/** Number of tokens N = T'·H'·W' of a grid. */
export function tokenCount(grid: TokenGrid): number {
  assertTokenGrid('tokenCount', 'grid', grid);
  return grid.depth * grid.height * grid.width;
}

function assertIndexInRange(where: string, name: string, value: unknown, size: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value >= size) {
    throw new Error(`${where}: ${name} must be an integer in [0, ${size - 1}]; received ${describeValue(value)}.`);
  }
}

/** Flat token index `t·H'·W' + h·W' + w` of the token at `(t, h, w)`; each coordinate is range-checked. */
export function tokenIndex(grid: TokenGrid, t: number, h: number, w: number): number {
  const where = 'tokenIndex';
  assertTokenGrid(where, 'grid', grid);
  assertIndexInRange(where, 't', t, grid.depth);
  assertIndexInRange(where, 'h', h, grid.height);
  assertIndexInRange(where, 'w', w, grid.width);
  return (t * grid.height + h) * grid.width + w;
}

/** Coordinates `(t, h, w)` of the token at flat `index`; the inverse of {@link tokenIndex}. */
export function tokenCoords(grid: TokenGrid, index: number): TokenCoords {
  const where = 'tokenCoords';
  assertTokenGrid(where, 'grid', grid);
  assertIndexInRange(where, 'index', index, grid.depth * grid.height * grid.width);
  const perFrame = grid.height * grid.width;
  const t = Math.floor(index / perFrame);
  const rest = index - t * perFrame;
  const h = Math.floor(rest / grid.width);
  return { t, h, w: rest - h * grid.width };
}
