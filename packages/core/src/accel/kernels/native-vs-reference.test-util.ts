import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeKernels } from '@vjepa/accelerate';
import { selectBackend } from '../../backend';
import { RandomStream } from '../../random';
import { useNativeKernels } from '../native';

// What every kernel test shares: each native kernel against its plain tfjs reference, forward and
// gradient, on awkward shapes. CI installs OpenBLAS, so there the kernels must load; elsewhere each
// suite says why they cannot.

/** Whether the native kernels must be tested here. */
export const nativeExpected = process.env.CI === 'true' || loadNativeKernels().kernels !== null;

/**
 * A suite that runs on wasm with the native kernels required, or — where they cannot load — one test
 * that `selectBackend` reports the slow path and what would turn the fast one on.
 */
export function describeNative(name: string, body: () => void): void {
  if (!nativeExpected) {
    describe(`${name}: without the native kernels`, () => {
      it('selectBackend reports the slow path and what would turn the fast one on', async () => {
        const choice = await selectBackend('wasm');
        expect(choice.accelerator.name).toBe('none');
        expect(choice.accelerator.reason).toMatch(/slow path.*libopenblas-dev/);
      });
    });
    return;
  }
  describe(`${name} (wasm)`, () => {
    beforeAll(async () => {
      const choice = await selectBackend('wasm', { accelerator: 'native' });
      expect(choice.accelerator.name).toBe('native');
    });
    body();
  });
}

/** The largest absolute difference of two tensors of the same shape. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(a.shape).toEqual(b.shape);
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  return max;
}

/** The error relative to the reference's largest magnitude (at least 1): sums of many terms round differently. */
export function relativeDiff(a: tf.Tensor, reference: tf.Tensor): number {
  const scale = Math.max(1, ...Array.from(reference.dataSync(), Math.abs));
  return maxAbsDiff(a, reference) / scale;
}

/** A seeded uniform tensor in `[-scale, scale)`. */
export function random(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = new RandomStream(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.uniform(size, -scale, scale), shape);
}

/** `f()` with the native kernels on, then off: `[fast, plain]`. */
export function bothWays<T>(f: () => T): [T, T] {
  useNativeKernels(true);
  const fast = f();
  useNativeKernels(false);
  try {
    return [fast, f()];
  } finally {
    useNativeKernels(true);
  }
}

/** Value and gradients (w.r.t. every input) of `sum(f(inputs) · weights)`, native on or off. */
export function valueAndGrads(native: boolean, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): tf.Tensor[] {
  useNativeKernels(native);
  try {
    return tf.tidy(() => {
      const y = f(...inputs);
      const weights = random(y.shape, 99);
      const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), weights)))(inputs);
      return [y, ...grads];
    });
  } finally {
    useNativeKernels(true);
  }
}

/** Asserts that value and gradients agree native and plain within `tolerance` (relative), and disposes the inputs. */
export function expectAgree(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], tolerance: number): void {
  const fast = valueAndGrads(true, f, inputs);
  const plain = valueAndGrads(false, f, inputs);
  fast.forEach((t, i) => expect(relativeDiff(t, plain[i]), `output ${i}`).toBeLessThanOrEqual(tolerance));
  tf.dispose([...fast, ...plain, ...inputs]);
}
