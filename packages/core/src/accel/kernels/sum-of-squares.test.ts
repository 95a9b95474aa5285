import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { sumOfSquares, sumOfSquaresReference } from './sum-of-squares';
import { bothWays, describeNative, random } from './native-vs-reference.test-util';

describeNative('sumOfSquares: the native pass equals sumOfSquaresReference', () => {
  it.each([[[1]], [[37]], [[3, 5, 7]]])('Σ x² of %j (double on the host, float32 in tfjs)', (shape) => {
    const x = random(shape, 26, 3);
    const [fast, plain] = bothWays(() => sumOfSquares(x));
    const exact = Array.from(x.dataSync()).reduce((sum, v) => sum + v * v, 0);
    expect(fast).toBe(exact);
    expect(plain).toBe(sumOfSquaresReference(x));
    expect(Math.abs(fast - plain) / exact).toBeLessThanOrEqual(1e-6);
    x.dispose();
  });

  it('an int32 tensor takes the reference', () => {
    const x = tf.tensor1d([3, -4], 'int32');
    expect(sumOfSquares(x)).toBe(25);
    x.dispose();
  });
});
