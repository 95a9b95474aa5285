import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { selfAttention } from './self-attention';
import { describeNative, expectAgree, random } from './native-vs-reference.test-util';

describeNative('selfAttention: the native kernel equals selfAttentionReference', () => {
  // The native kernel takes 64 query rows at a time (67 and 130 leave partial blocks), and beyond 4,096
  // keys blocks of 1,024 with an online softmax (4,133: a partial one); the plain side runs whole, or
  // blockwise with a small maxScores (or past the default 2²⁴ scores, as at 4,133 tokens).
  it.each([
    [1, 1, 1, 4, undefined],
    [2, 5, 3, 4, undefined],
    [3, 17, 1, 5, undefined],
    [2, 33, 3, 64, undefined],
    [2, 67, 2, 12, undefined],
    [1, 130, 1, 20, 130 * 7],
    [2, 67, 3, 12, 67 * 67 * 2],
    [1, 4133, 1, 4, undefined],
  ])('self-attention B %i, N %i, %i heads of %i (plain side maxScores %s)', (b, n, heads, dh, maxScores) => {
    const qkv = random([b, n, 3 * heads * dh], 11, 2);
    expectAgree((x) => selfAttention(x as tf.Tensor3D, heads, { maxScores }), [qkv], 2e-5);
  });
});
