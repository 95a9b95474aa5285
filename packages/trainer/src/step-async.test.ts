import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend } from '@vjepa/core';
import { MaskCollator } from '@vjepa/masking';
import { createPretrainingModels, createTrainStep, officialRecipe } from './recipe';

// runAsync queues the whole step and reads its metrics once at the end (what webgpu needs): it must be
// the same step as run. Two identical setups, one stepped with each, compared bit for bit.

function setup() {
  const models = createPretrainingModels({ encoder: { dim: 16, depth: 1, heads: 2, frames: 4, imageSize: 16, patch: 8, tubelet: 2 }, predictor: { dim: 16, depth: 1 }, seed: 0 });
  // clipping from step 0 at a small norm, so that the clipped path and its norms are compared too
  const step = createTrainStep(models, { ...officialRecipe(100), lr: 1e-3, warmupSteps: 0, clipGrad: 1e-5, clipFromStep: 0 });
  const masks = new MaskCollator({ grid: { frames: 4, crop: 16, patch: 8, tubelet: 2 }, generators: [{ type: 'multiblock', spatialScale: [0.5, 0.5], numBlocks: 1 }, { type: 'multiblock', spatialScale: [0.25, 0.25], numBlocks: 2 }], seed: 1 });
  const dispose = () => [step, models.encoder, models.predictor, models.targetEncoder].forEach((m) => m.dispose());
  return { models, step, masks, dispose };
}

const values = (state: Map<string, tf.Variable>) => [...state].map(([key, v]) => [key, Array.from(v.dataSync())]);

describe.each(['cpu', 'wasm'] as const)('VjepaTrainStep.runAsync on %s', (backend) => {
  it('gives the metrics and the parameters of run, step after step, and leaks no tensor', async () => {
    await selectBackend(backend, { accelerator: 'none' });
    const sync = setup();
    const queued = setup();
    try {
      let before = 0; // after the first step, which allocates the AdamW moments
      for (let k = 0; k < 4; k++) {
        if (k === 1) before = tf.memory().numTensors;
        const video = tf.tensor5d(new RandomStream(k).uniform(2 * 4 * 16 * 16 * 3, -1, 1), [2, 4, 16, 16, 3]);
        const batch = sync.masks.sample(2);
        expect(queued.masks.sample(2)).toEqual(batch);
        const expected = sync.step.run(video, batch);
        const metrics = await queued.step.runAsync(video, batch);
        expect(metrics).toEqual(expected);
        expect(metrics.gradNorm!.encoder).toBeGreaterThan(1e-5); // so every step really clips
        expect(metrics.generatorLosses).toHaveLength(2);
        video.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
      for (const group of ['encoder', 'predictor', 'targetEncoder'] as const) expect(values(queued.models[group].stateDict())).toEqual(values(sync.models[group].stateDict()));
    } finally {
      sync.dispose();
      queued.dispose();
    }
  });
});
