import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { AttentiveProbe } from './attentive';
import { evaluateProbe } from './evaluate';
import { toyTask } from './toy.test-util';
import { trainProbe } from './train';

// The representative test again on wasm, the default training backend (this file runs in its own process).
beforeAll(async () => {
  const choice = await selectBackend('wasm');
  expect(choice.backend).toBe('wasm');
});

describe('on wasm', () => {
  it('the attentive probe learns the toy task to 100 % with flat memory', () => {
    const train = toyTask({ count: 48, tokens: 4, dim: 8, classes: 3, seed: 1 });
    const test = toyTask({ count: 30, tokens: 4, dim: 8, classes: 3, seed: 2 });
    const probe = new AttentiveProbe({ dim: 8, heads: 2, classes: 3, seed: 3 });
    const before = tf.memory().numTensors;
    const perEpoch: number[] = [];
    trainProbe({ probe, ...train, epochs: 20, batchSize: 8, seed: 0, lr: 1e-2, onEpoch: () => perEpoch.push(tf.memory().numTensors) });
    expect(new Set(perEpoch).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    const { top1, confusion } = evaluateProbe(probe, [test.features, test.features], test.labels);
    expect(top1).toBe(1);
    expect(confusion).toEqual([[10, 0, 0], [0, 10, 0], [0, 0, 10]]);
    tf.dispose([train.features, test.features]);
    probe.dispose();
  });
});
