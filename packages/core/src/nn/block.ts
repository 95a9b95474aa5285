import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { LayerNorm } from './layer-norm';
import { Attention, type QkvTransform } from './attention';
import { Mlp } from './mlp';

/** Options of a transformer `Block`. */
export interface BlockOptions {
  /** Hidden width of the MLP as a multiple of the width (default 4). */
  mlpRatio?: number;
  /** Bias on the fused qkv projection (default true). */
  qkvBias?: boolean;
  /** LayerNorm epsilon (default 1e-6, the encoder's and predictor's). */
  normEps?: number;
}

/** Pre-norm transformer block: `x + attn(norm1(x))`, then `x + mlp(norm2(x))`. No drop-path. */
export class Block extends Module {
  readonly norm1: LayerNorm;
  readonly attn: Attention;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp;

  constructor(dim: number, heads: number, options: BlockOptions = {}) {
    super();
    const eps = options.normEps ?? 1e-6;
    this.norm1 = this.addModule('norm1', new LayerNorm(dim, eps));
    this.attn = this.addModule('attn', new Attention(dim, heads, { qkvBias: options.qkvBias }));
    this.norm2 = this.addModule('norm2', new LayerNorm(dim, eps));
    this.mlp = this.addModule('mlp', new Mlp(dim, Math.floor(dim * (options.mlpRatio ?? 4))));
  }

  /** `[B, N, D]` → `[B, N, D]`; `transformQkv` is handed to the attention (V-JEPA 2: RoPE on q and k). */
  apply(x: tf.Tensor3D, transformQkv?: QkvTransform): tf.Tensor3D {
    return tf.tidy(() => {
      const attended = tf.add(x, this.attn.apply(this.norm1.apply(x) as tf.Tensor3D, transformQkv)); // [B, N, D]
      return tf.add(attended, this.mlp.apply(this.norm2.apply(attended))) as tf.Tensor3D; // [B, N, D]
    });
  }
}
