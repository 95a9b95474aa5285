import * as tf from '@tensorflow/tfjs-core';
import {
  type Block,
  type LayerNorm,
  Module,
  gatherTokens,
  initModelWeights,
  stripKeyPrefixes,
  type IndexBatch,
  type LoadOptions,
  type LoadReport,
  type ModelInitOptions as CoreModelInitOptions,
  type StateDictInput,
  type TokenGrid,
  type VideoBatch,
} from '@vjepa/core';
import { type PatchEmbed, interpolatePosEmbed, sincosPosEmbed3d, tokenCount } from '@vjepa/tubelet';
import { encoderTrunk } from './trunk';
import { resolveVitConfig, type ResolvedVitConfig, type VisionTransformerConfig } from './config';

/** How to initialise a new model (`@vjepa/core`'s `ModelInitOptions`). */
export type ModelInitOptions = CoreModelInitOptions;

/**
 * The video Vision Transformer of V-JEPA (spec §4): tubelet embedding + fixed 3-D sin-cos positions,
 * pre-norm blocks, final LayerNorm. State keys are the official ones (`pos_embed`, `patch_embed.proj.*`,
 * `blocks.{i}.*`, `norm.*`), so official checkpoints load with `loadStateDict`.
 *
 * @example
 * const encoder = new VisionTransformer(vitConfig('tiny'));
 * const features = encoder.apply(video);                  // [B, 1568, 192] for 16×224×224 clips
 * const context = encoder.apply(video, masks.context);    // [B, K, 192]
 */
export class VisionTransformer extends Module {
  readonly config: ResolvedVitConfig;
  /** The token grid the positional table is built for. */
  readonly grid: TokenGrid;
  readonly posEmbed: tf.Variable;
  readonly patchEmbed: PatchEmbed;
  readonly blocks: Block[];
  readonly norm: LayerNorm;

  constructor(config: VisionTransformerConfig = {}, init: ModelInitOptions = {}) {
    super();
    const c = resolveVitConfig(config);
    this.config = c;
    const side = c.imageSize / c.patch;
    this.grid = { depth: c.frames / c.tubelet, height: side, width: side };
    const table = sincosPosEmbed3d({
      dim: c.dim,
      gridDepth: this.grid.depth,
      gridHeight: side,
      gridWidth: side,
      uniformPower: c.uniformPower,
    });
    this.posEmbed = this.addState('pos_embed', tf.tensor3d(table, [1, tokenCount(this.grid), c.dim]), false);
    ({ patchEmbed: this.patchEmbed, blocks: this.blocks, norm: this.norm } = encoderTrunk(c, (name, module) => this.addModule(name, module)));
    initModelWeights(this, this.blocks, init);
  }

  /** The positional table for an input grid: the stored one, or its trilinear interpolation (spec §2). */
  positionsFor(grid: TokenGrid): tf.Tensor3D {
    const g = this.grid;
    if (grid.depth === g.depth && grid.height === g.height && grid.width === g.width) return this.posEmbed as tf.Tensor3D;
    const table = interpolatePosEmbed(this.posEmbed.dataSync() as Float32Array, { dim: this.config.dim, from: g, to: grid });
    return tf.tensor3d(table, [1, tokenCount(grid), this.config.dim]);
  }

  /** Tubelet tokens of a clip plus positions, before any token is dropped: `[B, T, H, W, C]` → `[B, N, D]`. */
  embed(video: VideoBatch): tf.Tensor3D {
    this.patchEmbed.checkInput(video.shape);
    return tf.tidy(() => {
      const [, frames, height, width] = video.shape;
      const { tubelet, patch } = this.config;
      const grid = { depth: frames / tubelet, height: height / patch, width: width / patch };
      return tf.add(this.patchEmbed.apply(video), this.positionsFor(grid)) as tf.Tensor3D; // [B, N, D]
    });
  }

  /**
   * Runs the blocks and the final norm on embedded tokens `[B, N, D]` (from `embed`), keeping only
   * `contextIndices` `[B, K]` when given → `[B, K, D]`. Lets a caller embed a clip once and encode it
   * under several masks; the result equals `apply(video, contextIndices)`.
   */
  encodeTokens(tokens: tf.Tensor3D, contextIndices?: IndexBatch | tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      let x = contextIndices ? gatherTokens(tokens, contextIndices) : tokens; // [B, K, D]
      for (const block of this.blocks) x = block.apply(x); // [B, K, D]
      return this.norm.apply(x) as tf.Tensor3D; // [B, K, D]
    });
  }

  /**
   * Encodes a clip `[B, T, H, W, C]`. With `contextIndices` `[B, K]` only those tokens are kept (after
   * positions are added, as the official encoder) → `[B, K, D]`; without, all N tokens → `[B, N, D]`.
   */
  apply(video: VideoBatch, contextIndices?: IndexBatch | tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => this.encodeTokens(this.embed(video), contextIndices));
  }

  /** The official multi-mask wrapper: one full encoder call per mask → one `[B, K_i, D]` per mask. */
  applyMasks(video: VideoBatch, contextIndices: readonly (IndexBatch | tf.Tensor2D)[]): tf.Tensor3D[] {
    return contextIndices.map((indices) => this.apply(video, indices));
  }

  /**
   * Loads weights by official key. Every `module.` and `backbone.` in a key is removed first, as the
   * official evaluator does, so DDP/wrapper checkpoints load as they are.
   */
  override loadStateDict(input: StateDictInput, options: LoadOptions = {}): LoadReport {
    return super.loadStateDict(stripKeyPrefixes(input), options);
  }
}
