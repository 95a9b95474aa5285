import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { linear } from '../accel/kernels/linear';

/** Options of `Linear`. */
export interface LinearOptions {
  /** Add a bias (default true). */
  bias?: boolean;
}

/**
 * `y = x·Wᵀ + b`, PyTorch's `nn.Linear` with state `weight` `[out, in]` and `bias` `[out]`.
 * Weights start at zero; models set them with their own initialisers (see `initLinear`).
 */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    this.weight = this.addState('weight', tf.zeros([outFeatures, inFeatures]));
    if (options.bias ?? true) this.bias = this.addState('bias', tf.zeros([outFeatures]));
  }

  /** `[..., in]` → `[..., out]`. */
  apply(x: tf.Tensor): tf.Tensor {
    return linear(x, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D | undefined);
  }
}
