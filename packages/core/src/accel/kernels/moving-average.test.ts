import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { movingAverage } from './moving-average';
import { bothWays, describeNative, maxAbsDiff, random } from './native-vs-reference.test-util';

describeNative('movingAverage: the native kernel equals movingAverageReference', () => {
  it('the EMA blend rounds exactly as the reference', () => {
    const [t, o] = [random([101], 18), random([101], 19)];
    const [fast, plain] = bothWays(() => movingAverage(t, o, 0.998));
    expect(maxAbsDiff(fast, plain)).toBe(0);
    tf.dispose([t, o, fast, plain]);
  });
});
