import * as tf from '@tensorflow/tfjs-core';
import { multiHeadAttentionReference } from '../../ops/multi-head-attention';
import type { AttentionBlockOptions } from './attention-blockwise';
import { nativeOrReference } from '../dispatch';
import { webgpuKernelActive } from '../webgpu';
import { WEBGPU_ATTENTION_MAX_HEAD_DIM } from './attention';
import { loadedNativeKernels } from '../native';
import { offsetOf, wasmKernel, withOutputs, type WasmKernelFunc } from '../wasm-heap';

// Self-attention of a fused `qkv` projection: the op, its plain tfjs reference, and the native kernel
// each way with its gradient (the heads are read in place, the weights recomputed in backward).

/** The fused self-attention kernel. */
export const SELF_ATTENTION = 'VjepaSelfAttention';
/** Its gradient kernel. */
export const SELF_ATTENTION_GRAD = 'VjepaSelfAttentionGrad';

/** Inputs of {@link SELF_ATTENTION}: `qkv [B, N, 3D]`, rows `[q | k | v]`, heads contiguous in each. */
export interface SelfAttentionInputs {
  qkv: tf.TensorInfo;
}

/** Attrs of both kernels. */
export interface SelfAttentionAttrs {
  heads: number;
}

/** Inputs of {@link SELF_ATTENTION_GRAD}: the forward input and the upstream gradient `dy [B, N, D]`. */
export interface SelfAttentionGradInputs {
  qkv: tf.TensorInfo;
  dy: tf.TensorInfo;
}

/**
 * Self-attention of a fused projection `qkv` `[B, N, 3D]` (rows `[q | k | v]`) → `[B, N, D]`. With the
 * native kernels one kernel each way (blockwise: its scratch never holds `N×N` scores), on webgpu our
 * flash-style WGSL kernels (`attention.webgpu.ts`); otherwise {@link selfAttentionReference}, blockwise
 * beyond `options.maxScores` scores.
 */
export function selfAttention(qkv: tf.Tensor3D, heads: number, options?: AttentionBlockOptions): tf.Tensor3D {
  const accepts = qkv.dtype === 'float32';
  const fused = () => tf.engine().runKernel(SELF_ATTENTION, { qkv } satisfies SelfAttentionInputs, { heads } satisfies SelfAttentionAttrs) as tf.Tensor3D; // [B, N, D]
  if (webgpuKernelActive(SELF_ATTENTION, accepts && qkv.shape[2] / 3 / heads <= WEBGPU_ATTENTION_MAX_HEAD_DIM)) return fused(); // WGSL (attention.webgpu.ts)
  return nativeOrReference(accepts, fused, () => selfAttentionReference(qkv, heads, options));
}

/** The plain tfjs composition of {@link selfAttention}: what the native kernel is tested against. */
export function selfAttentionReference(qkv: tf.Tensor3D, heads: number, options?: AttentionBlockOptions): tf.Tensor3D {
  return tf.tidy(() => {
    const [q, k, v] = tf.split(qkv, 3, 2) as tf.Tensor3D[]; // 3 × [B, N, D]
    return multiHeadAttentionReference(q, k, v, heads, options); // [B, N, D]
  });
}

/**
 * The addon's attention arguments after the operands, for `qkv [B, N, 3D]`: batch, nq, nk, heads, dh,
 * the row strides of q, k, v (3D) and of the output (D), and the scale; plus D and the q/k/v byte offsets
 * within a row (0, 4D, 8D).
 */
function geometry(qkv: tf.TensorInfo, heads: number) {
  const [b, n, threeD] = qkv.shape;
  const d = threeD / 3;
  const dh = d / heads;
  return {
    d,
    parts: [0, 4 * d, 8 * d] as const,
    shape: [b, n, n, heads, dh, threeD, threeD, threeD, d, 1 / Math.sqrt(dh)] as const,
  };
}

// qkv [B, N, 3D] → out [B, N, D]
const selfAttentionForward: WasmKernelFunc<SelfAttentionInputs, SelfAttentionAttrs> = ({ inputs: { qkv }, backend, attrs }) => {
  const { d, parts, shape } = geometry(qkv, attrs.heads);
  const [b, n] = qkv.shape;
  const base = offsetOf(backend, qkv);
  const [q, k, v] = parts.map((p) => base + p);
  return withOutputs(backend, [[b, n, d]], (mem, [out]) => loadedNativeKernels().attentionForward(mem, q, k, v, out, ...shape))[0];
};

// qkv [B, N, 3D], dy [B, N, D] → dqkv [B, N, 3D]
const selfAttentionBackward: WasmKernelFunc<SelfAttentionGradInputs, SelfAttentionAttrs> = ({ inputs: { qkv, dy }, backend, attrs }) => {
  const { parts, shape } = geometry(qkv, attrs.heads);
  const [base, dyo] = [offsetOf(backend, qkv), offsetOf(backend, dy)];
  const [q, k, v] = parts.map((p) => base + p);
  return withOutputs(backend, [[...qkv.shape]], (mem, [g]) => {
    const [dq, dk, dv] = parts.map((p) => g + p);
    loadedNativeKernels().attentionBackward(mem, q, k, v, dyo, dq, dk, dv, ...shape);
  })[0];
};

/** The wasm kernels of self-attention, for `registerNativeKernels`. */
export const selfAttentionKernels: tf.KernelConfig[] = [
  wasmKernel(SELF_ATTENTION, selfAttentionForward),
  wasmKernel(SELF_ATTENTION_GRAD, selfAttentionBackward),
];

/** The gradient of {@link SELF_ATTENTION}: one {@link SELF_ATTENTION_GRAD} kernel. */
export const selfAttentionGradients: tf.GradConfig[] = [
  {
    kernelName: SELF_ATTENTION,
    inputsToSave: ['qkv'],
    gradFunc: (dy, [qkv], attrs) => {
      const { heads } = attrs as unknown as SelfAttentionAttrs;
      return { qkv: () => tf.engine().runKernel(SELF_ATTENTION_GRAD, { qkv, dy: dy as tf.Tensor } satisfies SelfAttentionGradInputs, { heads }) as tf.Tensor };
    },
  },
];
