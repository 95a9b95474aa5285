import * as tf from '@tensorflow/tfjs-core';
import {
  type Block,
  type LayerNorm,
  type Linear,
  Module,
  type ParameterList,
  fail,
  fillTruncNormal,
  gatherTokens,
  initModelWeights,
  stripKeyPrefixes,
  type IndexBatch,
  type LoadOptions,
  type LoadReport,
  type StateDictInput,
} from '@vjepa/core';
import { RopeTableCache, applyRope } from '@vjepa/tubelet';
import { checkPredictorInputs, predictorTrunk } from './trunk';
import { resolvePredictorV2Config, type PredictorV2Config, type ResolvedPredictorV2Config } from './config-v2';
import type { PredictorInitOptions } from './predictor';

/** Host ids `[B, K]` of an index batch (a tensor is read back). */
function hostIndices(indices: IndexBatch | tf.Tensor2D): IndexBatch {
  if (indices instanceof tf.Tensor) return { data: Int32Array.from(indices.dataSync()), shape: [indices.shape[0], indices.shape[1]] };
  return indices;
}

/**
 * The order that sorts each row of `positions` `[B, K]` ascending (the official `argsort`), and its inverse;
 * the sorted positions too.
 */
function sortRows(positions: IndexBatch): { order: IndexBatch; inverse: IndexBatch; sorted: Int32Array } {
  const [rows, length] = positions.shape;
  const order = new Int32Array(rows * length);
  const inverse = new Int32Array(rows * length);
  const sorted = new Int32Array(rows * length);
  for (let b = 0; b < rows; b++) {
    const row = positions.data.subarray(b * length, (b + 1) * length);
    const idx = Array.from({ length }, (_, i) => i).sort((i, j) => row[i] - row[j] || i - j);
    idx.forEach((source, k) => {
      order[b * length + k] = source;
      inverse[b * length + source] = k;
      sorted[b * length + k] = row[source];
    });
  }
  return { order: { data: order, shape: [rows, length] }, inverse: { data: inverse, shape: [rows, length] }, sorted };
}

/** The two index batches side by side: `[B, K₁]`, `[B, K₂]` → `[B, K₁ + K₂]`. */
function joinRows(a: IndexBatch, b: IndexBatch): IndexBatch {
  const [rows, k1] = a.shape;
  const k2 = b.shape[1];
  if (b.shape[0] !== rows) fail('targetIndices', `${rows} rows, as the context indices`, b.shape);
  const data = new Int32Array(rows * (k1 + k2));
  for (let r = 0; r < rows; r++) {
    data.set(a.data.subarray(r * k1, (r + 1) * k1), r * (k1 + k2));
    data.set(b.data.subarray(r * k2, (r + 1) * k2), r * (k1 + k2) + k1);
  }
  return { data, shape: [rows, k1 + k2] };
}

/**
 * The V-JEPA 2 predictor (`vit_predictor` with RoPE, VJEPA2-SPEC §2): context features are embedded to
 * width P, a mask token stands in for every target, the sequence is sorted by token position, blocks with
 * 3-D RoPE (positions from the configured `imageSize / patch` grid) mix it, then it is normed, unsorted,
 * and the target slots are projected back to the encoder width. No positional table. State keys are
 * official (`predictor_embed.*`, `mask_tokens.{0..9}`, `predictor_blocks.{i}.*`, `predictor_norm.*`,
 * `predictor_proj.*`); a `predictor_pos_embed` in a checkpoint is ignored.
 *
 * @example
 * const predictor = new PredictorV2({ encoderDim: 1024 });
 * const predicted = predictor.apply(context, masks.context, masks.target, 0); // [B, K_target, 1024]
 */
export class PredictorV2 extends Module {
  readonly config: ResolvedPredictorV2Config;
  readonly embed: Linear;
  readonly maskTokens: ParameterList;
  readonly blocks: Block[];
  readonly norm: LayerNorm;
  readonly proj: Linear;
  /** Rotation tables of the configured grid, computed once. */
  private readonly rope: RopeTableCache;

  constructor(config: PredictorV2Config, init: PredictorInitOptions = {}) {
    super();
    const c = resolvePredictorV2Config(config);
    this.config = c;
    this.rope = new RopeTableCache(c.dim / c.heads, c.ropeLayout);
    ({ embed: this.embed, maskTokens: this.maskTokens, blocks: this.blocks, norm: this.norm, proj: this.proj } = predictorTrunk(c, (name, module) =>
      this.addModule(name, module),
    ));
    initModelWeights(this, this.blocks, init, (rng) => {
      if (!c.zeroInitMaskTokens) for (const token of this.maskTokens.items) fillTruncNormal(token, rng, 0.02);
    });
  }

  /** Tokens of the configured clip: `(frames / tubelet) · (imageSize / patch)²`, the bound on every id. */
  get tokenCount(): number {
    const c = this.config;
    return (c.frames / c.tubelet) * (c.imageSize / c.patch) ** 2;
  }

  /**
   * Predicts target features. `context` `[B, K_ctx, D]` (encoder output at `contextIndices` `[B, K_ctx]`),
   * `targetIndices` `[B, K_tgt]`; `maskIndex` i uses mask token `i mod numMaskTokens` — training passes the
   * clip-length group (0 with one clip length, as the released configs), the official direct call defaults
   * to 1 → `[B, K_tgt, outputDim]`.
   */
  apply(
    context: tf.Tensor3D,
    contextIndices: IndexBatch | tf.Tensor2D,
    targetIndices: IndexBatch | tf.Tensor2D,
    maskIndex = 1,
  ): tf.Tensor3D {
    const c = this.config;
    checkPredictorInputs(context, c.encoderDim, maskIndex);
    const ctx = hostIndices(contextIndices);
    const tgt = hostIndices(targetIndices);
    if (ctx.shape[0] !== context.shape[0] || ctx.shape[1] !== context.shape[1]) {
      fail('contextIndices', `[${context.shape[0]}, ${context.shape[1]}] ids, one per context token`, ctx.shape);
    }
    const positions = joinRows(ctx, tgt); // [B, K_ctx + K_tgt]
    const bound = this.tokenCount;
    for (const id of positions.data) if (!(id >= 0 && id < bound)) fail('indices', `token ids in [0, ${bound})`, id);
    const { order, inverse, sorted } = sortRows(positions);
    const side = c.imageSize / c.patch;
    return tf.tidy(() => {
      const [batch, contextCount] = context.shape;
      const targets = tgt.shape[1];
      const x = this.embed.apply(context) as tf.Tensor3D; // [B, K_ctx, P]
      const token = this.maskTokens.items[maskIndex % c.numMaskTokens]; // [1, 1, P]
      const queries = tf.tile(token, [batch, targets, 1]) as tf.Tensor3D; // [B, K_tgt, P]
      const joined = tf.concat([x, queries], 1) as tf.Tensor3D; // [B, K, P]
      let sequence = gatherTokens(joined, order); // [B, K, P], sorted by position
      const tables = this.rope.tensors({ tokensPerFrame: side * side, tokensPerRow: side }, bound, sorted, batch); // [B, K, 3, 1, hd]
      const rotate = (qkv: tf.Tensor3D) => applyRope(qkv, tables, c.heads); // [B, K, 3P]
      for (const block of this.blocks) sequence = block.apply(sequence, rotate); // [B, K, P]
      const unsorted = gatherTokens(this.norm.apply(sequence) as tf.Tensor3D, inverse); // [B, K, P]
      const slots = tf.slice(unsorted, [0, contextCount, 0], [-1, targets, -1]); // [B, K_tgt, P]
      return this.proj.apply(slots) as tf.Tensor3D; // [B, K_tgt, D]
    });
  }

  /** Loads weights by official key, removing every `module.` and `backbone.` and any `predictor_pos_embed` first. */
  override loadStateDict(input: StateDictInput, options: LoadOptions = {}): LoadReport {
    const stripped = stripKeyPrefixes(input);
    stripped.delete('predictor_pos_embed');
    return super.loadStateDict(stripped, options);
  }
}
