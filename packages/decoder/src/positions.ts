import * as tf from '@tensorflow/tfjs-core';
import { Block, fail, gatherTokens, type BlockOptions, type IndexBatch, type Module, type TokenGrid } from '@vjepa/core';
import { sincosPosEmbed3d, tokenCount } from '@vjepa/tubelet';
import type { ResolvedDecoderConfig } from './config';

/**
 * How the decoder gives its tokens their place in the clip: the one seam between the decoder and a
 * position scheme. Sin-cos (V-JEPA 1) adds a fixed table row to each token before the blocks and uses
 * plain blocks; RoPE (V-JEPA 2) would leave the tokens as they are and build blocks that rotate queries
 * and keys by the token ids. Register a scheme in {@link POSITION_SCHEMES}.
 */
export interface TokenPositions {
  /** The scheme's name (`sincos`). */
  readonly name: string;
  /** Tokens `[B, K, P]` at `tokenIds` `[B, K]` → `[B, K, P]`, before the first block. */
  embed(tokens: tf.Tensor3D, tokenIds: IndexBatch | tf.Tensor2D): tf.Tensor3D;
  /** A block of the decoder, of width `dim` (core's transformer block, so its keys are the usual ones). */
  createBlock(dim: number, heads: number, options: BlockOptions): Block;
  /**
   * Runs `block` on the tokens `x` `[B, K, P]` at `tokenIds`: sin-cos runs it as it is; RoPE would pass the
   * block a transform of its fused qkv that rotates queries and keys by the ids (`Block.apply(x, transformQkv)`).
   */
  applyBlock(block: Block, x: tf.Tensor3D, tokenIds: IndexBatch | tf.Tensor2D): tf.Tensor3D;
  /** Frees what the scheme holds (tables). */
  dispose(): void;
}

/** V-JEPA 1's positions: the fixed 3-D sin-cos table of the grid, not saved (it follows from the geometry). */
export class SincosPositions implements TokenPositions {
  readonly name = 'sincos';
  private readonly table: tf.Tensor3D; // [1, N, P]

  constructor(dim: number, grid: TokenGrid, uniformPower = true) {
    const rows = sincosPosEmbed3d({ dim, gridDepth: grid.depth, gridHeight: grid.height, gridWidth: grid.width, uniformPower });
    this.table = tf.tensor3d(rows, [1, tokenCount(grid), dim]); // [1, N, P]
  }

  embed(tokens: tf.Tensor3D, tokenIds: IndexBatch | tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => tf.add(tokens, gatherTokens(this.table, tokenIds)) as tf.Tensor3D); // [B, K, P]
  }

  createBlock(dim: number, heads: number, options: BlockOptions): Block {
    return new Block(dim, heads, options);
  }

  applyBlock(block: Block, x: tf.Tensor3D): tf.Tensor3D {
    return block.apply(x); // positions are in the tokens already; the block needs no ids
  }

  dispose(): void {
    this.table.dispose();
  }
}

/** Builds the positions of a decoder configuration. */
export type PositionScheme = (config: ResolvedDecoderConfig, grid: TokenGrid) => TokenPositions;

/** The position schemes by name (`config.positions`). V-JEPA 2's RoPE is to be added here. */
export const POSITION_SCHEMES: Readonly<Record<string, PositionScheme>> = {
  sincos: (c, grid) => new SincosPositions(c.dim, grid, c.uniformPower),
};

/** The positions `config.positions` names. */
export function createPositions(config: ResolvedDecoderConfig, grid: TokenGrid): TokenPositions {
  const scheme = Object.hasOwn(POSITION_SCHEMES, config.positions) ? POSITION_SCHEMES[config.positions] : undefined;
  if (!scheme) fail('config.positions', `one of ${Object.keys(POSITION_SCHEMES).join(', ')}`, config.positions);
  return scheme(config, grid);
}
