import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeKernels } from '@vjepa/accelerate';
import { selectBackend } from '../backend';
import { RandomStream } from '../random';
import { useNativeKernels } from './native';
import { linear } from '../ops/matmul';
import { layerNorm } from '../nn/layer-norm';
import { gelu } from '../nn/mlp';
import { selfAttention } from '../nn/attention';
import { adamwUpdate, movingAverage } from '../ops/updates';

// Every native kernel against its plain tfjs reference, forward and gradient, on awkward shapes. CI
// installs OpenBLAS, so there the kernels must load; elsewhere the suite says why they cannot.
const nativeExpected = process.env.CI === 'true' || loadNativeKernels().kernels !== null;

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(a.shape).toEqual(b.shape);
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  return max;
}

/** The error relative to the reference's largest magnitude (at least 1): sums of many terms round differently. */
function relativeDiff(a: tf.Tensor, reference: tf.Tensor): number {
  const scale = Math.max(1, ...Array.from(reference.dataSync(), Math.abs));
  return maxAbsDiff(a, reference) / scale;
}

function random(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = new RandomStream(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.uniform(size, -scale, scale), shape);
}

/** Value and gradients (w.r.t. every input) of `sum(f(inputs) · weights)`, native on or off. */
function valueAndGrads(native: boolean, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): tf.Tensor[] {
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

function expectAgree(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], tolerance: number): void {
  const fast = valueAndGrads(true, f, inputs);
  const plain = valueAndGrads(false, f, inputs);
  fast.forEach((t, i) => expect(relativeDiff(t, plain[i]), `output ${i}`).toBeLessThanOrEqual(tolerance));
  tf.dispose([...fast, ...plain, ...inputs]);
}

if (nativeExpected) describe('native kernels equal their tfjs references (wasm)', () => {
  beforeAll(async () => {
    const choice = await selectBackend('wasm', { accelerator: 'native' });
    expect(choice.accelerator.name).toBe('native');
  });

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

  it.each([
    [[1, 7], true],
    [[13, 7], false],
    [[2, 5, 192], true],
    [[3, 1], true],
  ])('layerNorm %j (affine %s)', (shape, affine) => {
    const d = shape[shape.length - 1];
    const inputs = [random(shape, 7, 3), ...(affine ? [random([d], 8), random([d], 9)] : [])];
    expectAgree((x, w, b) => layerNorm(x, 1e-6, w, b), inputs, 2e-5);
  });

  it('gelu on odd sizes and extreme values', () => {
    expectAgree((x) => gelu(x), [random([3, 37], 10, 6)], 2e-6);
    expectAgree((x) => gelu(x), [tf.tensor1d([-12, -6, -3.5, -1e-3, 0, 1e-6, 0.5, 2.7, 9, 30])], 2e-6);
  });

  it.each([
    [1, 1, 1, 4],
    [2, 5, 3, 4],
    [3, 17, 1, 5],
    [2, 33, 3, 64],
  ])('self-attention B %i, N %i, %i heads of %i', (b, n, heads, dh) => {
    const qkv = random([b, n, 3 * heads * dh], 11, 2);
    expectAgree((x) => selfAttention(x as tf.Tensor3D, heads), [qkv], 2e-5);
  });

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
    useNativeKernels(true);
    const fast = tf.matMul(a, b);
    useNativeKernels(false);
    const plain = tf.matMul(a, b);
    useNativeKernels(true);
    expect(relativeDiff(fast, plain)).toBeLessThanOrEqual(2e-6);
    tf.dispose([a, b, fast, plain]);
  });

  it('gathers rows (axis 0) through the native kernel, and falls back for other axes', () => {
    const table = random([7, 3, 2], 23);
    const rows = tf.tensor2d([[6, 0], [3, 3]], [2, 2], 'int32');
    const columns = tf.tensor1d([2, 0], 'int32');
    for (const axis of [0, 1]) {
      useNativeKernels(true);
      const fast = tf.gather(table, axis === 0 ? rows : columns, axis);
      useNativeKernels(false);
      const plain = tf.gather(table, axis === 0 ? rows : columns, axis);
      useNativeKernels(true);
      expect(fast.shape).toEqual(axis === 0 ? [2, 2, 3, 2] : [7, 2, 2]);
      expect(maxAbsDiff(fast, plain)).toBe(0);
      tf.dispose([fast, plain]);
    }
    tf.dispose([table, rows, columns]);
  });

  it('the AdamW update, with and without weight decay, at steps 1 and 10', () => {
    for (const [weightDecay, step] of [[0, 1], [0.04, 10]]) {
      const tensors = [random([37], 14), random([37], 15, 0.1), tf.abs(random([37], 16, 0.01)), random([37], 17)];
      const u = { lr: 6.25e-4, weightDecay, beta1: 0.9, beta2: 0.999, eps: 1e-8, step };
      useNativeKernels(true);
      const fast = adamwUpdate(tensors[0], tensors[1], tensors[2], tensors[3], u);
      useNativeKernels(false);
      const plain = adamwUpdate(tensors[0], tensors[1], tensors[2], tensors[3], u);
      useNativeKernels(true);
      fast.forEach((t, i) => expect(maxAbsDiff(t, plain[i])).toBeLessThanOrEqual(1e-9));
      tf.dispose([...fast, ...plain, ...tensors]);
    }
  });

  it('the EMA blend rounds exactly as the reference', () => {
    const [t, o] = [random([101], 18), random([101], 19)];
    useNativeKernels(true);
    const fast = movingAverage(t, o, 0.998);
    useNativeKernels(false);
    const plain = movingAverage(t, o, 0.998);
    useNativeKernels(true);
    expect(maxAbsDiff(fast, plain)).toBe(0);
    tf.dispose([t, o, fast, plain]);
  });

  it('runs without leaking tensors', () => {
    const inputs = [random([4, 8], 20), random([6, 8], 21), random([6], 22)];
    valueAndGrads(true, (x, w, b) => gelu(layerNorm(linear(x, w as tf.Tensor2D, b as tf.Tensor1D), 1e-6)), inputs).forEach((t) => t.dispose());
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) valueAndGrads(true, (x, w, b) => gelu(layerNorm(linear(x, w as tf.Tensor2D, b as tf.Tensor1D), 1e-6)), inputs).forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(inputs);
  });
});

if (!nativeExpected) describe('without the native kernels', () => {
  it('selectBackend reports the slow path and what would turn the fast one on', async () => {
    const choice = await selectBackend('wasm');
    expect(choice.accelerator.name).toBe('none');
    expect(choice.accelerator.reason).toMatch(/slow path.*libopenblas-dev/);
  });
});
