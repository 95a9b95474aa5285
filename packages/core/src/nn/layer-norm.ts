import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { layerNorm } from '../accel/kernels/layer-norm';

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
