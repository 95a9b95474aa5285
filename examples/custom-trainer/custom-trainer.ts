/**
 * A custom V-JEPA-style trainer built only from public exports: one multiblock mask generator instead of
 * the official pair, a smooth-L1 loss instead of L1, tfjs's own Adam instead of the official AdamW, and the
 * EMA target from @vjepa/ema. No @vjepa/trainer involved.
 */
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, gatherTokens, layerNorm, type VideoBatch } from '@vjepa/core';
import { MaskCollator } from '@vjepa/masking';
import { VisionTransformer, type VisionTransformerConfig } from '@vjepa/vit';
import { Predictor } from '@vjepa/predictor';
import { EmaUpdater, momentumSchedule } from '@vjepa/ema';

/**
 * Smooth L1 (Huber with β = 1), averaged over every element: `0.5·m² + (d − m)` with `m = min(d, 1)`, which is
 * `0.5·d²` below 1 and `d − 0.5` above, written without a comparison (tfjs has no gradient for `less`).
 */
export function smoothL1(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const diff = tf.abs(tf.sub(prediction, target));
    const clipped = tf.minimum(diff, 1);
    return tf.mean(tf.add(tf.mul(0.5, tf.square(clipped)), tf.sub(diff, clipped))) as tf.Scalar;
  });
}

export interface CustomTrainerOptions {
  encoder: VisionTransformerConfig;
  predictorDim: number;
  predictorDepth: number;
  lr: number;
  steps: number;
  seed: number;
}

/** Trains on the clips `nextBatch` returns; reports the loss of every step. */
export async function trainCustom(options: CustomTrainerOptions, nextBatch: (step: number) => VideoBatch): Promise<number[]> {
  const rng = new RandomStream(options.seed);
  const encoder = new VisionTransformer(options.encoder, { rng });
  const c = encoder.config;
  const predictor = new Predictor(
    { encoderDim: c.dim, dim: options.predictorDim, depth: options.predictorDepth, heads: c.heads, numMaskTokens: 1, frames: c.frames, imageSize: c.imageSize, patch: c.patch, tubelet: c.tubelet },
    { rng },
  );
  const target = new VisionTransformer(options.encoder);
  target.loadStateDict(encoder.stateDict()); // the target starts as a copy
  const ema = new EmaUpdater(target, encoder);
  const momenta = momentumSchedule({ start: 0.99, end: 1, totalSteps: options.steps });
  const masks = new MaskCollator({
    grid: { frames: c.frames, crop: c.imageSize, patch: c.patch, tubelet: c.tubelet },
    generators: [{ type: 'multiblock', spatialScale: [0.4, 0.4], numBlocks: 2 }],
    seed: options.seed,
  });
  const optimizer = tf.train.adam(options.lr);
  const params = [...encoder.parameters().values(), ...predictor.parameters().values()];
  const losses: number[] = [];
  for (let step = 0; step < options.steps; step++) {
    const video = nextBatch(step);
    const [{ context, target: targetIndices }] = masks.sample(video.shape[0]);
    const loss = tf.tidy(() => {
      const targets = gatherTokens(layerNorm(target.apply(video), 1e-5) as tf.Tensor3D, targetIndices); // [B, K_tgt, D]
      const { value, grads } = tf.variableGrads(() => {
        const predicted = predictor.apply(encoder.apply(video, context), context, targetIndices); // [B, K_tgt, D]
        return smoothL1(predicted, targets);
      }, params);
      optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
      return value;
    });
    losses.push((await loss.data())[0]);
    loss.dispose();
    video.dispose();
    ema.update(momenta.step());
  }
  optimizer.dispose();
  encoder.dispose();
  predictor.dispose();
  target.dispose();
  return losses;
}

/** Clips of a bright square sliding right over noise: enough structure for the loss to fall. */
export function movingSquares(batch: number, frames: number, side: number, rng: RandomStream): VideoBatch {
  const data = rng.uniform(batch * frames * side * side * 3, -0.3, 0.3);
  const size = Math.max(2, side >> 2);
  for (let b = 0; b < batch; b++) {
    const top = rng.nextInt(0, side - size);
    const start = rng.nextInt(0, side - size);
    for (let f = 0; f < frames; f++) {
      const left = (start + f) % (side - size);
      for (let y = top; y < top + size; y++) {
        for (let x = left; x < left + size; x++) {
          for (let ch = 0; ch < 3; ch++) data[(((b * frames + f) * side + y) * side + x) * 3 + ch] = 2;
        }
      }
    }
  }
  return tf.tensor5d(data, [batch, frames, side, side, 3]);
}
