import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend } from '@vjepa/core';
import { movingSquares, smoothL1, trainCustom } from './custom-trainer';

describe('examples/custom-trainer', () => {
  it('smooth L1 is quadratic below 1 and linear above', async () => {
    await selectBackend('cpu');
    const loss = smoothL1(tf.tensor1d([0.5, 3]), tf.tensor1d([0, 0]));
    expect(loss.dataSync()[0]).toBeCloseTo((0.125 + 2.5) / 2, 6);
  });

  it('a loop assembled from public exports trains: the loss falls and no tensor leaks', async () => {
    await selectBackend('wasm');
    const rng = new RandomStream(0);
    const before = tf.memory().numTensors;
    const losses = await trainCustom(
      { encoder: { dim: 48, depth: 2, heads: 4, frames: 4, imageSize: 32, patch: 8 }, predictorDim: 32, predictorDepth: 1, lr: 1e-3, steps: 40, seed: 0 },
      () => movingSquares(4, 4, 32, rng),
    );
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)));
    expect(tf.memory().numTensors).toBe(before);
  });
});
