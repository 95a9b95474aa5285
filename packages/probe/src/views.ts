import * as tf from '@tensorflow/tfjs-core';
import { fail } from '@vjepa/core';

/**
 * Multi-segment clips as the official evaluator with `attend_across_segments: true` (spec §11.3): the
 * encoder runs on each temporal segment separately, then the token sets are concatenated along the
 * token axis, segment after segment, with no position added across segments.
 *
 * @param segmentFeatures - one `[B, N, D]` per segment, in temporal order (same B and D).
 * @returns `[B, S·N, D]` (for S segments of N tokens each), a new tensor.
 * @example
 * const features = concatSegments(segments.map((clip) => encoder.apply(clip))); // [B, 8·1568, D]
 */
export function concatSegments(segmentFeatures: readonly tf.Tensor3D[]): tf.Tensor3D {
  if (!Array.isArray(segmentFeatures) || segmentFeatures.length === 0) {
    fail('segmentFeatures', 'a non-empty list of [B, N, D] tensors, one per segment', segmentFeatures);
  }
  const [batch, , dim] = segmentFeatures[0].shape ?? [];
  segmentFeatures.forEach((segment, i) => {
    if (!(segment instanceof tf.Tensor) || segment.rank !== 3 || segment.shape[0] !== batch || segment.shape[2] !== dim) {
      fail(`segmentFeatures[${i}]`, `a [${batch}, N, ${dim}] tensor like segment 0`, segment?.shape ?? segment);
    }
  });
  return tf.tidy(() => tf.concat(segmentFeatures as tf.Tensor3D[], 1)); // [B, S·N, D]
}

/**
 * Multi-view prediction as the official evaluator (spec §11.3): the probe runs once per spatial view,
 * and the class probabilities are the mean over views of `softmax(logits)`. The prediction is the
 * argmax of this mean — which can differ from the majority vote of the per-view argmaxes.
 *
 * @param logitsPerView - one `[B, C]` per view (same shape).
 * @returns the averaged probabilities `[B, C]`, a new tensor (each row sums to 1).
 * @example
 * const probabilities = averageViewProbabilities(views.map((v) => probe.apply(v))); // [B, C]
 * const predictions = tf.argMax(probabilities, 1); // [B]
 */
export function averageViewProbabilities(logitsPerView: readonly tf.Tensor2D[]): tf.Tensor2D {
  if (!Array.isArray(logitsPerView) || logitsPerView.length === 0) {
    fail('logitsPerView', 'a non-empty list of [B, C] logits, one per view', logitsPerView);
  }
  const [batch, classes] = logitsPerView[0].shape ?? [];
  logitsPerView.forEach((logits, i) => {
    if (!(logits instanceof tf.Tensor) || logits.rank !== 2 || logits.shape[0] !== batch || logits.shape[1] !== classes) {
      fail(`logitsPerView[${i}]`, `a [${batch}, ${classes}] tensor like view 0`, logits?.shape ?? logits);
    }
  });
  return tf.tidy(() => {
    // A chain of adds rather than tf.addN, which tfjs 4.22 miscomputes on WebGPU beyond 8 inputs.
    const sum = logitsPerView.map((logits) => tf.softmax(logits)).reduce((a, b) => tf.add(a, b)); // [B, C]
    return tf.div(sum, logitsPerView.length) as tf.Tensor2D; // [B, C]
  });
}
