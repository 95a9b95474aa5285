import * as tf from '@tensorflow/tfjs-core';
import { fail, gatherTokens, type IndexBatch, type VideoBatch } from '@vjepa/core';
import { patchify } from '@vjepa/tubelet';

/** The pixel loss of the decoder: `l1` (mean absolute error, default) or `l2` (mean squared error). */
export type PixelLossKind = 'l1' | 'l2';

/** The true pixels of the tokens `tokenIds` `[B, K]` of `video`: `[B, K, t·p·p·C]`, in `patchify`'s order. */
export function tokenPixelTargets(video: VideoBatch, tokenIds: IndexBatch | tf.Tensor2D, tubelet: number, patch: number): tf.Tensor3D {
  return tf.tidy(() => gatherTokens(patchify(video, tubelet, patch), tokenIds)); // [B, K, t·p·p·C]
}

/** Mean `|p − t|` (`l1`) or `(p − t)²` (`l2`) over every element. */
export function pixelLoss(predicted: tf.Tensor3D, target: tf.Tensor3D, kind: PixelLossKind = 'l1'): tf.Scalar {
  if (kind !== 'l1' && kind !== 'l2') fail('loss', "'l1' or 'l2'", kind);
  if (predicted.shape.join() !== target.shape.join()) fail('predicted', `shape [${target.shape}]`, predicted.shape);
  return tf.tidy(() => {
    const error = tf.sub(predicted, target); // [B, K, t·p·p·C]
    return tf.mean(kind === 'l1' ? tf.abs(error) : tf.square(error)) as tf.Scalar;
  });
}
