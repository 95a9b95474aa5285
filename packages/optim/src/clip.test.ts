import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { VjepaError, selectBackend, useNativeKernels } from '@vjepa/core';
import { clipGradNorm } from './clip';

describe.each(['cpu', 'wasm'] as const)('clipGradNorm on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('scales by maxNorm / (total + 1e-6) when the norm is too large: ‖(3, 4 | 12)‖ = 13', () => {
    const a = tf.tensor1d([3, 4]);
    const b = tf.tensor2d([[12]]);
    const { grads, totalNorm } = clipGradNorm(new Map<string, tf.Tensor>([['a', a], ['b', b]]), 6.5);
    expect(totalNorm).toBe(13);
    const coef = 6.5 / (13 + 1e-6);
    expect([...grads.keys()]).toEqual(['a', 'b']);
    expect(Array.from(grads.get('a')!.dataSync())).toEqual([Math.fround(3 * coef), Math.fround(4 * coef)].map((x) => expect.closeTo(x, 6)));
    expect(grads.get('b')!.shape).toEqual([1, 1]);
    expect(grads.get('b')!.dataSync()[0]).toBeCloseTo(12 * coef, 5);
    // Inputs are untouched.
    expect(Array.from(a.dataSync())).toEqual([3, 4]);
    tf.dispose([a, b, ...grads.values()]);
  });

  it('leaves gradients unchanged when the norm is within maxNorm, and takes plain objects', () => {
    const g = { w: tf.tensor1d([0.3, -0.4]) };
    const { grads, totalNorm } = clipGradNorm(g, 1);
    expect(totalNorm).toBeCloseTo(0.5, 7);
    expect(Array.from(grads.get('w')!.dataSync())).toEqual(Array.from(g.w.dataSync()));
    expect(grads.get('w')).not.toBe(g.w);
    tf.dispose([g.w, ...grads.values()]);
  });

  it('leaves no tensor behind besides the returned ones', () => {
    const g = new Map<string, tf.Tensor>([['a', tf.ones([5, 5])], ['b', tf.ones([5])]]);
    clipGradNorm(g, 1).grads.forEach((t) => t.dispose());
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) clipGradNorm(g, 1).grads.forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...g.values()]);
  });
});

describe('clipGradNorm validation', () => {
  it('returns norm 0 for no gradients and rejects a bad maxNorm or a disposed tensor', async () => {
    await selectBackend('cpu');
    expect(clipGradNorm(new Map(), 1)).toEqual({ grads: new Map(), totalNorm: 0 });
    expect(() => clipGradNorm({}, 0)).toThrow(/maxNorm: expected a positive finite number/);
    const t = tf.ones([2]);
    t.dispose();
    expect(() => clipGradNorm({ t }, 1)).toThrow(VjepaError);
  });
});

describe('clipGradNorm with the native kernels equals the tfjs reference (wasm)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each([0.5, 50])('maxNorm %s: same norm and gradients either way', (maxNorm) => {
    const grads = new Map<string, tf.Tensor>([
      ['a', tf.linspace(-1, 2, 37)],
      ['b', tf.reshape(tf.linspace(0.3, -0.7, 12), [3, 4])],
    ]);
    const fast = clipGradNorm(grads, maxNorm);
    useNativeKernels(false);
    const plain = clipGradNorm(grads, maxNorm);
    useNativeKernels(true);
    expect(fast.totalNorm).toBeCloseTo(plain.totalNorm, 5);
    for (const key of grads.keys()) {
      const [x, y] = [fast.grads.get(key)!.dataSync(), plain.grads.get(key)!.dataSync()];
      x.forEach((value, i) => expect(value).toBeCloseTo(y[i], 6));
    }
    tf.dispose([...grads.values(), ...fast.grads.values(), ...plain.grads.values()]);
  });
});
