import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, type VideoBatch } from '@vjepa/core';
import { IMAGENET_MEAN, IMAGENET_STD, syntheticSource } from '@vjepa/data';
import { MaskCollator } from '@vjepa/masking';
import { createPretrainingModels, createTrainStep, officialRecipe, type VjepaModels } from '@vjepa/trainer';

// The page's "train" run, without the page: the e2e test runs the same steps in Node and compares the
// losses the page shows. A small V-JEPA (encoder 48 wide, 2 deep) on `synthetic:tiny` clips
// (8 frames of 32 × 32, 64 tokens), the official recipe and masks, a fixed seed.

/** The clips, model and masks of the page's training run. */
export const TRAIN_SETUP = {
  dataset: 'synthetic:tiny',
  batch: 2,
  seed: 0,
  encoder: { dim: 48, depth: 2, heads: 4, patch: 8, tubelet: 2, frames: 8, imageSize: 32 },
  predictor: { dim: 32, depth: 2 },
} as const;

/** One finished step, as the page plots it. */
export interface TrainProgress {
  step: number;
  loss: number;
  /** Steps per second over the steps so far (the first includes shader compilation on webgpu). */
  stepsPerS: number;
}

/** What a training run leaves: its losses and the trained models (the caller disposes them). */
export interface TrainOutcome {
  losses: number[];
  models: VjepaModels;
  /** The first batch's clip, to show the trained encoder's features on. */
  clip: VideoBatch;
}

/** Clip `i` of the dataset, ImageNet-normalised, `[T, H, W, 3]` floats. */
async function clipValues(index: number): Promise<Float32Array> {
  const source = syntheticSource(TRAIN_SETUP.dataset, { seed: TRAIN_SETUP.seed });
  const clip = (await source.get(index % source.size, new RandomStream(index)))!;
  const values = new Float32Array(clip.frames.length);
  for (let i = 0; i < values.length; i++) values[i] = (clip.frames[i] / 255 - IMAGENET_MEAN[i % 3]) / IMAGENET_STD[i % 3];
  return values;
}

/** Batch `b` of the run: clips `b·B … b·B + B − 1`, `[B, T, H, W, 3]`. */
async function batchAt(b: number): Promise<VideoBatch> {
  const { batch, encoder } = TRAIN_SETUP;
  const clips = await Promise.all(Array.from({ length: batch }, (_, i) => clipValues(b * batch + i)));
  const data = new Float32Array(clips.reduce((n, c) => n + c.length, 0));
  clips.forEach((c, i) => data.set(c, i * c.length));
  return tf.tensor5d(data, [batch, encoder.frames, encoder.imageSize, encoder.imageSize, 3]);
}

/**
 * Pretrains the small model for `steps` steps on the active backend, calling `onStep` after each (read
 * asynchronously with `runAsync`, so the page stays responsive and webgpu is never read synchronously).
 */
export async function trainSmallModel(steps: number, onStep: (progress: TrainProgress) => void = () => {}): Promise<TrainOutcome> {
  if (!Number.isSafeInteger(steps) || steps < 1) throw new Error(`train steps: expected a positive integer, received ${steps}`);
  const { encoder, predictor, seed, batch } = TRAIN_SETUP;
  const models = createPretrainingModels({ encoder: { ...encoder }, predictor: { ...predictor }, seed });
  const step = createTrainStep(models, officialRecipe(Math.max(steps, 10)));
  const masks = new MaskCollator({ grid: { frames: encoder.frames, crop: encoder.imageSize, patch: encoder.patch, tubelet: encoder.tubelet }, seed });
  const losses: number[] = [];
  let clip: VideoBatch | undefined;
  const start = performance.now();
  try {
    for (let i = 0; i < steps; i++) {
      const video = await batchAt(i);
      const drawn = masks.sample(batch);
      const { loss } = await step.runAsync(video, drawn);
      if (clip === undefined) clip = video;
      else video.dispose();
      losses.push(loss);
      onStep({ step: i, loss, stepsPerS: (i + 1) / ((performance.now() - start) / 1000) });
    }
  } catch (error) {
    clip?.dispose();
    models.encoder.dispose();
    models.predictor.dispose();
    models.targetEncoder.dispose();
    throw error;
  } finally {
    step.dispose();
  }
  return { losses, models, clip: clip! };
}
