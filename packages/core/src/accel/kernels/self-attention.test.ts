import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { selfAttention } from './self-attention';
import { describeNative, expectAgree, random } from './native-vs-reference.test-util';

describeNative('selfAttention: the native kernel equals selfAttentionReference', () => {
  it.each([
    [1, 1, 1, 4],
    [2, 5, 3, 4],
    [3, 17, 1, 5],
    [2, 33, 3, 64],
  ])('self-attention B %i, N %i, %i heads of %i', (b, n, heads, dh) => {
    const qkv = random([b, n, 3 * heads * dh], 11, 2);
    expectAgree((x) => selfAttention(x as tf.Tensor3D, heads), [qkv], 2e-5);
  });
});
