import * as tf from '@tensorflow/tfjs-core';
import { fail, sameShape } from '@vjepa/base';

// tfjs's Add saves both inputs for its gradient (one Identity clone each) and reshapes both gradients
// back (two Reshape kernels), because it may broadcast. A residual sum never does: its gradient is dy
// for each side, so this one saves nothing and reshapes nothing. The value is the same Add kernel's.
const residualAddOp = tf.customGrad((a, b) => ({
  value: tf.add(a as tf.Tensor, b as tf.Tensor),
  gradFunc: (dy) => [dy as tf.Tensor, dy as tf.Tensor],
}));

/** `a + b` for two tensors of the same shape (a residual connection), with the bookkeeping-free gradient `(dy, dy)`. */
export function residualAdd<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  if (!sameShape(a.shape, b.shape)) fail('residualAdd', 'two tensors of the same shape', `[${a.shape}] and [${b.shape}]`);
  return residualAddOp(a, b) as T;
}
