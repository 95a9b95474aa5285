import type * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';

/** PyTorch's `nn.ParameterList`: tensors under keys `0`, `1`, … (e.g. the predictor's `mask_tokens.0`). */
export class ParameterList extends Module {
  readonly items: tf.Variable[];

  /** Takes ownership of `initial` (the tensors are disposed). */
  constructor(initial: tf.Tensor[]) {
    super();
    this.items = initial.map((tensor, i) => this.addState(String(i), tensor));
  }
}
