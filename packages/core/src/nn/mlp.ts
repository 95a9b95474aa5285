import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { Linear } from './linear';
import { activeNativeKernels } from '../accel/native';
import { GELU } from '../accel/kernels';

/** Exact GELU, `0.5·x·(1 + erf(x/√2))`, as PyTorch's default `nn.GELU` (not the tanh form). */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (activeNativeKernels() && x.dtype === 'float32') return tf.engine().runKernel(GELU, { x }) as tf.Tensor; // one kernel each way
  return geluReference(x);
}

/** The plain tfjs composition of {@link gelu}: what the native kernel is tested against. */
export function geluReference(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

/** `fc2(GELU(fc1(x)))` with `fc1: D → hidden`, `fc2: hidden → D`. */
export class Mlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(dim: number, hidden: number) {
    super();
    this.fc1 = this.addModule('fc1', new Linear(dim, hidden));
    this.fc2 = this.addModule('fc2', new Linear(hidden, dim));
  }

  /** `[..., D]` → `[..., D]`. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc2.apply(gelu(this.fc1.apply(x))));
  }
}
