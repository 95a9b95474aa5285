import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { residualAdd } from './residual-add';

describe('residualAdd', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('is tf.add for same shapes, with the gradient dy on both sides', () => {
    const a = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 2, 3]);
    const b = tf.tensor3d([0.5, -1, 2, 0, 1e-3, 7], [1, 2, 3]);
    const w = tf.tensor3d([1, -2, 3, -4, 5, -6], [1, 2, 3]);
    expect(residualAdd(a, b).arraySync()).toEqual(tf.add(a, b).arraySync());
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(residualAdd(x, y), w)))([a, b]);
    expect(da.arraySync()).toEqual(w.arraySync());
    expect(db.arraySync()).toEqual(w.arraySync());
    tf.dispose([a, b, w, da, db]);
  });

  it('runs two Identity (saved inputs) and two Reshape kernels fewer than tf.add, forward and backward', async () => {
    const a = tf.ones([2, 3]);
    const b = tf.ones([2, 3]);
    const kernels = async (add: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) => {
      const info = await tf.profile(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(add(x, y)))([a, b]));
      const names = info.kernels.map((k) => k.name);
      return { Identity: names.filter((n) => n === 'Identity').length, Reshape: names.filter((n) => n === 'Reshape').length };
    };
    const residual = await kernels(residualAdd); // what tf.sum and tf.grads run themselves
    expect(await kernels((x, y) => tf.add(x, y))).toEqual({ Identity: residual.Identity + 2, Reshape: residual.Reshape + 2 });
    tf.dispose([a, b]);
  });

  it('refuses two shapes (it never broadcasts)', () => {
    expect(() => residualAdd(tf.zeros([2, 3]), tf.zeros([3]))).toThrow('residualAdd: expected two tensors of the same shape, received "[2,3] and [3]"');
  });
});
