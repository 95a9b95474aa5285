import * as tf from '@tensorflow/tfjs-core';
import { Block, LayerNorm, Linear, Module, RandomStream, fail, initTransformerWeights, rescaleBlocks, type IndexBatch, type TokenGrid } from '@vjepa/core';
import { tokenGrid } from '@vjepa/tubelet';
import { resolveDecoderConfig, tokenPixels, type DecoderConfig, type ResolvedDecoderConfig } from './config';
import { createPositions, type TokenPositions } from './positions';

/** How to initialise a new decoder. */
export interface DecoderInitOptions {
  /** Seed of the weight init (default 0). */
  seed?: number;
  rng?: RandomStream;
}

/**
 * The pixel decoder of the paper's qualitative evaluation: it reads the predictor's features of the
 * masked tokens — never the visible pixels — embeds them to width P, gives them their positions, mixes
 * them with a few blocks, and a linear head returns the `t·p·p·C` pixels of each token, in the clip's
 * normalised values and `patchify`'s order. State keys are its own: `decoder_embed.*`,
 * `decoder_blocks.{i}.*`, `decoder_norm.*`, `decoder_pred.*`.
 *
 * @example
 * const decoder = new PixelDecoder({ inputDim: 192, frames: 16, imageSize: 64, patch: 16 });
 * const pixels = decoder.apply(predicted, masks.target); // [B, K_tgt, 2·16·16·3]
 */
export class PixelDecoder extends Module {
  readonly config: ResolvedDecoderConfig;
  readonly grid: TokenGrid;
  readonly positions: TokenPositions;
  readonly embed: Linear;
  readonly blocks: Block[];
  readonly norm: LayerNorm;
  readonly pred: Linear;

  constructor(config: DecoderConfig, init: DecoderInitOptions = {}) {
    super();
    const c = resolveDecoderConfig(config);
    this.config = c;
    this.grid = tokenGrid({ frames: c.frames, height: c.imageSize, width: c.imageSize, tubelet: c.tubelet, patch: c.patch });
    this.positions = createPositions(c, this.grid);
    this.embed = this.addModule('decoder_embed', new Linear(c.inputDim, c.dim));
    this.blocks = Array.from({ length: c.depth }, (_, i) =>
      this.addModule(`decoder_blocks.${i}`, this.positions.createBlock(c.dim, c.heads, { mlpRatio: c.mlpRatio, qkvBias: c.qkvBias, normEps: c.normEps })),
    );
    this.norm = this.addModule('decoder_norm', new LayerNorm(c.dim, c.normEps));
    this.pred = this.addModule('decoder_pred', new Linear(c.dim, tokenPixels(c)));
    initTransformerWeights(this, init.rng ?? new RandomStream(init.seed ?? 0));
    // the official depth rescale of the blocks' output projections
    rescaleBlocks(this.blocks);
  }

  /**
   * Pixels of the tokens `tokenIds` `[B, K]` from their predicted features `predicted` `[B, K, inputDim]`
   * → `[B, K, t·p·p·C]`.
   */
  apply(predicted: tf.Tensor3D, tokenIds: IndexBatch | tf.Tensor2D): tf.Tensor3D {
    const c = this.config;
    if (predicted.rank !== 3 || predicted.shape[2] !== c.inputDim) {
      fail('predicted', `a [B, K, ${c.inputDim}] tensor of predicted features`, predicted.shape);
    }
    const idsShape = tokenIds.shape;
    if (idsShape[0] !== predicted.shape[0] || idsShape[1] !== predicted.shape[1]) {
      fail('tokenIds', `[${predicted.shape[0]}, ${predicted.shape[1]}] ids, one per predicted token`, idsShape);
    }
    return tf.tidy(() => {
      let x = this.positions.embed(this.embed.apply(predicted) as tf.Tensor3D, tokenIds); // [B, K, P]
      for (const block of this.blocks) x = this.positions.applyBlock(block, x, tokenIds); // [B, K, P]
      return this.pred.apply(this.norm.apply(x)) as tf.Tensor3D; // [B, K, t·p·p·C]
    });
  }

  /** Frees the weights and the position tables. */
  override dispose(): void {
    super.dispose();
    this.positions.dispose();
  }
}
