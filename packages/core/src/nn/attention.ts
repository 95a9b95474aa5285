import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { Linear } from './linear';
import { fail } from '@vjepa/base';
import { multiHeadAttention } from '../ops/multi-head-attention';
import { selfAttention } from '../accel/kernels/self-attention';

/** Throws unless `heads` is a positive integer that divides the width `dim`. */
export function checkHeads(dim: number, heads: number): void {
  if (!Number.isInteger(heads) || heads < 1 || dim % heads !== 0) {
    fail('heads', `a positive integer that divides the width ${dim}`, heads);
  }
}

/** A map of a fused `qkv` projection `[B, N, 3D]` to the same shape (rows `[q | k | v]`), applied before attention. */
export type QkvTransform = (qkv: tf.Tensor3D) => tf.Tensor3D;

/** Options of {@link Attention} and {@link CrossAttention}. */
export interface AttentionOptions {
  /** Biases on the query/key/value projections (default true). */
  qkvBias?: boolean;
}

/** Options of {@link CrossAttention}. */
export interface CrossAttentionOptions extends AttentionOptions {
  /** Own the (never applied) `proj` Linear of the V-JEPA 1 probe (default true); V-JEPA 2's has none. */
  unusedProj?: boolean;
}

/** What both attentions share: the width and the head count, checked before any weight is made. */
abstract class HeadedAttention extends Module {
  /** Whether the query/key/value projections have biases. */
  protected readonly qkvBias: boolean;

  constructor(
    readonly dim: number,
    readonly heads: number,
    options: AttentionOptions,
  ) {
    super();
    checkHeads(dim, heads);
    this.qkvBias = options.qkvBias ?? true;
  }
}

/** Self-attention with a fused `qkv` Linear (rows laid out `[q | k | v]`) and an output `proj`. */
export class Attention extends HeadedAttention {
  readonly qkv: Linear;
  readonly proj: Linear;

  constructor(dim: number, heads: number, options: AttentionOptions = {}) {
    super(dim, heads, options);
    this.qkv = this.addModule('qkv', new Linear(dim, 3 * dim, { bias: this.qkvBias }));
    this.proj = this.addModule('proj', new Linear(dim, dim));
  }

  /**
   * `[B, N, D]` → `[B, N, D]`. `transformQkv` maps the fused projection `[B, N, 3D]` before attention
   * (V-JEPA 2 rotates q and k there, RoPE); the attention kernel is the same either way.
   */
  apply(x: tf.Tensor3D, transformQkv?: QkvTransform): tf.Tensor3D {
    return tf.tidy(() => {
      const qkv = this.qkv.apply(x) as tf.Tensor3D; // [B, N, 3D]
      const mixed = selfAttention(transformQkv ? transformQkv(qkv) : qkv, this.heads); // [B, N, D]
      return this.proj.apply(mixed) as tf.Tensor3D; // [B, N, D]
    });
  }
}

/**
 * Cross-attention of the official attentive probe: `q` and `kv` (rows `[k | v]`) projections. It owns
 * a `proj` Linear that is **not applied** in forward — the official code keeps it in the state dict
 * but skips it (applying it broke the released probe checkpoints, spec §11.2).
 */
export class CrossAttention extends HeadedAttention {
  readonly q: Linear;
  readonly kv: Linear;
  /** The unused output projection; absent with `unusedProj: false` (the V-JEPA 2 probe has none). */
  readonly proj: Linear | undefined;

  constructor(dim: number, heads: number, options: CrossAttentionOptions = {}) {
    super(dim, heads, options);
    this.q = this.addModule('q', new Linear(dim, dim, { bias: this.qkvBias }));
    this.kv = this.addModule('kv', new Linear(dim, 2 * dim, { bias: this.qkvBias }));
    this.proj = options.unusedProj === false ? undefined : this.addModule('proj', new Linear(dim, dim));
  }

  /** Queries `[B, Nq, D]` attend to `x` `[B, N, D]` → `[B, Nq, D]` (no output projection). */
  apply(queries: tf.Tensor3D, x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const q = this.q.apply(queries) as tf.Tensor3D; // [B, Nq, D]
      const [k, v] = tf.split(this.kv.apply(x), 2, 2) as tf.Tensor3D[]; // 2 × [B, N, D]
      return multiHeadAttention(q, k, v, this.heads); // [B, Nq, D]
    });
  }
}
