import * as tf from '@tensorflow/tfjs-core';
import { batchMatMul } from './matmul';
import { blockwiseAttention, maxScoresOf, type AttentionBlockOptions } from '../accel/kernels/attention-blockwise';
import { ATTENTION, nativeAttention, nativeAttentionAccepts, WEBGPU_ATTENTION_MAX_HEAD_DIM } from '../accel/kernels/attention';
import { nativeOrReference } from '../accel/dispatch';
import { webgpuKernelActive } from '../accel/webgpu';

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
 * `softmax(q·kᵀ/√dh)·v`. `q` `[B, Nq, D]`, `k`/`v` `[B, Nk, D]` → `[B, Nq, D]`. With the native kernels
 * one blockwise kernel each way (no `N×N` scores held), on webgpu our flash-style WGSL kernels (heads up
 * to {@link WEBGPU_ATTENTION_MAX_HEAD_DIM} wide); otherwise {@link multiHeadAttentionReference}.
 */
export function multiHeadAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number, options?: AttentionBlockOptions): tf.Tensor3D {
  const maxScores = maxScoresOf(options);
  const accepts = nativeAttentionAccepts(q, k, v);
  if (webgpuKernelActive(ATTENTION, accepts && q.shape[2] / heads <= WEBGPU_ATTENTION_MAX_HEAD_DIM)) return nativeAttention(q, k, v, heads); // WGSL (attention.webgpu.ts)
  return nativeOrReference(
    accepts,
    () => nativeAttention(q, k, v, heads),
    () => multiHeadAttentionReference(q, k, v, heads, { maxScores }),
  );
}

/**
 * The plain tfjs composition of {@link multiHeadAttention}. When all heads' scores (`B·H·Nq·Nk`) would
 * exceed `options.maxScores` (default 2²⁴ floats, 64 MB) it runs blockwise ({@link blockwiseAttention}:
 * head slices and query rows in blocks, gradient by recomputation), which gives the same rows with
 * bounded memory.
 */
export function multiHeadAttentionReference(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number, options?: AttentionBlockOptions): tf.Tensor3D {
  const maxScores = maxScoresOf(options);
  return tf.tidy(() => {
    const batch = q.shape[0];
    const scale = 1 / Math.sqrt(q.shape[2] / heads);
    const qh = splitHeads(tf.mul(q, scale), heads); // [B·H, Nq, dh]
    const kh = splitHeads(k, heads); // [B·H, Nk, dh]
    const vh = splitHeads(v, heads); // [B·H, Nk, dh]
    if (batch * heads * q.shape[1] * k.shape[1] > maxScores) return mergeHeads(blockwiseAttention(qh, kh, vh, { maxScores }), batch, heads); // [B, Nq, D]
    const scores = batchMatMul(qh, kh, true); // [B·H, Nq, Nk]
    const weights = tf.softmax(scores); // [B·H, Nq, Nk]
    const mixed = batchMatMul(weights, vh); // [B·H, Nq, dh]
    return mergeHeads(mixed, batch, heads); // [B, Nq, D]
  });
}
