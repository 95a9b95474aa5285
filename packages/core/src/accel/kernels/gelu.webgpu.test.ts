import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { gelu, GELU, GELU_GRAD } from './gelu';
import { random } from './native-vs-reference.test-util';
import { describeWebGpu, expectAgreeOnGpu } from './webgpu-vs-reference.test-util';

describeWebGpu('gelu: the WGSL kernel equals geluReference', () => {
  it('on odd sizes and extreme values, forward and gradient', async () => {
    await expectAgreeOnGpu((x) => gelu(x), [random([3, 37], 10, 6)], 2e-6, GELU);
    await expectAgreeOnGpu((x) => gelu(x), [tf.tensor1d([-12, -6, -3.5, -1e-3, 0, 1e-6, 0.5, 2.7, 9, 30])], 2e-6, GELU_GRAD);
  });
});
