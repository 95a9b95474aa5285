import * as tf from '@tensorflow/tfjs-core';
import { loadedNativeKernels } from '../native';
import { offsetOf, wasmKernel, withOutputs, type WasmKernelFunc } from '../wasm-heap';

// Multi-head attention of separate q, k, v (cross-attention, or q and k after a rotation) as one native
// kernel each way: the addon's blockwise attention, heads read in place (on webgpu, the WGSL kernels of
// `attention.webgpu.ts`). `multiHeadAttention` dispatches here; its plain tfjs composition is
// `multiHeadAttentionReference`.

/** The attention kernel of separate `q`, `k`, `v`. */
export const ATTENTION = 'VjepaAttention';
/** Its gradient kernel (three outputs: dq, dk, dv). */
export const ATTENTION_GRAD = 'VjepaAttentionGrad';

/** Inputs of {@link ATTENTION}: `q [B, Nq, D]`, `k`/`v [B, Nk, D]`, heads contiguous along D. */
export interface AttentionInputs {
  q: tf.TensorInfo;
  k: tf.TensorInfo;
  v: tf.TensorInfo;
}

/** Attrs of both kernels. */
export interface AttentionAttrs {
  heads: number;
}

/** Inputs of {@link ATTENTION_GRAD}: the forward inputs and the upstream gradient `dy [B, Nq, D]`. */
export interface AttentionGradInputs extends AttentionInputs {
  dy: tf.TensorInfo;
}

/** The widest head (`D / heads`) the WGSL kernels take: two key tiles of 16 × dh floats fit WebGPU's guaranteed 16 KiB of workgroup memory. */
export const WEBGPU_ATTENTION_MAX_HEAD_DIM = 128;

/** Whether the native kernel takes these operands: float32, one width D, k and v of one length, at least one query and key. */
export function nativeAttentionAccepts(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): boolean {
  const [b, nq, d] = q.shape;
  return (
    [q, k, v].every((t) => t.dtype === 'float32') &&
    k.shape[0] === b && v.shape[0] === b && k.shape[2] === d && v.shape[2] === d && v.shape[1] === k.shape[1] && nq >= 1 && k.shape[1] >= 1
  );
}

/** The fused kernel (native on wasm, WGSL on webgpu) on operands {@link nativeAttentionAccepts} (the caller dispatches). */
export function nativeAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number): tf.Tensor3D {
  return tf.engine().runKernel(ATTENTION, { q, k, v } satisfies AttentionInputs, { heads } satisfies AttentionAttrs) as tf.Tensor3D;
}

/** The addon's attention numbers for `q [B, Nq, D]`, `k [B, Nk, D]`: batch, nq, nk, heads, dh, the row strides (D) and the scale. */
function geometry(q: tf.TensorInfo, k: tf.TensorInfo, heads: number) {
  const [b, nq, d] = q.shape;
  const dh = d / heads;
  return [b, nq, k.shape[1], heads, dh, d, d, d, d, 1 / Math.sqrt(dh)] as const;
}

// q [B, Nq, D], k, v [B, Nk, D] → out [B, Nq, D]
const attentionForward: WasmKernelFunc<AttentionInputs, AttentionAttrs> = ({ inputs: { q, k, v }, backend, attrs }) => {
  const shape = geometry(q, k, attrs.heads);
  const [qo, ko, vo] = [offsetOf(backend, q), offsetOf(backend, k), offsetOf(backend, v)];
  return withOutputs(backend, [[...q.shape]], (mem, [out]) => loadedNativeKernels().attentionForward(mem, qo, ko, vo, out, ...shape))[0];
};

// q, k, v, dy → dq [B, Nq, D], dk, dv [B, Nk, D]
const attentionBackward: WasmKernelFunc<AttentionGradInputs, AttentionAttrs> = ({ inputs: { q, k, v, dy }, backend, attrs }) => {
  const shape = geometry(q, k, attrs.heads);
  const [qo, ko, vo, dyo] = [offsetOf(backend, q), offsetOf(backend, k), offsetOf(backend, v), offsetOf(backend, dy)];
  return withOutputs(backend, [[...q.shape], [...k.shape], [...v.shape]], (mem, [dq, dk, dv]) =>
    loadedNativeKernels().attentionBackward(mem, qo, ko, vo, dyo, dq, dk, dv, ...shape),
  );
};

/** The wasm kernels of attention, for `registerNativeKernels`. */
export const attentionKernels: tf.KernelConfig[] = [wasmKernel(ATTENTION, attentionForward), wasmKernel(ATTENTION_GRAD, attentionBackward)];

/** The gradient of {@link ATTENTION}: one {@link ATTENTION_GRAD} kernel for all three inputs. */
export const attentionGradients: tf.GradConfig[] = [
  {
    kernelName: ATTENTION,
    inputsToSave: ['q', 'k', 'v'],
    gradFunc: (dy, [q, k, v], attrs) => {
      const { heads } = attrs as unknown as AttentionAttrs;
      const [dq, dk, dv] = tf.engine().runKernel(ATTENTION_GRAD, { q, k, v, dy: dy as tf.Tensor } satisfies AttentionGradInputs, { heads }) as tf.Tensor[];
      return { q: () => dq, k: () => dk, v: () => dv };
    },
  },
];
