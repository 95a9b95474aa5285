import * as tf from '@tensorflow/tfjs-core';
import { fail, nativeOrReference, sumOfSquares } from '@vjepa/core';
import type { Gradients } from './adamw';

/** What {@link clipGradNorm} returns. */
export interface ClipResult {
  /** The clipped gradients by the same keys, in the same order: new tensors owned by the caller. */
  grads: Map<string, tf.Tensor>;
  /** The global L2 norm of the gradients before clipping (float32 value, as PyTorch returns it). */
  totalNorm: number;
}

/**
 * Global-norm gradient clipping as `torch.nn.utils.clip_grad_norm_` (norm type 2):
 * `total = ‖(‖g₁‖, ‖g₂‖, …)‖₂`, `coef = maxNorm / (total + 1e-6)`, and every gradient is multiplied by
 * `min(coef, 1)` — so it is left unchanged unless `coef < 1`. Computed in float32 on the backend, as
 * PyTorch does; like PyTorch's default, a non-finite norm is returned, not thrown.
 *
 * Ownership: the input tensors are neither changed nor disposed (dispose them when you no longer need
 * them); the returned tensors are new and belong to the caller. The official trainer clips the encoder's
 * and the predictor's gradients separately: call this once per module's gradients.
 *
 * @param grads - gradients by key (`Map` or plain object).
 * @param maxNorm - the largest allowed global norm (10 in pretraining, 1 for the probe).
 * @example
 * const { grads: clipped, totalNorm } = clipGradNorm(encoderGrads, 10);
 */
export function clipGradNorm(grads: Gradients, maxNorm: number): ClipResult {
  const entries = checkedEntries(grads, maxNorm);
  if (entries.length === 0) return { grads: new Map(), totalNorm: 0 };
  return nativeOrReference(true, () => clipOnHost(entries, maxNorm), () => {
    const { grads: clipped, totalNorm: total } = clipOnBackend(entries, maxNorm);
    const totalNorm = total.dataSync()[0];
    total.dispose();
    return { grads: clipped, totalNorm };
  });
}

/** What {@link clipGradNormOnDevice} returns: the norm stays a tensor, so nothing is read back. */
export interface DeviceClipResult {
  /** The clipped gradients by the same keys, in the same order: new tensors owned by the caller. */
  grads: Map<string, tf.Tensor>;
  /** The global L2 norm before clipping, a scalar tensor owned by the caller. */
  totalNorm: tf.Scalar;
}

/**
 * {@link clipGradNorm} computed entirely on the backend, with the norm returned as a tensor: no value
 * leaves the device, so a GPU step stays on the GPU and is read once, asynchronously, at its end
 * (`VjepaTrainStep.runAsync`). Same formula, same float32 values as the plain path.
 *
 * @example
 * const { grads: clipped, totalNorm } = clipGradNormOnDevice(encoderGrads, 10);
 * const norm = (await totalNorm.data())[0];
 */
export function clipGradNormOnDevice(grads: Gradients, maxNorm: number): DeviceClipResult {
  const entries = checkedEntries(grads, maxNorm);
  if (entries.length === 0) return { grads: new Map(), totalNorm: tf.scalar(0) };
  return clipOnBackend(entries, maxNorm);
}

function checkedEntries(grads: Gradients, maxNorm: number): [string, tf.Tensor][] {
  if (typeof maxNorm !== 'number' || !Number.isFinite(maxNorm) || maxNorm <= 0) fail('maxNorm', 'a positive finite number', maxNorm);
  const entries: [string, tf.Tensor][] = grads instanceof Map ? [...grads.entries()] : Object.entries(grads);
  for (const [key, grad] of entries) {
    if (!(grad instanceof tf.Tensor) || grad.isDisposed) fail(`grads '${key}'`, 'a live tensor', grad);
  }
  return entries;
}

/**
 * {@link clipGradNorm} when `maxNorm` is a number, the gradients as they are when it is null (no clipping):
 * what a training step with an optional `clipGrad` feeds AdamW, and the norm before clipping (absent without).
 *
 * @example
 * const { grads: update, totalNorm } = clipOptional(gradientsByKey(params, grads), clipGrad);
 */
export function clipOptional(grads: Gradients, maxNorm: number | null): { grads: Gradients; totalNorm?: number } {
  return maxNorm === null ? { grads } : clipGradNorm(grads, maxNorm);
}

/** The clipping in float32 on the backend, as PyTorch computes it: the path without the native kernels. */
function clipOnBackend(entries: [string, tf.Tensor][], maxNorm: number): DeviceClipResult {
  const { total, clipped } = tf.tidy(() => {
    const norms = entries.map(([, grad]) => tf.sqrt(tf.sum(tf.mul(grad, grad)))); // one scalar per tensor
    const stacked = tf.stack(norms); // [n]
    const total = tf.sqrt(tf.sum(tf.mul(stacked, stacked))) as tf.Scalar; // scalar
    const coef = tf.minimum(tf.div(maxNorm, tf.add(total, 1e-6)), 1); // scalar, ≤ 1
    return { total, clipped: entries.map(([, grad]) => tf.mul(grad, coef)) };
  });
  return { grads: new Map(entries.map(([key], i) => [key, clipped[i]])), totalNorm: total };
}

/**
 * The same clipping with the norms summed natively on the host (float32 results, as PyTorch's): a
 * coefficient of at least 1 leaves every gradient as it is (PyTorch multiplies by exactly 1), so only a
 * real clip — or a non-finite norm, which PyTorch propagates — costs a multiply per tensor.
 */
function clipOnHost(entries: [string, tf.Tensor][], maxNorm: number): ClipResult {
  const norms = entries.map(([, grad]) => Math.fround(Math.sqrt(sumOfSquares(grad))));
  const totalNorm = Math.fround(Math.sqrt(norms.reduce((sum, norm) => sum + norm * norm, 0)));
  const coef = Math.fround(maxNorm / Math.fround(totalNorm + 1e-6));
  const scale = (grad: tf.Tensor) => (coef >= 1 ? tf.clone(grad) : tf.mul(grad, coef));
  return { grads: new Map(entries.map(([key, grad]) => [key, scale(grad)])), totalNorm };
}
