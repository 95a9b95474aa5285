import * as tf from '@tensorflow/tfjs-core';
import { fail, gatherTokens, layerNorm, stopGradient, type IndexBatch, type VideoBatch } from '@vjepa/core';
import { patchify } from '@vjepa/tubelet';

/**
 * The targets of spec §6: the target encoder (V-JEPA 1 or 2) on the whole clip (its output is already final-LayerNormed),
 * then a LayerNorm without affine parameters, eps 1e-5 — `[B, N, D]`. No gradient flows back through it.
 */
export function targetFeatures(targetEncoder: { apply(video: VideoBatch): tf.Tensor3D }, video: VideoBatch): tf.Tensor3D {
  return tf.tidy(() => stopGradient(layerNorm(targetEncoder.apply(video), 1e-5)) as tf.Tensor3D); // [B, N, D]
}

/**
 * Pixel-reconstruction targets (the baseline V-JEPA is compared against): each tubelet's pixels
 * `[B, N, t·p·p·C]`, normalised per tubelet to zero mean and unit variance (eps 1e-6), as MAE's
 * normalised-pixel loss. No gradient flows into them.
 */
export function pixelTargets(video: VideoBatch, tubelet: number, patch: number): tf.Tensor3D {
  return tf.tidy(() => stopGradient(layerNorm(patchify(video, tubelet, patch), 1e-6)) as tf.Tensor3D); // [B, N, t·p·p·C]
}

/** `targets` gathered at each generator's target indices: one `[B, K_tgt_i, D]` per generator. */
export function gatherTargets(targets: tf.Tensor3D, targetIndices: readonly (IndexBatch | tf.Tensor2D)[]): tf.Tensor3D[] {
  return targetIndices.map((indices) => gatherTokens(targets, indices));
}

/**
 * The loss of each generator over its own B·K·D elements, `mean(|p − t|^lossExp) / lossExp` (the official
 * form; `lossExp` 1, the default, is the mean absolute error): one scalar per generator.
 */
export function generatorLosses(predictions: readonly tf.Tensor3D[], targets: readonly tf.Tensor3D[], lossExp = 1): tf.Scalar[] {
  if (!(Number.isFinite(lossExp) && lossExp >= 1)) fail('lossExp', 'a finite number ≥ 1', lossExp);
  if (predictions.length === 0 || predictions.length !== targets.length) {
    fail('predictions', `one tensor per target (${targets.length}), at least one`, predictions.length);
  }
  predictions.forEach((p, i) => {
    if (p.shape.join() !== targets[i].shape.join()) fail(`predictions[${i}]`, `shape [${targets[i].shape}]`, p.shape);
  });
  return predictions.map((p, i) =>
    tf.tidy(() => {
      const error = tf.abs(tf.sub(p, targets[i])); // [B, K, D]
      if (lossExp === 1) return tf.mean(error) as tf.Scalar;
      const powered = lossExp === 2 ? tf.square(error) : tf.pow(error, lossExp); // [B, K, D]
      return tf.div(tf.mean(powered), lossExp) as tf.Scalar;
    }),
  );
}

/** The average of per-generator losses, so every generator weighs the same whatever its size. */
export function averageLoss(losses: readonly tf.Scalar[]): tf.Scalar {
  return tf.tidy(() => tf.div(tf.addN(losses as tf.Scalar[]), losses.length) as tf.Scalar);
}

/** The V-JEPA loss (spec §6, loss_exp 1): per-generator L1, averaged over generators. */
export function vjepaLoss(predictions: readonly tf.Tensor3D[], targets: readonly tf.Tensor3D[]): tf.Scalar {
  return tf.tidy(() => averageLoss(generatorLosses(predictions, targets)));
}
