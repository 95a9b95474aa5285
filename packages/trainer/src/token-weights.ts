/**
 * A loss weighted toward the tokens whose pixels change: on clips where most of the frame is still, the
 * plain loss is dominated by tokens that are trivial to predict; weighting by pixel change moves the
 * gradient toward the moving objects.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail, gatherTokens, type IndexBatch, type VideoBatch } from '@vjepa/core';
import { patchify } from '@vjepa/tubelet';

/**
 * How much each token's pixels change: the mean over its tubelet of `|x_{t+1} − x_t|` (the last frame
 * reuses the previous difference) — `[B, N]`, in the token order of the encoder.
 */
export function pixelChangeScores(video: VideoBatch, tubelet: number, patch: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, frames, h, w, c] = video.shape;
    if (frames < 2) fail('video frames', 'at least 2 to measure change', frames);
    const next = tf.slice(video, [0, 1, 0, 0, 0], [b, frames - 1, h, w, c]); // [B, T−1, H, W, C]
    const previous = tf.slice(video, [0, 0, 0, 0, 0], [b, frames - 1, h, w, c]); // [B, T−1, H, W, C]
    const change = tf.abs(tf.sub(next, previous)); // [B, T−1, H, W, C]
    const last = tf.slice(change, [0, frames - 2, 0, 0, 0], [b, 1, h, w, c]); // [B, 1, H, W, C]
    const full = tf.concat([change, last], 1) as tf.Tensor5D; // [B, T, H, W, C]
    return tf.mean(patchify(full, tubelet, patch), 2) as tf.Tensor2D; // [B, N]
  });
}

/**
 * Token weights `(1 − α) + α · s / mean(s)` from change scores `[B, N]` (mean over the whole batch):
 * α = 0 is the plain loss, α = 1 weights purely by change. A batch without any change gets weight 1.
 */
export function changeWeights(scores: tf.Tensor2D, alpha: number): tf.Tensor2D {
  if (!(Number.isFinite(alpha) && alpha >= 0 && alpha <= 1)) fail('alpha', 'a number in [0, 1]', alpha);
  return tf.tidy(() => {
    const mean = tf.mean(scores);
    const relative = tf.where(tf.greater(mean, 0), tf.div(scores, tf.maximum(mean, 1e-12)), tf.onesLike(scores)); // [B, N]
    return tf.add(tf.mul(relative, alpha), 1 - alpha) as tf.Tensor2D;
  });
}

/**
 * Per-generator losses as `generatorLosses`, each token's error weighted: the weights `[B, N]` are
 * gathered at the generator's target indices and rescaled to mean 1 over them, so the loss keeps its
 * scale — `mean(w · |p − t|^e) / e` over the B·K·D elements.
 */
export function weightedGeneratorLosses(
  predictions: readonly tf.Tensor3D[],
  targets: readonly tf.Tensor3D[],
  weights: tf.Tensor2D,
  targetIndices: readonly (IndexBatch | tf.Tensor2D)[],
  lossExp = 1,
): tf.Scalar[] {
  if (!(Number.isFinite(lossExp) && lossExp >= 1)) fail('lossExp', 'a finite number ≥ 1', lossExp);
  if (predictions.length === 0 || predictions.length !== targets.length || targetIndices.length !== targets.length) {
    fail('predictions', `one tensor per target and target index set (${targets.length}), at least one`, predictions.length);
  }
  return predictions.map((p, i) =>
    tf.tidy(() => {
      if (p.shape.join() !== targets[i].shape.join()) fail(`predictions[${i}]`, `shape [${targets[i].shape}]`, p.shape);
      const gathered = gatherTokens(tf.expandDims(weights, 2) as tf.Tensor3D, targetIndices[i]); // [B, K, 1]
      const w = tf.div(gathered, tf.maximum(tf.mean(gathered), 1e-12)); // [B, K, 1], mean 1
      const error = tf.abs(tf.sub(p, targets[i])); // [B, K, D]
      const powered = lossExp === 1 ? error : tf.pow(error, lossExp); // [B, K, D]
      return tf.div(tf.mean(tf.mul(powered, w)), lossExp) as tf.Scalar;
    }),
  );
}
