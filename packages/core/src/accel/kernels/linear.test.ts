import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { LINEAR, linear, linearReference } from './linear';
import { describeNative, expectAgree, random, relativeDiff } from './native-vs-reference.test-util';

describeNative('linear: the native kernel equals linearReference', () => {
  it.each([
    [1, 5, 3, true],
    [7, 5, 3, false],
    [13, 192, 576, true],
    [2, 1, 1, true],
  ])('linear [%i, %i] → %i (bias %s)', (m, inF, outF, bias) => {
    const inputs = [random([m, inF], 1), random([outF, inF], 2), ...(bias ? [random([outF], 3)] : [])];
    expectAgree((x, w, b) => linear(x, w as tf.Tensor2D, b as tf.Tensor1D | undefined), inputs, 2e-5);
  });

  it('linear on a rank-3 input', () => {
    expectAgree((x, w, b) => linear(x, w as tf.Tensor2D, b as tf.Tensor1D), [random([2, 3, 4], 4), random([6, 4], 5), random([6], 6)], 2e-5);
  });

  it('is a registered wasm kernel, and equals the exported linearReference', () => {
    expect(tf.getKernel(LINEAR, 'wasm')).toBeDefined();
    const [x, w, b] = [random([3, 2, 5], 7), random([4, 5], 8), random([4], 9)];
    const [fast, plain] = [linear(x, w as tf.Tensor2D, b as tf.Tensor1D), linearReference(x, w as tf.Tensor2D, b as tf.Tensor1D)];
    expect(fast.shape).toEqual([3, 2, 4]);
    expect(relativeDiff(fast, plain)).toBeLessThanOrEqual(2e-6);
    tf.dispose([x, w, b, fast, plain]);
  });
});
