import * as tf from '@tensorflow/tfjs-core';
import {
  type Block,
  type LayerNorm,
  Module,
  fail,
  gatherTokens,
  initModelWeights,
  stripKeyPrefixes,
  type IndexBatch,
  type LoadOptions,
  type LoadReport,
  type StateDictInput,
  type TokenGrid,
  type VideoBatch,
} from '@vjepa/core';
import { RopeTableCache, applyRope, tokenCount, type PatchEmbed, type RopeTensors } from '@vjepa/tubelet';
import { encoderTrunk } from './trunk';
import { resolveVitV2Config, type ResolvedVitV2Config, type VisionTransformerV2Config } from './config-v2';
import type { ModelInitOptions } from './vision-transformer';

/** Host token ids of an index batch (a tensor is read back). */
function hostIds(indices: IndexBatch | tf.Tensor2D): { ids: Int32Array; rows: number } {
  if (indices instanceof tf.Tensor) return { ids: Int32Array.from(indices.dataSync()), rows: indices.shape[0] };
  return { ids: Int32Array.from(indices.data), rows: indices.shape[0] };
}

/**
 * The V-JEPA 2 video ViT (VJEPA2-SPEC §1): the tubelet embedding with nothing added, pre-norm blocks with
 * 3-D RoPE on q and k, final LayerNorm. Any even frame count and any height/width multiple of the patch:
 * positions are the integer token-grid indices of the input's own grid (the official
 * `handle_nonsquare_inputs`). State keys are the official ones (`patch_embed.proj.*`, `blocks.{i}.*`,
 * `norm.*`); a `pos_embed` in a checkpoint is ignored, as the official loader does.
 *
 * @example
 * const encoder = new VisionTransformerV2(vitV2Config('vitl'));
 * const features = encoder.apply(video);              // [B, 2048, 1024] for 16×256×256 clips
 * const context = encoder.apply(video, masks.context); // [B, K, 1024], rotated by the kept ids
 */
export class VisionTransformerV2 extends Module {
  readonly config: ResolvedVitV2Config;
  readonly patchEmbed: PatchEmbed;
  readonly blocks: Block[];
  readonly norm: LayerNorm;
  /** The grid of each tensor `embed` returned, so `encodeTokens` can rotate by it. */
  private readonly grids = new WeakMap<tf.Tensor, TokenGrid>();
  /** Rotation tables per input grid, computed once. */
  private readonly rope: RopeTableCache;

  constructor(config: VisionTransformerV2Config = {}, init: ModelInitOptions = {}) {
    super();
    const c = resolveVitV2Config(config);
    this.config = c;
    this.rope = new RopeTableCache(c.dim / c.heads, c.ropeLayout);
    ({ patchEmbed: this.patchEmbed, blocks: this.blocks, norm: this.norm } = encoderTrunk(c, (name, module) => this.addModule(name, module)));
    initModelWeights(this, this.blocks, init);
  }

  /** The token grid of a clip `[B, T, H, W, C]`. */
  gridOf(video: VideoBatch): TokenGrid {
    this.patchEmbed.checkInput(video.shape);
    const [, frames, height, width] = video.shape;
    const { tubelet, patch } = this.config;
    return { depth: frames / tubelet, height: height / patch, width: width / patch };
  }

  /** Tubelet tokens of a clip, nothing added: `[B, T, H, W, C]` → `[B, N, D]` (remembers the clip's grid). */
  embed(video: VideoBatch): tf.Tensor3D {
    const grid = this.gridOf(video);
    const tokens = this.patchEmbed.apply(video); // [B, N, D]
    this.grids.set(tokens, grid);
    return tokens;
  }

  /**
   * Rotation tables for the tokens `ids` (`[B, K]`, kept ids) or, without, for every token of `grid`
   * (shared by the batch): `[1 or B, K, 3, 1, headDim]`.
   */
  ropeFor(grid: TokenGrid, indices?: IndexBatch | tf.Tensor2D): RopeTensors {
    const perFrame = { tokensPerFrame: grid.height * grid.width, tokensPerRow: grid.width };
    if (!indices) return this.rope.tensors(perFrame, tokenCount(grid));
    const { ids, rows } = hostIds(indices);
    return this.rope.tensors(perFrame, tokenCount(grid), ids, rows);
  }

  /**
   * Runs the blocks on embedded tokens `[B, N, D]` (from `embed`, or with `grid` given), keeping only
   * `contextIndices` `[B, K]` when given (rotated by those ids). Returns the final norm of the output, or
   * with `outLayers` the final norm of each listed block's output (0-based, the official `out_layers`).
   */
  encodeTokens(tokens: tf.Tensor3D, contextIndices?: IndexBatch | tf.Tensor2D, grid?: TokenGrid): tf.Tensor3D {
    return this.runBlocks(tokens, contextIndices, grid, null)[0];
  }

  private runBlocks(
    tokens: tf.Tensor3D,
    contextIndices: IndexBatch | tf.Tensor2D | undefined,
    gridArg: TokenGrid | undefined,
    outLayers: readonly number[] | null,
  ): tf.Tensor3D[] {
    const grid = gridArg ?? this.grids.get(tokens);
    if (!grid) fail('grid', 'the token grid of tokens that did not come from embed()', 'none');
    if (tokenCount(grid) !== tokens.shape[1]) fail('grid', `a grid of ${tokens.shape[1]} tokens`, grid);
    return tf.tidy(() => {
      const tables = this.ropeFor(grid, contextIndices);
      const rotate = (qkv: tf.Tensor3D) => applyRope(qkv, tables, this.config.heads); // [B, K, 3D]
      let x = contextIndices ? gatherTokens(tokens, contextIndices) : tokens; // [B, K, D]
      const outs = new Map<number, tf.Tensor3D>();
      this.blocks.forEach((block, i) => {
        x = block.apply(x, rotate); // [B, K, D]
        if (outLayers?.includes(i)) outs.set(i, this.norm.apply(x) as tf.Tensor3D); // [B, K, D]
      });
      return outLayers ? outLayers.map((layer) => outs.get(layer)!) : [this.norm.apply(x) as tf.Tensor3D]; // [B, K, D]
    });
  }

  /**
   * Encodes a clip `[B, T, H, W, C]`. With `contextIndices` `[B, K]` only those tokens are kept, right
   * after the patch embedding (as the official encoder) → `[B, K, D]`; without, all N tokens → `[B, N, D]`.
   */
  apply(video: VideoBatch, contextIndices?: IndexBatch | tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => this.encodeTokens(this.embed(video), contextIndices));
  }

  /**
   * The multi-layer features of the official `out_layers`: the final norm applied to the output of each
   * listed block (0-based) → one `[B, N, D]` per layer, in the listed order.
   */
  applyLayers(video: VideoBatch, outLayers: readonly number[]): tf.Tensor3D[] {
    if (outLayers.length === 0) fail('outLayers', 'at least one block index', outLayers);
    for (const layer of outLayers) {
      if (!Number.isInteger(layer) || layer < 0 || layer >= this.config.depth) fail('outLayers', `block indices in [0, ${this.config.depth})`, layer);
    }
    return tf.tidy(() => this.runBlocks(this.embed(video), undefined, undefined, outLayers));
  }

  /** The official multi-mask wrapper: one encoder call per mask → one `[B, K_i, D]` per mask. */
  applyMasks(video: VideoBatch, contextIndices: readonly (IndexBatch | tf.Tensor2D)[]): tf.Tensor3D[] {
    return contextIndices.map((indices) => this.apply(video, indices));
  }

  /**
   * Loads weights by official key. Every `module.` and `backbone.` in a key is removed first, and a
   * `pos_embed` is dropped (RoPE models carry none that is used; the official loader is not strict).
   */
  override loadStateDict(input: StateDictInput, options: LoadOptions = {}): LoadReport {
    const stripped = stripKeyPrefixes(input);
    stripped.delete('pos_embed');
    return super.loadStateDict(stripped, options);
  }
}
