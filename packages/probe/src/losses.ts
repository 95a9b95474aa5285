import * as tf from '@tensorflow/tfjs-core';
import { fail } from '@vjepa/core';

/** Mean cross-entropy of `logits` `[B, C]` against integer `labels` `[B]` (PyTorch's `CrossEntropyLoss`). */
export function crossEntropy(logits: tf.Tensor2D, labels: Int32Array | number[]): tf.Scalar {
  const [batch, classes] = logits.shape;
  if (labels.length !== batch) fail('labels', `${batch} labels, one per row of logits`, labels.length);
  for (const label of labels) {
    if (!Number.isInteger(label) || label < 0 || label >= classes) fail('labels', `class indices in [0, ${classes})`, label);
  }
  return tf.tidy(() => {
    const logProbabilities = tf.logSoftmax(logits); // [B, C]
    const picked = tf.sum(tf.mul(logProbabilities, tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes)), 1); // [B]
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}
