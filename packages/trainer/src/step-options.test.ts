import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend } from '@vjepa/core';
import { MaskCollator } from '@vjepa/masking';
import { createPretrainingModels, createTrainStep, officialRecipe, type TrainingRecipe } from './recipe';
import { generatorLosses } from './loss';
import { changeWeights, pixelChangeScores, weightedGeneratorLosses } from './token-weights';

const geometry = { frames: 4, imageSize: 16, patch: 8, tubelet: 2 };
const grid = { frames: 4, crop: 16, patch: 8, tubelet: 2 };

beforeAll(async () => {
  await selectBackend('cpu');
});

function clip(seed: number): tf.Tensor5D {
  return tf.tensor5d(new RandomStream(seed).uniform(2 * 4 * 16 * 16 * 3, -1, 1), [2, 4, 16, 16, 3]);
}

function setup(extra: Partial<TrainingRecipe>, generators = [{ type: 'multiblock' as const, spatialScale: [0.5, 0.5] as [number, number], numBlocks: 1 }]) {
  const models = createPretrainingModels({ encoder: { dim: 16, depth: 1, heads: 2, ...geometry }, predictor: { dim: 16, depth: 1 }, seed: 0 });
  const step = createTrainStep(models, { ...officialRecipe(100), lr: 1e-3, warmupSteps: 0, ...extra });
  const masks = new MaskCollator({ grid, generators, seed: 1 });
  const dispose = () => [step, models.encoder, models.predictor, models.targetEncoder].forEach((m) => m.dispose());
  return { models, step, masks, dispose };
}

const bytes = (state: Map<string, tf.Variable>) => [...state].map(([key, v]) => `${key}:${Buffer.from((v.dataSync() as Float32Array).buffer).toString('base64')}`);

describe('train step options', () => {
  it('frozenTeacher: the target encoder stays bit-identical over steps while the encoder learns', () => {
    const { models, step, masks, dispose } = setup({ frozenTeacher: true });
    const target0 = bytes(models.targetEncoder.stateDict());
    const encoder0 = bytes(models.encoder.stateDict());
    for (let k = 0; k < 3; k++) {
      const video = clip(k);
      expect(step.run(video, masks.sample(2)).momentum).toBe(1);
      video.dispose();
    }
    expect(bytes(models.targetEncoder.stateDict())).toEqual(target0);
    expect(bytes(models.encoder.stateDict())).not.toEqual(encoder0);
    dispose();
    // without it, the EMA moves the target
    const moving = setup({});
    const before = bytes(moving.models.targetEncoder.stateDict());
    const video = clip(0);
    moving.step.run(video, moving.masks.sample(2));
    expect(bytes(moving.models.targetEncoder.stateDict())).not.toEqual(before);
    video.dispose();
    moving.dispose();
  });

  it('regularizer: the loss is the V-JEPA loss plus weight · the reported regularizer (SIGReg and VICReg)', () => {
    const video = clip(3);
    const plain = setup({});
    const base = plain.step.run(video, plain.masks.sample(2));
    expect(base.regularizer).toBeUndefined();
    plain.dispose();
    for (const regularizer of [{ kind: 'sigreg' as const, weight: 0.5, directions: 16 }, { kind: 'vicreg' as const, weight: 2 }]) {
      const run = setup({ regularizer });
      const metrics = run.step.run(video, run.masks.sample(2));
      expect(metrics.generatorLosses).toEqual(base.generatorLosses); // same models, batch and masks
      expect(metrics.regularizer).toBeGreaterThan(0);
      expect(metrics.loss).toBeCloseTo(base.loss + regularizer.weight * metrics.regularizer!, 5);
      run.dispose();
    }
    expect(() => setup({ regularizer: { kind: 'sigreg', weight: Number.NaN } })).toThrow(/options.regularizer.weight: expected a finite number ≥ 0/);
    video.dispose();
  });

  it('future masks and change weighting train a step with a finite loss and no leaked tensors', () => {
    const { step, masks, dispose } = setup({ changeWeighting: 0.5 }, [{ type: 'future' } as never]);
    const video = clip(4);
    step.run(video, masks.sample(2)); // warm the optimiser state
    const before = tf.memory().numTensors;
    const metrics = step.run(video, masks.sample(2));
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(metrics.loss)).toBe(true);
    video.dispose();
    dispose();
    expect(() => setup({ changeWeighting: 2 })).toThrow(/options.changeWeighting: expected a number in \[0, 1\], received 2/);
  });
});

describe('change-weighted loss', () => {
  it('pixelChangeScores: mean |x_{t+1} − x_t| per tubelet, the last frame repeating the previous difference', () => {
    // one clip of 4 frames, 2 × 2 pixels, 1 channel; patch 1 and tubelet 2 → 2 × 4 tokens
    const frames = [0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 2, 3, 0, 0, 6]; // pixel (0,0): 0,1,3,3; pixel (1,1): 0,0,2,6
    const video = tf.tensor5d(frames, [1, 4, 2, 2, 1]);
    const scores = pixelChangeScores(video, 2, 1).arraySync()[0];
    // pixel (0,0): differences 1, 2, 0, then 0 again → tubelets (1+2)/2, (0+0)/2; pixel (1,1): 0, 2, 4, 4 → 1, 4
    expect(scores).toEqual([1.5, 0, 0, 1, 0, 0, 0, 4]);
    const weights = changeWeights(tf.tensor2d([[1, 3]]), 0.5).arraySync();
    expect(weights).toEqual([[0.5 + 0.5 * 0.5, 0.5 + 0.5 * 1.5]]);
    expect(changeWeights(tf.zeros([1, 2]) as tf.Tensor2D, 1).arraySync()).toEqual([[1, 1]]);
    video.dispose();
  });

  it('weightedGeneratorLosses: uniform weights give the plain loss; otherwise mean(w · |p − t|) with w renormalised to mean 1', () => {
    const p = tf.tensor3d([1, 1, 1, 1], [1, 2, 2]);
    const t = tf.tensor3d([0, 0, 3, 3], [1, 2, 2]); // errors 1 and 2 per token
    const indices = { data: Int32Array.from([0, 2]), shape: [1, 2] as [number, number] };
    const uniform = tf.ones([1, 3]) as tf.Tensor2D;
    expect(weightedGeneratorLosses([p], [t], uniform, [indices])[0].dataSync()[0]).toBeCloseTo(generatorLosses([p], [t])[0].dataSync()[0], 6);
    const weights = tf.tensor2d([[1, 100, 3]]); // tokens 0 and 2 gathered: 1, 3 → renormalised 0.5, 1.5
    expect(weightedGeneratorLosses([p], [t], weights, [indices])[0].dataSync()[0]).toBeCloseTo((0.5 * 1 + 1.5 * 2) / 2, 6);
    tf.dispose([p, t, uniform, weights]);
  });
});
