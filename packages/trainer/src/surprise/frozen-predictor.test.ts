import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { RandomStream, selectBackend } from '@vjepa/core';
import { createPretrainingModels } from '../recipe';
import { stepTokenIndices } from './scores';
import { trainFrozenPredictor } from './frozen-predictor';

const encoder = { dim: 32, depth: 1, heads: 2, frames: 4, imageSize: 16, patch: 8, tubelet: 2 };
const flat = (module: { stateDict(): Map<string, tf.Variable> }) => [...module.stateDict().values()].flatMap((t) => Array.from(t.dataSync()));

describe('trainFrozenPredictor', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('trains the predictor alone: encoders unchanged, loss down on a fixed batch, no tensor left behind', async () => {
    const models = createPretrainingModels({ encoder, predictor: { dim: 16, depth: 1 }, seed: 1 });
    const video = tf.tensor5d(new RandomStream(2).uniform(2 * 4 * 16 * 16 * 3, -1, 1), [2, 4, 16, 16, 3]);
    const [encoderBefore, targetBefore, predictorBefore] = [flat(models.encoder), flat(models.targetEncoder), flat(models.predictor)];
    const counts: number[] = [];
    // the future mask by hand: context = step 0, target = step 1
    const masks = (batch: number) => [{ context: stepTokenIndices(batch, 4, 0, 1), target: stepTokenIndices(batch, 4, 1, 2) }];
    const losses = await trainFrozenPredictor({
      models,
      next: async () => tf.clone(video),
      masks,
      steps: 12,
      recipe: { startLr: 1e-2, lr: 1e-2, finalLr: 1e-2, weightDecay: 0, finalWeightDecay: 0 },
      onStep: () => counts.push(tf.memory().numTensors),
    });
    expect(losses).toHaveLength(12);
    expect(losses[11]).toBeLessThan(0.8 * losses[0]);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(flat(models.encoder)).toEqual(encoderBefore);
    expect(flat(models.targetEncoder)).toEqual(targetBefore);
    expect(flat(models.predictor)).not.toEqual(predictorBefore);
    await expect(trainFrozenPredictor({ models, next: async () => tf.clone(video), masks, steps: 0 })).rejects.toThrow(/steps/);
    video.dispose();
    [models.encoder, models.predictor, models.targetEncoder].forEach((m) => m.dispose());
  });
});
