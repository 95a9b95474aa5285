import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { multiHeadAttention } from '../../ops/multi-head-attention';
import { describeNative, expectAgree, random } from './native-vs-reference.test-util';

describeNative('multiHeadAttention: the native kernel of separate q, k, v equals multiHeadAttentionReference', () => {
  // Cross-attention shapes (few queries over many keys, the probe's), one head, widths 12, 20, 64, query
  // rows past a 64-row block, and keys past 4,096 (the native side's online softmax; the plain side then
  // runs blockwise too at a small maxScores).
  it.each([
    [1, 1, 1, 1, 4, undefined],
    [2, 5, 29, 2, 64, undefined],
    [3, 67, 9, 3, 12, undefined],
    [2, 16, 70, 4, 20, 16 * 70],
    [1, 3, 4133, 1, 12, 4133],
  ])('B %i, %i queries over %i keys, %i heads of %i (plain side maxScores %s)', (b, nq, nk, heads, dh, maxScores) => {
    const d = heads * dh;
    const [q, k, v] = [random([b, nq, d], 21, 2), random([b, nk, d], 22, 2), random([b, nk, d], 23, 2)];
    expectAgree((x, y, z) => multiHeadAttention(x as tf.Tensor3D, y as tf.Tensor3D, z as tf.Tensor3D, heads, { maxScores }), [q, k, v], 2e-5);
  });
});
