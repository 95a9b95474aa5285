import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend } from '@vjepa/core';
import { MaskCollator } from '@vjepa/masking';
import { pixelTargets } from './loss';
import { createPretrainingModels, createTrainStep, officialRecipe } from './recipe';

describe('the pixel-reconstruction baseline', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('targets are each tubelet normalised to zero mean and unit variance', () => {
    const rng = new RandomStream(0);
    const video = tf.tensor5d(rng.uniform(2 * 4 * 8 * 8 * 3, 0, 5), [2, 4, 8, 8, 3]);
    const targets = pixelTargets(video, 2, 4); // grid 2 × 2 × 2, volume 2·4·4·3 = 96
    expect(targets.shape).toEqual([2, 8, 96]);
    const rows = targets.arraySync();
    for (const row of rows.flat()) {
      const mean = row.reduce((a, b) => a + b, 0) / row.length;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(variance).toBeCloseTo(1, 4);
    }
    tf.dispose([video, targets]);
  });

  it('a step regresses pixels with a predictor sized to the tubelet volume, and learns', () => {
    const geometry = { frames: 4, imageSize: 16, patch: 8, tubelet: 2 };
    const models = createPretrainingModels({ encoder: { dim: 32, depth: 1, heads: 2, ...geometry }, predictor: { dim: 16, depth: 1 }, target: 'pixels' });
    expect(models.predictor.config.outputDim).toBe(2 * 8 * 8 * 3);
    const step = createTrainStep(models, { ...officialRecipe(100), lr: 3e-3, warmupSteps: 0, target: 'pixels' });
    const masks = new MaskCollator({ grid: { frames: 4, crop: 16, patch: 8, tubelet: 2 }, generators: [{ type: 'multiblock', spatialScale: [0.5, 0.5], numBlocks: 1 }] });
    const rng = new RandomStream(1);
    const video = tf.tensor5d(rng.uniform(2 * 4 * 16 * 16 * 3, -1, 1), [2, 4, 16, 16, 3]);
    const losses = Array.from({ length: 30 }, () => step.run(video, masks.sample(2)).loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(losses.slice(0, 5).reduce((a, b) => a + b) / 5);
    video.dispose();
    step.dispose();
    models.encoder.dispose();
    models.predictor.dispose();
    models.targetEncoder.dispose();
  });
});
