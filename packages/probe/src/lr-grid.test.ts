import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { LinearProbe } from './linear';
import { chooseLearningRate } from './lr-grid';
import { toyTask } from './toy.test-util';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('chooseLearningRate', () => {
  it('scores each rate on held-out training clips and picks the one that learns', () => {
    const train = toyTask({ count: 60, tokens: 2, dim: 4, classes: 3, seed: 1 });
    const before = tf.memory().numTensors;
    const choice = chooseLearningRate({
      makeProbe: () => new LinearProbe({ dim: 4, classes: 3, seed: 0 }),
      features: train.features,
      labels: train.labels,
      grid: [1e-7, 3e-2],
      epochs: 20,
      batchSize: 16,
      whiten: 'std',
    });
    expect(tf.memory().numTensors).toBe(before); // every probe, split and transform freed
    expect([choice.fit, choice.holdout]).toEqual([48, 12]);
    expect(choice.scores.map((s) => s.lr)).toEqual([1e-7, 3e-2]);
    expect(choice.scores[1].top1).toBeGreaterThan(0.9);
    expect(choice.lr).toBe(3e-2);
    expect(() => chooseLearningRate({ makeProbe: () => new LinearProbe({ dim: 4, classes: 3 }), features: train.features, labels: train.labels, grid: [] })).toThrow(
      /grid: expected a non-empty list of positive learning rates/,
    );
    train.features.dispose();
  });
});
