import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { gelu } from './gelu';
import { describeNative, expectAgree, random } from './native-vs-reference.test-util';

describeNative('gelu: the native kernel equals geluReference', () => {
  it('gelu on odd sizes and extreme values', () => {
    expectAgree((x) => gelu(x), [random([3, 37], 10, 6)], 2e-6);
    expectAgree((x) => gelu(x), [tf.tensor1d([-12, -6, -3.5, -1e-3, 0, 1e-6, 0.5, 2.7, 9, 30])], 2e-6);
  });
});
