// Test helper: a tiny V-JEPA run (ViT dim 32, depth 1, 4 × 16 × 16 clips) whose batches depend only on
// their index, so a resumed run sees the same data as an uninterrupted one.
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, type BatchSource, type ClipBatch } from '@vjepa/core';
import { MaskCollator } from '@vjepa/masking';
import { createPretrainingModels, createTrainStep, officialRecipe } from './recipe';

export const geometry = { frames: 4, imageSize: 16, patch: 8, tubelet: 2 };

/** Deterministic clips: batch i is a function of i only, so its state is just the index. */
export class IndexedSource implements BatchSource {
  index = 0;
  constructor(private readonly batchSize = 2) {}
  async next(): Promise<ClipBatch> {
    const i = this.index++;
    const rng = new RandomStream(1000 + i);
    const data = rng.uniform(this.batchSize * geometry.frames * geometry.imageSize * geometry.imageSize * 3, -1, 1);
    return { video: tf.tensor5d(data, [this.batchSize, geometry.frames, geometry.imageSize, geometry.imageSize, 3]) };
  }
  getState() {
    return { index: this.index };
  }
  setState(state: unknown) {
    this.index = (state as { index: number }).index;
  }
}

/** Models, step, masks and source of a tiny run; `parts` is what `runTraining` takes. */
export function tinyRun(seed = 0) {
  const models = createPretrainingModels({ encoder: { dim: 32, depth: 1, heads: 2, ...geometry }, predictor: { dim: 16, depth: 1 }, seed });
  // schedules sized for up to 1,000 steps (the long kill test runs 400)
  const step = createTrainStep(models, { ...officialRecipe(1000), lr: 1e-3, warmupSteps: 2 });
  const masks = new MaskCollator({
    grid: { frames: geometry.frames, crop: geometry.imageSize, patch: 8, tubelet: 2 },
    generators: [
      { type: 'multiblock', spatialScale: [0.3, 0.3], numBlocks: 1 },
      { type: 'multiblock', spatialScale: [0.5, 0.5], numBlocks: 1 },
    ],
    seed: 3,
  });
  const source = new IndexedSource(2);
  const dispose = () => {
    step.dispose();
    models.encoder.dispose();
    models.predictor.dispose();
    models.targetEncoder.dispose();
  };
  return { models, parts: { models, step, masks, source, collapseEvery: 0 }, dispose };
}
