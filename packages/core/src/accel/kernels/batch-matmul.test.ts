import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { bothWays, describeNative, expectAgree, random, relativeDiff } from './native-vs-reference.test-util';

describeNative('BatchMatMul through the BLAS equals tfjs’s own kernel', () => {
  it.each([
    [[5, 3], [3, 4], false, false],
    [[3, 5], [3, 4], true, false],
    [[5, 3], [4, 3], false, true],
    [[2, 3, 5], [2, 4, 3], true, true],
    [[2, 2, 5, 3], [2, 2, 3, 6], false, false],
  ])('BatchMatMul %j × %j (transposeA %s, transposeB %s) goes through the BLAS', (sa, sb, ta, tb) => {
    expectAgree((a, b) => tf.matMul(a, b, ta, tb), [random(sa, 12), random(sb, 13)], 2e-5);
  });

  it('BatchMatMul broadcasts a 2-D right operand over the batch (forward: tfjs has no gradient for it)', () => {
    const [a, b] = [random([4, 5, 3], 12), random([3, 2], 13)];
    const [fast, plain] = bothWays(() => tf.matMul(a, b));
    expect(relativeDiff(fast, plain)).toBeLessThanOrEqual(2e-6);
    tf.dispose([a, b, fast, plain]);
  });
});
