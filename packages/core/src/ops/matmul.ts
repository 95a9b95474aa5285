import * as tf from '@tensorflow/tfjs-core';
import { nativeOrReference } from '../accel/dispatch';

/** tfjs types `save` loosely; it is always this. */
type Save = (tensors: tf.Tensor[]) => void;

/**
 * Matrix products that stay on the wasm backend's fast path.
 *
 * tfjs-wasm sends only 2-D products without transpose flags to XNNPACK; a batched or transposed
 * product runs a scalar loop (measured 3.4x slower on a transformer block's train step). On wasm
 * these helpers materialise transposes and split batches into 2-D products; elsewhere they call
 * `tf.matMul` with flags, which native and GPU backends handle best.
 */

/** Products smaller than this (multiply-adds) are not split into 2-D products on wasm. */
export const SPLIT_MIN_MACS = 1 << 16;

/** True where products must be reshaped for XNNPACK: wasm without the native kernels (which take transpose flags). */
function onWasm(): boolean {
  return nativeOrReference(true, () => false, () => tf.getBackend() === 'wasm');
}

/** `a @ b` with optional transposes, for 2-D or 3-D (batched) operands of equal rank. */
export function matMulFast(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (!onWasm()) return tf.matMul(a, b, transposeA, transposeB);
  return tf.tidy(() => {
    if (a.rank === 2) {
      const left = transposeA ? tf.transpose(a) : a; // [M, K]
      const right = transposeB ? tf.transpose(b) : b; // [K, N]
      return tf.matMul(left, right);
    }
    const left = transposeA ? tf.transpose(a, [0, 2, 1]) : a; // [Bt, M, K]
    const right = transposeB ? tf.transpose(b, [0, 2, 1]) : b; // [Bt, K, N]
    if (left.shape[0] === 1) return tf.expandDims(tf.matMul(tf.squeeze(left, [0]), tf.squeeze(right, [0])), 0);
    const [batch, m, k] = left.shape as [number, number, number];
    const n = right.shape[2] as number;
    // Below ~64k multiply-adds per product the per-kernel overhead of splitting exceeds what XNNPACK
    // saves (the probe's single query: 1×64 by 64×128), so small products stay one batched kernel.
    if (m * k * n < SPLIT_MIN_MACS) return tf.matMul(left, right);
    // SplitV is a cheap kernel on wasm; Unpack (tf.unstack) measured ~40x slower per call.
    const lefts = tf.split(left, batch, 0).map((l) => tf.reshape(l, [m, k])); // Bt × [M, K]
    const rights = tf.split(right, batch, 0).map((r) => tf.reshape(r, [k, n])); // Bt × [K, N]
    return tf.stack(lefts.map((l, i) => tf.matMul(l, rights[i]))); // [Bt, M, N]
  });
}

const batchMatMulOp = tf.customGrad((a, b, save) => {
  (save as Save)([a as tf.Tensor, b as tf.Tensor]);
  return {
    value: matMulFast(a as tf.Tensor, b as tf.Tensor), // [Bt, M, N]
    gradFunc: (dy, saved) => {
      const [sa, sb] = saved;
      return [
        matMulFast(dy as tf.Tensor, sb, false, true), // dA = dC·Bᵀ  [Bt, M, K]
        matMulFast(sa, dy as tf.Tensor, true, false), // dB = Aᵀ·dC  [Bt, K, N]
      ];
    },
  };
});

/**
 * Batched product `a @ b` of `[Bt, M, K]` and `[Bt, K, N]` → `[Bt, M, N]`, differentiable, with a
 * gradient that also stays on the fast path. Pass `transposeB` to multiply by `bᵀ` (`b` is then
 * `[Bt, N, K]`); the transpose is materialised once so forward and backward see plain products.
 */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeB = false): tf.Tensor3D {
  // Backends other than plain wasm (the native kernels included) take the transpose as a flag.
  if (!onWasm()) return tf.matMul(a, b, false, transposeB);
  return tf.tidy(() => {
    const right = transposeB ? tf.transpose(b, [0, 2, 1]) : b; // [Bt, K, N]
    return batchMatMulOp(a, right) as tf.Tensor3D;
  });
}
