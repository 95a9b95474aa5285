import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { LayerNorm } from './layer-norm';
import { Attention, type QkvTransform } from './attention';
import { Mlp } from './mlp';
import { residualAdd } from '../ops/residual-add';
import { fail } from '@vjepa/base';
import type { RandomStream } from '../random';

/** Options of a transformer `Block`. */
export interface BlockOptions {
  /** Hidden width of the MLP as a multiple of the width (default 4). */
  mlpRatio?: number;
  /** Bias on the fused qkv projection (default true). */
  qkvBias?: boolean;
  /** LayerNorm epsilon (default 1e-6, the encoder's and predictor's). */
  normEps?: number;
  /** Stochastic depth: the probability that a sample skips each residual branch while training (default 0, none). */
  dropPath?: number;
}

function checkDropPath(rate: number): number {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) fail('dropPath', 'a rate in [0, 1)', rate);
  return rate;
}

/**
 * Pre-norm transformer block: `x + attn(norm1(x))`, then `x + mlp(norm2(x))`. With a `dropPath` rate and a
 * `dropPathRng` set (training), each residual branch is dropped per sample with that probability and kept
 * ones are scaled by 1 / (1 − rate) (timm's `DropPath`); otherwise (the default, evaluation) it is the identity.
 */
export class Block extends Module {
  readonly norm1: LayerNorm;
  readonly attn: Attention;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp;
  /** Stochastic depth rate of both residual branches (0: none). */
  dropPath: number;
  /** The stream the per-sample drop draws come from while training; null (default) = evaluation, no drop. */
  dropPathRng: RandomStream | null = null;

  constructor(dim: number, heads: number, options: BlockOptions = {}) {
    super();
    const eps = options.normEps ?? 1e-6;
    this.dropPath = checkDropPath(options.dropPath ?? 0);
    this.norm1 = this.addModule('norm1', new LayerNorm(dim, eps));
    this.attn = this.addModule('attn', new Attention(dim, heads, { qkvBias: options.qkvBias }));
    this.norm2 = this.addModule('norm2', new LayerNorm(dim, eps));
    this.mlp = this.addModule('mlp', new Mlp(dim, Math.floor(dim * (options.mlpRatio ?? 4))));
  }

  /** `[B, N, D]` → `[B, N, D]`; `transformQkv` is handed to the attention (V-JEPA 2: RoPE on q and k). */
  apply(x: tf.Tensor3D, transformQkv?: QkvTransform): tf.Tensor3D {
    return tf.tidy(() => {
      const attended = residualAdd(x, this.dropBranch(this.attn.apply(this.norm1.apply(x) as tf.Tensor3D, transformQkv))); // [B, N, D]
      return residualAdd(attended, this.dropBranch(this.mlp.apply(this.norm2.apply(attended)) as tf.Tensor3D)); // [B, N, D]
    });
  }

  /** A residual branch `[B, N, D]` times a per-sample keep mask / (1 − rate) while training; itself otherwise. */
  private dropBranch(branch: tf.Tensor3D): tf.Tensor3D {
    const rate = checkDropPath(this.dropPath);
    if (rate === 0 || this.dropPathRng === null) return branch;
    const batch = branch.shape[0];
    const draws = this.dropPathRng.uniform(batch); // [B]
    const scale = Float32Array.from(draws, (u) => (u < rate ? 0 : 1 / (1 - rate))); // [B]
    return tf.mul(branch, tf.tensor3d(scale, [batch, 1, 1])); // [B, N, D]
  }
}
