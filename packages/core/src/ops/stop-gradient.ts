import * as tf from '@tensorflow/tfjs-core';

const stopGradientOp = tf.customGrad((x) => ({
  value: tf.clone(x as tf.Tensor),
  gradFunc: (dy) => tf.zerosLike(dy as tf.Tensor),
}));

/** The identity in forward, a zero gradient in backward (PyTorch's `detach` / `torch.no_grad` for one value). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}
