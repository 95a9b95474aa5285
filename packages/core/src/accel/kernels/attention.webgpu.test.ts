import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { watchGpuResidency } from '../../backend-webgpu-residency';
import { multiHeadAttention } from '../../ops/multi-head-attention';
import { ATTENTION, ATTENTION_GRAD } from './attention';
import { selfAttention, SELF_ATTENTION, SELF_ATTENTION_GRAD } from './self-attention';
import { random } from './native-vs-reference.test-util';
import { describeWebGpu, expectAgreeOnGpu } from './webgpu-vs-reference.test-util';

// The WGSL kernels take 64 query (or key) rows per workgroup and 16 keys (or queries) per tile: 67 rows
// leave a partial workgroup and a partial tile of 3, 17 a tile of 1; heads of 12 and 20 are no power of two.
describeWebGpu('attention: the flash-style WGSL kernels equal the plain formula (softmax(q·kᵀ/√dh)·v)', () => {
  it.each([
    [2, 67, 1, 12],
    [2, 67, 1, 20],
    [1, 17, 3, 20],
  ])('self-attention B %i, N %i, %i heads of %i: value and gradient', async (b, n, heads, dh) => {
    const qkv = random([b, n, 3 * heads * dh], 30 + dh, 2);
    await expectAgreeOnGpu((x) => selfAttention(x as tf.Tensor3D, heads), [qkv], 1e-5, SELF_ATTENTION);
    await expectAgreeOnGpu((x) => selfAttention(x as tf.Tensor3D, heads), [qkv], 1e-5, SELF_ATTENTION_GRAD);
  });

  it.each([
    [2, 3, 67, 2, 12],
    [2, 67, 17, 1, 20],
  ])('separate q, k, v: B %i, Nq %i, Nk %i, %i heads of %i: value and the three gradients', async (b, nq, nk, heads, dh) => {
    const d = heads * dh;
    const inputs = [random([b, nq, d], 40, 2), random([b, nk, d], 41, 2), random([b, nk, d], 42)];
    const attend = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => multiHeadAttention(q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D, heads);
    await expectAgreeOnGpu(attend, inputs, 1e-5, ATTENTION);
    await expectAgreeOnGpu(attend, inputs, 1e-5, ATTENTION_GRAD);
  });

  it('computes no scores outside the kernels: no matmul, no softmax, forward or backward', async () => {
    const qkv = random([1, 67, 36], 50, 2);
    const { residency } = await watchGpuResidency(async () => {
      const grad = tf.grad((x: tf.Tensor) => tf.sum(selfAttention(x as tf.Tensor3D, 3)))(qkv);
      await grad.data();
      grad.dispose();
    });
    expect(residency.kernels).toContain(SELF_ATTENTION_GRAD);
    expect(residency.kernels.filter((name) => /MatMul|Softmax/.test(name))).toEqual([]);
    expect(residency.cpuKernels).toEqual([]);
  });
});
