import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { adamwUpdate } from './adamw';
import { bothWays, describeNative, maxAbsDiff, random } from './native-vs-reference.test-util';

describeNative('adamwUpdate: the native kernel equals adamwUpdateReference', () => {
  it('the AdamW update, with and without weight decay, at steps 1 and 10', () => {
    for (const [weightDecay, step] of [[0, 1], [0.04, 10]]) {
      const tensors = [random([37], 14), random([37], 15, 0.1), tf.abs(random([37], 16, 0.01)), random([37], 17)];
      const u = { lr: 6.25e-4, weightDecay, beta1: 0.9, beta2: 0.999, eps: 1e-8, step };
      const [fast, plain] = bothWays(() => adamwUpdate(tensors[0], tensors[1], tensors[2], tensors[3], u));
      fast.forEach((t, i) => expect(maxAbsDiff(t, plain[i])).toBeLessThanOrEqual(1e-9));
      tf.dispose([...fast, ...plain, ...tensors]);
    }
  });
});
