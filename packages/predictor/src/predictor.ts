import * as tf from '@tensorflow/tfjs-core';
import {
  type Block,
  type LayerNorm,
  type Linear,
  Module,
  type ParameterList,
  fillTruncNormal,
  gatherTokens,
  initModelWeights,
  stripKeyPrefixes,
  type IndexBatch,
  type LoadOptions,
  type LoadReport,
  type ModelInitOptions,
  type StateDictInput,
  type TokenGrid,
} from '@vjepa/core';
import { sincosPosEmbed3d, tokenCount } from '@vjepa/tubelet';
import { checkPredictorInputs, predictorTrunk } from './trunk';
import { resolvePredictorConfig, type PredictorConfig, type ResolvedPredictorConfig } from './config';

/** How to initialise a new predictor (same meaning as the encoder's: `@vjepa/core`'s `ModelInitOptions`). */
export type PredictorInitOptions = ModelInitOptions;

/**
 * The narrow V-JEPA predictor (spec §5): context features are embedded to width P, mask tokens plus
 * positions stand in for the targets, blocks mix them, and the target slots are projected back to the
 * encoder width. State keys are official (`predictor_pos_embed`, `predictor_embed.*`, `mask_tokens.{i}`,
 * `predictor_blocks.{i}.*`, `predictor_norm.*`, `predictor_proj.*`).
 *
 * @example
 * const predictor = new Predictor({ encoderDim: 192, heads: 3 });
 * const predicted = predictor.apply(context, masks.context, masks.target, 0); // [B, K_target, 192]
 */
export class Predictor extends Module {
  readonly config: ResolvedPredictorConfig;
  readonly grid: TokenGrid;
  readonly posEmbed: tf.Variable;
  readonly embed: Linear;
  readonly maskTokens: ParameterList;
  readonly blocks: Block[];
  readonly norm: LayerNorm;
  readonly proj: Linear;

  constructor(config: PredictorConfig, init: PredictorInitOptions = {}) {
    super();
    const c = resolvePredictorConfig(config);
    this.config = c;
    const side = c.imageSize / c.patch;
    this.grid = { depth: c.frames / c.tubelet, height: side, width: side };
    const table = sincosPosEmbed3d({ dim: c.dim, gridDepth: this.grid.depth, gridHeight: side, gridWidth: side, uniformPower: c.uniformPower });
    this.posEmbed = this.addState('predictor_pos_embed', tf.tensor3d(table, [1, tokenCount(this.grid), c.dim]), false);
    ({ embed: this.embed, maskTokens: this.maskTokens, blocks: this.blocks, norm: this.norm, proj: this.proj } = predictorTrunk(c, (name, module) =>
      this.addModule(name, module),
    ));
    initModelWeights(this, this.blocks, init, (rng) => {
      if (!c.zeroInitMaskTokens) for (const token of this.maskTokens.items) fillTruncNormal(token, rng, 0.02);
    });
  }

  /**
   * Predicts the target features of one mask generator.
   * `context` `[B, K_ctx, D]` (encoder output at `contextIndices` `[B, K_ctx]`), `targetIndices`
   * `[B, K_tgt]`, `maskIndex` i uses mask token `i mod numMaskTokens` → `[B, K_tgt, outputDim]` (D by default).
   */
  apply(
    context: tf.Tensor3D,
    contextIndices: IndexBatch | tf.Tensor2D,
    targetIndices: IndexBatch | tf.Tensor2D,
    maskIndex = 0,
  ): tf.Tensor3D {
    const c = this.config;
    checkPredictorInputs(context, c.encoderDim, maskIndex);
    return tf.tidy(() => {
      const positions = this.posEmbed as tf.Tensor3D; // [1, N, P]
      const x = tf.add(this.embed.apply(context), gatherTokens(positions, contextIndices)) as tf.Tensor3D; // [B, K_ctx, P]
      const token = this.maskTokens.items[maskIndex % c.numMaskTokens]; // [1, 1, P]
      const queries = tf.add(token, gatherTokens(positions, targetIndices)) as tf.Tensor3D; // [B, K_tgt, P]
      const targets = queries.shape[1];
      let sequence = tf.concat([x, queries], 1) as tf.Tensor3D; // [B, K_ctx + K_tgt, P]
      for (const block of this.blocks) sequence = block.apply(sequence); // [B, K_ctx + K_tgt, P]
      const slots = tf.slice(sequence, [0, x.shape[1], 0], [-1, targets, -1]); // [B, K_tgt, P]
      return this.proj.apply(this.norm.apply(slots)) as tf.Tensor3D; // [B, K_tgt, D]
    });
  }

  /** Loads weights by official key, removing every `module.` and `backbone.` first. */
  override loadStateDict(input: StateDictInput, options: LoadOptions = {}): LoadReport {
    return super.loadStateDict(stripKeyPrefixes(input), options);
  }
}
