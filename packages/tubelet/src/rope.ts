import * as tf from '@tensorflow/tfjs-core';
import { fail, rotatePairs } from '@vjepa/core';

/**
 * 3-D rotary positions of V-JEPA 2 (VJEPA2-SPEC §1): per attention head, channels `[0, d)` turn by the
 * token's time index, `[d, 2d)` by its row, `[2d, 3d)` by its column, `[3d, headDim)` pass unrotated,
 * with `d = 2·⌊⌊headDim/3⌋/2⌋`. Inside a section channels `2i, 2i+1` form a pair:
 * `y₂ᵢ = −x₂ᵢ₊₁, y₂ᵢ₊₁ = x₂ᵢ`, `out = x·cos θ + y·sin θ`.
 *
 * Layouts of the angle table of one section (`ωⱼ = 10000^(−j/(d/2))`, `p` the position):
 * - `vjepa2` (the released V-JEPA 2 weights): `[p·ω₀ … p·ω_{d/2−1}]` repeated twice, so channel `e` uses
 *   `ω_{e mod d/2}` and the two channels of a pair turn by different angles (official QUIRK, vjepa2 PR #15,
 *   kept for weight compatibility).
 * - `vjepa2.1`: each angle repeated in place (`repeat_interleave`), channel `e` uses `ω_{⌊e/2⌋}` — the
 *   conventional interleaved rotation the V-JEPA 2.1 code switched to.
 */
export type RopeLayout = 'vjepa2' | 'vjepa2.1';

/** Every layout, for option checks. */
export const ROPE_LAYOUTS: readonly RopeLayout[] = ['vjepa2', 'vjepa2.1'];

/** The official frequency base θ. */
export const ROPE_THETA = 10000;

/** Channel ranges `[start, end)` of one head's sections. */
export interface RopeSections {
  /** Channels per rotated section, `d = 2·⌊⌊headDim/3⌋/2⌋`. */
  sectionDim: number;
  t: [number, number];
  h: [number, number];
  w: [number, number];
  /** Unrotated channels (empty when `3d = headDim`). */
  pass: [number, number];
}

/** The sections of a head of `headDim` channels (the official `RoPEAttention.d_dim`/`h_dim`/`w_dim`). */
export function ropeSections(headDim: number): RopeSections {
  if (!Number.isInteger(headDim) || headDim < 1) fail('headDim', 'a positive integer', headDim);
  const d = 2 * Math.floor(Math.floor(headDim / 3) / 2);
  // The official rotation builds its table with `repeat(1, 1, 1, 2)` of a squeezed d/2 axis, which fails for d = 2.
  if (d < 4) fail('headDim', 'at least 12 (three rotated sections of 4 or more channels each)', headDim);
  return { sectionDim: d, t: [0, d], h: [d, 2 * d], w: [2 * d, 3 * d], pass: [3 * d, headDim] };
}

/**
 * Throws unless `dim / heads` channels per head leave RoPE sections of at least 4 channels each, and are
 * even (the rotation turns channel pairs within a head; every released model has even head widths).
 */
export function checkRopeHeads(argument: string, dim: number, heads: number): void {
  const headDim = dim / heads;
  if (!Number.isInteger(headDim) || 2 * Math.floor(Math.floor(headDim / 3) / 2) < 4) {
    fail(argument, `a head count leaving at least 12 channels per head for RoPE (dim ${dim})`, heads);
  }
  if (headDim % 2 !== 0) fail(argument, `a head count leaving an even number of channels per head for RoPE (dim ${dim})`, heads);
}

/** How token ids map to grid positions: `t = id div perFrame`, `h = (id mod perFrame) div perRow`, `w = id mod perRow`. */
export interface RopeGrid {
  /** Tokens per tubelet slice, `H'·W'`. */
  tokensPerFrame: number;
  /** Tokens per row, `W'`. */
  tokensPerRow: number;
}

/** Options of {@link ropeTables}. */
export interface RopeTableOptions {
  headDim: number;
  grid: RopeGrid;
  /** Angle-table layout (default `vjepa2`). */
  layout?: RopeLayout;
}

/**
 * Per-token rotation tables for a fused `qkv` projection, host-side: for each id, `3·headDim` values laid
 * out `[q | k | v]` (q and k the same rotation, v the identity: cos 1, sin 0). The sign of `y` is folded
 * into `sin` (`sin₂ᵢ` negated), so that `out = x·cos + swap(x)·sin` with `swap` exchanging the channels of
 * each pair. Angles are computed in float32 as the official code does.
 */
export function ropeTables(ids: ArrayLike<number>, options: RopeTableOptions): { cos: Float32Array; sin: Float32Array } {
  const { headDim, grid } = options;
  const layout = options.layout ?? 'vjepa2';
  if (!ROPE_LAYOUTS.includes(layout)) fail('layout', `one of ${ROPE_LAYOUTS.join(', ')}`, layout);
  const { tokensPerFrame, tokensPerRow } = grid;
  if (!Number.isInteger(tokensPerRow) || tokensPerRow < 1 || !Number.isInteger(tokensPerFrame) || tokensPerFrame % tokensPerRow !== 0) {
    fail('grid', 'positive integers tokensPerRow and tokensPerFrame, a multiple of it', grid);
  }
  const sections = ropeSections(headDim);
  const d = sections.sectionDim;
  const half = d / 2;
  const f = Math.fround;
  // ω as the official code computes it in float32: arange(d/2) / (d/2), then 1 / 10000**·.
  const omega = Float32Array.from({ length: half }, (_, j) => f(1 / f(ROPE_THETA ** f(j / half))));
  const frequencyOf = (e: number) => (layout === 'vjepa2' ? omega[e % half] : omega[Math.floor(e / 2)]);
  const row = 3 * headDim;
  const cos = new Float32Array(ids.length * row).fill(1);
  const sin = new Float32Array(ids.length * row);
  for (let n = 0; n < ids.length; n++) {
    const id = ids[n];
    const t = Math.floor(id / tokensPerFrame);
    const h = Math.floor((id - t * tokensPerFrame) / tokensPerRow);
    const w = id - t * tokensPerFrame - h * tokensPerRow;
    const positions = [t, h, w];
    for (let s = 0; s < 3; s++) {
      for (let e = 0; e < d; e++) {
        const angle = f(positions[s] * frequencyOf(e));
        const c = f(Math.cos(angle));
        const sn = e % 2 === 0 ? -f(Math.sin(angle)) : f(Math.sin(angle));
        for (const part of [0, 1]) {
          const at = n * row + part * headDim + s * d + e;
          cos[at] = c;
          sin[at] = sn;
        }
      }
    }
  }
  return { cos, sin };
}

/** Rotation tables as tensors `[R, N, 3, 1, headDim]` (R = 1 for a table shared by the batch, else B). */
export interface RopeTensors {
  cos: tf.Tensor;
  sin: tf.Tensor;
}

/**
 * {@link ropeTables} for an id batch `ids` of `rows × tokens` as tensors `[rows, tokens, 3, 1, headDim]`.
 * Dispose them (or make them inside a `tf.tidy`).
 */
export function ropeTensors(ids: ArrayLike<number>, rows: number, options: RopeTableOptions): RopeTensors {
  const tokens = ids.length / rows;
  if (!Number.isInteger(tokens)) fail('ids', `a multiple of ${rows} rows`, ids.length);
  const { cos, sin } = ropeTables(ids, options);
  const shape = [rows, tokens, 3, 1, options.headDim];
  return { cos: tf.tensor(cos, shape), sin: tf.tensor(sin, shape) };
}

/**
 * Rotates the q and k parts of a fused projection `qkv` `[B, N, 3D]` (rows `[q | k | v]`, heads contiguous)
 * by `tables` (from {@link ropeTensors}, `[1 or B, N, 3, 1, headDim]`) → `[B, N, 3D]`; v passes unchanged.
 * One fused kernel each way with the native kernels (`rotatePairs`), else plain tfjs ops; differentiable on every backend.
 */
export function applyRope(qkv: tf.Tensor3D, tables: RopeTensors, heads: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, tokens, threeD] = qkv.shape;
    const headDim = threeD / 3 / heads;
    if (!Number.isInteger(headDim) || tables.cos.shape[4] !== headDim || tables.cos.shape[1] !== tokens) {
      fail('tables', `rotation tables [1 or ${batch}, ${tokens}, 3, 1, ${headDim}] for qkv ${qkv.shape}`, tables.cos.shape);
    }
    const x = tf.reshape(qkv, [batch, tokens, 3, heads, headDim]); // [B, N, 3, H, dh]
    const rotated = rotatePairs(x, tables.cos, tables.sin); // [B, N, 3, H, dh]
    return tf.reshape(rotated, [batch, tokens, threeD]) as tf.Tensor3D; // [B, N, 3D]
  });
}

/**
 * Rotation tables computed once per token grid and kept on the host: `tensors(…)` copies the rows of the
 * requested ids (all tokens when none) into new tensors. What the V-JEPA 2 encoder and predictor use, so
 * that a forward pass costs one upload, not one table.
 */
export class RopeTableCache {
  private readonly tables = new Map<string, { cos: Float32Array; sin: Float32Array }>();

  constructor(
    readonly headDim: number,
    readonly layout: RopeLayout = 'vjepa2',
  ) {
    ropeSections(headDim);
    if (!ROPE_LAYOUTS.includes(layout)) fail('layout', `one of ${ROPE_LAYOUTS.join(', ')}`, layout);
  }

  /** The host tables of every token of a grid of `tokens` ids (cached by grid). */
  private full(grid: RopeGrid, tokens: number) {
    const key = `${grid.tokensPerFrame}/${grid.tokensPerRow}/${tokens}`;
    let table = this.tables.get(key);
    if (!table) {
      table = ropeTables(Int32Array.from({ length: tokens }, (_, i) => i), { headDim: this.headDim, grid, layout: this.layout });
      this.tables.set(key, table);
    }
    return table;
  }

  /**
   * Tables `[rows, K, 3, 1, headDim]` for `ids` (`rows × K` token ids in `[0, tokens)`, row-major), or
   * `[1, tokens, 3, 1, headDim]` for every token when `ids` is left out.
   */
  tensors(grid: RopeGrid, tokens: number, ids?: ArrayLike<number>, rows = 1): RopeTensors {
    const table = this.full(grid, tokens);
    const width = 3 * this.headDim;
    if (!ids) return { cos: tf.tensor(table.cos, [1, tokens, 3, 1, this.headDim]), sin: tf.tensor(table.sin, [1, tokens, 3, 1, this.headDim]) };
    const length = ids.length / rows;
    if (!Number.isInteger(length)) fail('ids', `a multiple of ${rows} rows`, ids.length);
    const cos = new Float32Array(ids.length * width);
    const sin = new Float32Array(ids.length * width);
    for (let n = 0; n < ids.length; n++) {
      const id = ids[n];
      if (!(id >= 0 && id < tokens)) fail('ids', `token ids in [0, ${tokens})`, id);
      cos.set(table.cos.subarray(id * width, (id + 1) * width), n * width);
      sin.set(table.sin.subarray(id * width, (id + 1) * width), n * width);
    }
    const shape = [rows, length, 3, 1, this.headDim];
    return { cos: tf.tensor(cos, shape), sin: tf.tensor(sin, shape) };
  }
}
