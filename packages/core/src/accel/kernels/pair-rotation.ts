import * as tf from '@tensorflow/tfjs-core';
import { fail } from '@vjepa/base';
import { nativeOrReference } from '../dispatch';
import { loadedNativeKernels } from '../native';
import { offsetOf, wasmKernel, withOutputs, type WasmKernelFunc } from '../wasm-heap';

// Rotary positions' inner step, the pair rotation: the op, its plain tfjs reference, and the native
// kernel each way with its gradient. One kernel each way where the reference is four (a Reverse of the
// pairs, two products, a sum) and the Reverse alone cost ~15 % of the V-JEPA 2 ViT-L forward on wasm.

/** The fused pair rotation on wasm. */
export const ROTATE_PAIRS = 'VjepaRotatePairs';
/** Its gradient kernel (the rotation by the transposed tables). */
export const ROTATE_PAIRS_GRAD = 'VjepaRotatePairsGrad';

/** Inputs of {@link ROTATE_PAIRS}: `x [B, N, G, H, dh]`, `cos` and `sin` `[R, N, G, 1, dh]` (R = 1 or B). */
export interface RotatePairsInputs {
  x: tf.TensorInfo;
  cos: tf.TensorInfo;
  sin: tf.TensorInfo;
}

/** Inputs of {@link ROTATE_PAIRS_GRAD}: `dy [B, N, G, H, dh]` and the tables. */
export interface RotatePairsGradInputs {
  dy: tf.TensorInfo;
  cos: tf.TensorInfo;
  sin: tf.TensorInfo;
}

/**
 * Turns each channel pair `(2i, 2i+1)` of `x [B, N, G, H, dh]` by the tables `cos`, `sin`
 * `[R, N, G, 1, dh]` (R = 1: one table for the batch, else R = B; shared by the H heads):
 * `out[e] = x[e]·cos[e] + x[e^1]·sin[e]`, where `e^1` is the other channel of e's pair and the rotation's
 * sign sits in `sin` (as `@vjepa/tubelet`'s `ropeTables` lays it out). Differentiable in `x`; the tables'
 * gradients come from the reference formula when asked for.
 *
 * @example
 * const out = rotatePairs(x, cos, sin); // [B, N, 3, H, dh]
 */
export function rotatePairs(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor {
  const [batch, tokens, groups, , dh] = x.shape;
  if (x.rank !== 5 || dh % 2 !== 0) fail('x', 'a tensor [B, N, G, H, dh] with dh even', x.shape);
  for (const [name, table] of [['cos', cos], ['sin', sin]] as const) {
    const [rows, n, g, one, d] = table.shape;
    if (table.rank !== 5 || !(rows === 1 || rows === batch) || n !== tokens || g !== groups || one !== 1 || d !== dh) {
      fail(name, `a table [1 or ${batch}, ${tokens}, ${groups}, 1, ${dh}]`, table.shape);
    }
  }
  const accepts = x.dtype === 'float32' && cos.dtype === 'float32' && sin.dtype === 'float32' && cos.shape[0] === sin.shape[0];
  return nativeOrReference(
    accepts,
    () => tf.engine().runKernel(ROTATE_PAIRS, { x, cos, sin } satisfies RotatePairsInputs) as tf.Tensor, // [B, N, G, H, dh]
    () => rotatePairsReference(x, cos, sin),
  );
}

/** The plain tfjs composition of {@link rotatePairs}: what the native kernel is tested against. */
export function rotatePairsReference(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(x, cos), tf.mul(swapPairs(x), sin))); // [B, N, G, H, dh]
}

/** Each pair's two channels exchanged, `x[e^1]`: a Reverse of an axis of 2. */
function swapPairs(x: tf.Tensor): tf.Tensor {
  return tf.reshape(tf.reverse(tf.reshape(x, [-1, 2]), 1), x.shape); // [B, N, G, H, dh]
}

/** The native call's numbers: batch, tokens, groups, heads, dh, table rows. */
function rotationShape(x: tf.TensorInfo, table: tf.TensorInfo): [number, number, number, number, number, number] {
  const [batch, tokens, groups, heads, dh] = x.shape;
  return [batch, tokens, groups, heads, dh, table.shape[0]];
}

// x [B, N, G, H, dh], cos, sin [R, N, G, 1, dh] → [B, N, G, H, dh]
const rotateForward: WasmKernelFunc<RotatePairsInputs> = ({ inputs: { x, cos, sin }, backend }) => {
  const [xo, co, so] = [offsetOf(backend, x), offsetOf(backend, cos), offsetOf(backend, sin)];
  return withOutputs(backend, [[...x.shape]], (mem, [out]) => loadedNativeKernels().rotatePairsForward(mem, xo, co, so, out, ...rotationShape(x, cos)))[0];
};

// dy [B, N, G, H, dh], cos, sin [R, N, G, 1, dh] → dx [B, N, G, H, dh]
const rotateBackward: WasmKernelFunc<RotatePairsGradInputs> = ({ inputs: { dy, cos, sin }, backend }) => {
  const [dyo, co, so] = [offsetOf(backend, dy), offsetOf(backend, cos), offsetOf(backend, sin)];
  return withOutputs(backend, [[...dy.shape]], (mem, [dx]) => loadedNativeKernels().rotatePairsBackward(mem, dyo, co, so, dx, ...rotationShape(dy, cos)))[0];
};

/** The wasm kernels of the pair rotation, for `registerNativeKernels`. */
export const rotatePairsKernels: tf.KernelConfig[] = [wasmKernel(ROTATE_PAIRS, rotateForward), wasmKernel(ROTATE_PAIRS_GRAD, rotateBackward)];

/** A table's gradient `Σ dy·v` over the heads (and over the batch for a shared table): [R, N, G, 1, dh]. */
function tableGradient(product: tf.Tensor, rows: number): tf.Tensor {
  const perRow = tf.sum(product, 3, true); // [B, N, G, 1, dh]
  return rows === 1 ? tf.sum(perRow, 0, true) : perRow; // [R, N, G, 1, dh]
}

/** The gradient of {@link ROTATE_PAIRS}: one {@link ROTATE_PAIRS_GRAD} kernel for `x`; the tables' by the reference formula, only when asked. */
export const rotatePairsGradients: tf.GradConfig[] = [
  {
    kernelName: ROTATE_PAIRS,
    inputsToSave: ['x', 'cos', 'sin'],
    gradFunc: (dy, [x, cos, sin]) => ({
      x: () => tf.engine().runKernel(ROTATE_PAIRS_GRAD, { dy: dy as tf.Tensor, cos, sin } satisfies RotatePairsGradInputs) as tf.Tensor,
      cos: () => tableGradient(tf.mul(dy as tf.Tensor, x), cos.shape[0]),
      sin: () => tableGradient(tf.mul(dy as tf.Tensor, swapPairs(x)), sin.shape[0]),
    }),
  },
];
