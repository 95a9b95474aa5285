import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { Linear } from './linear';
import { batchMatMul } from '../ops/matmul';
import { fail } from '@vjepa/base';
import { activeNativeKernels } from '../accel/native';
import { SELF_ATTENTION } from '../accel/kernels';

/** `[B, N, D]` → `[B·H, N, D/H]`: heads split contiguously along D (head-major), as PyTorch reshapes. */
function splitHeads(x: tf.Tensor, heads: number): tf.Tensor3D {
  const [batch, tokens, dim] = x.shape;
  const perHead = dim / heads;
  const grouped = tf.reshape(x, [batch, tokens, heads, perHead]); // [B, N, H, dh]
  const headMajor = tf.transpose(grouped, [0, 2, 1, 3]); // [B, H, N, dh]
  return tf.reshape(headMajor, [batch * heads, tokens, perHead]); // [B·H, N, dh]
}

/** `[B·H, N, dh]` → `[B, N, H·dh]`, the inverse of `splitHeads`. */
function mergeHeads(x: tf.Tensor, batch: number, heads: number): tf.Tensor3D {
  const [, tokens, perHead] = x.shape;
  const split = tf.reshape(x, [batch, heads, tokens, perHead]); // [B, H, N, dh]
  const tokenMajor = tf.transpose(split, [0, 2, 1, 3]); // [B, N, H, dh]
  return tf.reshape(tokenMajor, [batch, tokens, heads * perHead]); // [B, N, D]
}

/**
 * Scaled dot-product attention over `heads` heads, without a mask (the official code ignores it):
 * `softmax(q·kᵀ/√dh)·v`. `q` `[B, Nq, D]`, `k`/`v` `[B, Nk, D]` → `[B, Nq, D]`.
 */
export function multiHeadAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number): tf.Tensor3D {
  return tf.tidy(() => {
    const batch = q.shape[0];
    const scale = 1 / Math.sqrt(q.shape[2] / heads);
    const qh = splitHeads(tf.mul(q, scale), heads); // [B·H, Nq, dh]
    const kh = splitHeads(k, heads); // [B·H, Nk, dh]
    const vh = splitHeads(v, heads); // [B·H, Nk, dh]
    const scores = batchMatMul(qh, kh, true); // [B·H, Nq, Nk]
    const weights = tf.softmax(scores); // [B·H, Nq, Nk]
    const mixed = batchMatMul(weights, vh); // [B·H, Nq, dh]
    return mergeHeads(mixed, batch, heads); // [B, Nq, D]
  });
}

/**
 * Self-attention of a fused projection `qkv` `[B, N, 3D]` (rows `[q | k | v]`) → `[B, N, D]`. With the
 * native kernels one kernel each way (the heads are read in place, the weights recomputed in backward);
 * otherwise {@link selfAttentionReference}.
 */
export function selfAttention(qkv: tf.Tensor3D, heads: number): tf.Tensor3D {
  if (activeNativeKernels() && qkv.dtype === 'float32') return tf.engine().runKernel(SELF_ATTENTION, { qkv }, { heads }) as tf.Tensor3D;
  return selfAttentionReference(qkv, heads);
}

/** The plain tfjs composition of {@link selfAttention}: what the native kernel is tested against. */
export function selfAttentionReference(qkv: tf.Tensor3D, heads: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [q, k, v] = tf.split(qkv, 3, 2) as tf.Tensor3D[]; // 3 × [B, N, D]
    return multiHeadAttention(q, k, v, heads); // [B, N, D]
  });
}

export function checkHeads(dim: number, heads: number): void {
  if (!Number.isInteger(heads) || heads < 1 || dim % heads !== 0) {
    fail('heads', `a positive integer that divides the width ${dim}`, heads);
  }
}

/** Self-attention with a fused `qkv` Linear (rows laid out `[q | k | v]`) and an output `proj`. */
export class Attention extends Module {
  readonly qkv: Linear;
  readonly proj: Linear;

  constructor(
    readonly dim: number,
    readonly heads: number,
    options: { qkvBias?: boolean } = {},
  ) {
    super();
    checkHeads(dim, heads);
    this.qkv = this.addModule('qkv', new Linear(dim, 3 * dim, { bias: options.qkvBias ?? true }));
    this.proj = this.addModule('proj', new Linear(dim, dim));
  }

  /** `[B, N, D]` → `[B, N, D]`. */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => this.proj.apply(selfAttention(this.qkv.apply(x) as tf.Tensor3D, this.heads)) as tf.Tensor3D); // [B, N, D]
  }
}

/**
 * Cross-attention of the official attentive probe: `q` and `kv` (rows `[k | v]`) projections. It owns
 * a `proj` Linear that is **not applied** in forward — the official code keeps it in the state dict
 * but skips it (applying it broke the released probe checkpoints, spec §11.2).
 */
export class CrossAttention extends Module {
  readonly q: Linear;
  readonly kv: Linear;
  readonly proj: Linear;

  constructor(
    readonly dim: number,
    readonly heads: number,
    options: { qkvBias?: boolean } = {},
  ) {
    super();
    checkHeads(dim, heads);
    const bias = options.qkvBias ?? true;
    this.q = this.addModule('q', new Linear(dim, dim, { bias }));
    this.kv = this.addModule('kv', new Linear(dim, 2 * dim, { bias }));
    this.proj = this.addModule('proj', new Linear(dim, dim));
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
