import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { layerNorm, layerNormReference } from './layer-norm';
import { bothWays, describeNative, expectAgree, maxAbsDiff, random } from './native-vs-reference.test-util';

describeNative('layerNorm: the native kernel equals layerNormReference', () => {
  it.each([
    [[1, 7], true],
    [[13, 7], false],
    [[2, 5, 192], true],
    [[3, 1], true],
  ])('layerNorm %j (affine %s)', (shape, affine) => {
    const d = shape[shape.length - 1];
    const inputs = [random(shape, 7, 3), ...(affine ? [random([d], 8), random([d], 9)] : [])];
    expectAgree((x, w, b) => layerNorm(x, 1e-6, w, b), inputs, 2e-5);
  });

  it('a weight without a bias takes the reference, native or not', () => {
    const [x, w] = [random([4, 6], 10), random([6], 11)];
    const [fast, plain] = bothWays(() => layerNorm(x, 1e-5, w));
    const reference = layerNormReference(x, 1e-5, w);
    expect(maxAbsDiff(fast, reference)).toBe(0);
    expect(maxAbsDiff(plain, reference)).toBe(0);
    tf.dispose([x, w, fast, plain, reference]);
  });
});
