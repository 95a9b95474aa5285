import * as tf from '@tensorflow/tfjs-core';
import { activeNativeKernels, offsetOf, type WasmBackendInternals } from '../accel/native';
import { ADAMW, EMA } from '../accel/kernels';

/** The per-step scalars of one AdamW update (torch.optim.AdamW, amsgrad off). */
export interface AdamWUpdate {
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** This parameter's step count t, from 1. */
  step: number;
}

/**
 * One AdamW update of a parameter, out of place: returns the new parameter and moments. With the native
 * kernels one pass over the four arrays; otherwise {@link adamwUpdateReference}. Both round every
 * operation to float32 in PyTorch's order.
 */
export function adamwUpdate(param: tf.Tensor, m: tf.Tensor, v: tf.Tensor, grad: tf.Tensor, u: AdamWUpdate): [tf.Tensor, tf.Tensor, tf.Tensor] {
  if (activeNativeKernels() && [param, m, v, grad].every((t) => t.dtype === 'float32')) {
    const biasCorrection1 = 1 - u.beta1 ** u.step;
    const biasCorrection2 = 1 - u.beta2 ** u.step;
    const attrs = {
      decayFactor: u.weightDecay !== 0 ? 1 - u.lr * u.weightDecay : 1,
      beta1: u.beta1,
      beta2: u.beta2,
      sqrtBias2: Math.sqrt(biasCorrection2),
      eps: u.eps,
      negStepSize: -(u.lr / biasCorrection1),
      gradScale: 1,
    };
    return tf.engine().runKernel(ADAMW, { param, m, v, grad }, attrs) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
  }
  return adamwUpdateReference(param, m, v, grad, u);
}

/** The plain tfjs composition of {@link adamwUpdate}. */
export function adamwUpdateReference(param: tf.Tensor, m: tf.Tensor, v: tf.Tensor, grad: tf.Tensor, u: AdamWUpdate): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const p = u.weightDecay !== 0 ? tf.mul(param, 1 - u.lr * u.weightDecay) : param; // decoupled decay first
    const m1 = tf.add(tf.mul(m, u.beta1), tf.mul(grad, 1 - u.beta1));
    const v1 = tf.add(tf.mul(v, u.beta2), tf.mul(tf.mul(grad, 1 - u.beta2), grad));
    const biasCorrection1 = 1 - u.beta1 ** u.step;
    const biasCorrection2 = 1 - u.beta2 ** u.step;
    const denom = tf.add(tf.div(tf.sqrt(v1), Math.sqrt(biasCorrection2)), u.eps);
    const p1 = tf.add(p, tf.mul(tf.div(m1, denom), -(u.lr / biasCorrection1)));
    return [p1, m1, v1] as [tf.Tensor, tf.Tensor, tf.Tensor];
  });
}

/**
 * `momentum·target + (1 − momentum)·online`, the EMA step of one tensor (both factors rounded to
 * float32, as the official in-place `mul_(m).add_((1 − m)·q)`). Native: one pass; else the reference.
 */
export function movingAverage(target: tf.Tensor, online: tf.Tensor, momentum: number): tf.Tensor {
  if (activeNativeKernels() && target.dtype === 'float32' && online.dtype === 'float32') {
    return tf.engine().runKernel(EMA, { target, online }, { momentum, keep: 1 - momentum }) as tf.Tensor;
  }
  return movingAverageReference(target, online, momentum);
}

/** The plain tfjs composition of {@link movingAverage}. */
export function movingAverageReference(target: tf.Tensor, online: tf.Tensor, momentum: number): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(target, momentum), tf.mul(online, 1 - momentum)));
}

/**
 * `Σ x²` of a float32 tensor as a host number (for gradient norms). With the native kernels one pass
 * over the wasm heap, accumulated in double; otherwise `tf.sum(x·x)` in float32, read back.
 */
export function sumOfSquares(x: tf.Tensor): number {
  const native = activeNativeKernels();
  if (native && x.dtype === 'float32') {
    const backend = tf.backend() as unknown as WasmBackendInternals;
    return native.sumSquares(backend.wasm.HEAPU8, offsetOf(backend, x), x.size);
  }
  const total = tf.tidy(() => tf.sum(tf.mul(x, x)));
  const value = total.dataSync()[0];
  total.dispose();
  return value;
}
