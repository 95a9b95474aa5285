import * as tf from '@tensorflow/tfjs-core';
import { fail } from '@vjepa/core';

/**
 * Cross-entropy with label smoothing, as PyTorch's `CrossEntropyLoss(label_smoothing=ε)` and timm's
 * `LabelSmoothingCrossEntropy`: the target is `(1 − ε)·onehot(y) + ε/C`, so the loss per clip is
 * `−(1 − ε)·log p_y − (ε/C)·Σ_c log p_c`, averaged over the batch. ε = 0 is the plain cross-entropy.
 *
 * @param logits - `[B, C]`.
 * @param labels - one class index per row.
 * @param smoothing - ε in [0, 1).
 */
export function smoothedCrossEntropy(logits: tf.Tensor2D, labels: ArrayLike<number>, smoothing = 0): tf.Scalar {
  const [batch, classes] = logits.shape;
  if (labels.length !== batch) fail('labels', `${batch} labels, one per row of logits`, labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= classes) fail(`labels[${i}]`, `a class index in [0, ${classes})`, label);
  }
  if (typeof smoothing !== 'number' || !(smoothing >= 0 && smoothing < 1)) fail('labelSmoothing', 'a number in [0, 1)', smoothing);
  return tf.tidy(() => {
    const logProbabilities = tf.logSoftmax(logits); // [B, C]
    const target = tf.add(tf.mul(tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes), 1 - smoothing), smoothing / classes); // [B, C]
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logProbabilities), 1))) as tf.Scalar;
  });
}
