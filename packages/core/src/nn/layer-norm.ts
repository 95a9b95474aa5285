import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { activeNativeKernels } from '../accel/native';
import { LAYER_NORM, LAYER_NORM_PLAIN } from '../accel/kernels';

/**
 * Layer normalisation over the last axis, PyTorch's formula: `(x − mean) / sqrt(var + eps)` with the
 * biased variance, then `· weight + bias` when given. Without weight and bias it is the official
 * non-affine target norm (`F.layer_norm`, eps 1e-5).
 */
export function layerNorm(x: tf.Tensor, eps: number, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  if (activeNativeKernels() && x.dtype === 'float32' && (weight === undefined) === (bias === undefined)) {
    // One kernel forward and one backward (the reference below is 9 kernels forward).
    if (weight === undefined) return tf.engine().runKernel(LAYER_NORM_PLAIN, { x }, { eps }) as tf.Tensor; // [..., D]
    return tf.engine().runKernel(LAYER_NORM, { x, weight, bias: bias! }, { eps }) as tf.Tensor; // [..., D]
  }
  return layerNormReference(x, eps, weight, bias);
}

/** The plain tfjs composition of {@link layerNorm}: what the native kernel is tested against. */
export function layerNormReference(x: tf.Tensor, eps: number, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const mean = tf.mean(x, axis, true); // [..., 1]
    const centered = tf.sub(x, mean); // [..., D]
    const variance = tf.mean(tf.mul(centered, centered), axis, true); // [..., 1]
    let y = tf.mul(centered, tf.rsqrt(tf.add(variance, eps))); // [..., D]
    if (weight) y = tf.mul(y, weight);
    if (bias) y = tf.add(y, bias);
    return y;
  });
}

/** PyTorch's `nn.LayerNorm(dim, eps)` with state `weight` (ones) and `bias` (zeros). */
export class LayerNorm extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  /** `eps`: 1e-6 in the encoder and predictor, 1e-5 (PyTorch's default) in the probe. */
  constructor(
    readonly dim: number,
    readonly eps: number,
  ) {
    super();
    this.weight = this.addState('weight', tf.ones([dim]));
    this.bias = this.addState('bias', tf.zeros([dim]));
  }

  /** `[..., D]` → `[..., D]`. */
  apply(x: tf.Tensor): tf.Tensor {
    return layerNorm(x, this.eps, this.weight, this.bias);
  }
}
