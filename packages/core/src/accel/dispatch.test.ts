import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { nativeOrReference } from './dispatch';
import { useNativeKernels } from './native';
import { linear } from './kernels/linear';
import { layerNorm } from './kernels/layer-norm';
import { gelu } from './kernels/gelu';
import { describeNative, random, valueAndGrads } from './kernels/native-vs-reference.test-util';

describeNative('nativeOrReference, the one dispatcher', () => {
  const path = (accepts: boolean) => nativeOrReference(accepts, (kernels) => `native ${typeof kernels.gemm}`, () => 'reference');

  it('takes the native path when the kernels are loaded, on, the backend is wasm and the operands qualify', () => {
    expect(path(true)).toBe('native function');
    expect(path(false)).toBe('reference');
  });

  it('takes the reference while the kernels are turned off', () => {
    useNativeKernels(false);
    try {
      expect(path(true)).toBe('reference');
    } finally {
      useNativeKernels(true);
    }
  });

  it('takes the reference on another backend, and the native path again back on wasm', async () => {
    await selectBackend('cpu');
    expect(path(true)).toBe('reference');
    await selectBackend('wasm', { accelerator: 'native' });
    expect(path(true)).toBe('native function');
  });

  it('runs without leaking tensors', () => {
    const inputs = [random([4, 8], 20), random([6, 8], 21), random([6], 22)];
    const chain = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => gelu(layerNorm(linear(x, w as tf.Tensor2D, b as tf.Tensor1D), 1e-6));
    valueAndGrads(true, chain, inputs).forEach((t) => t.dispose());
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) valueAndGrads(true, chain, inputs).forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(inputs);
  });
});
