import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend';
import { gatherTokens } from './gather';
import { SPLIT_MIN_MACS, batchMatMul, matMulFast } from './matmul';
import { linear } from '../accel/kernels/linear';

/** Central finite difference of a scalar function of one float tensor. */
function finiteDifference(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h = 1e-2): Float32Array {
  const base = x.dataSync().slice();
  const out = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const plus = base.slice();
    plus[i] += h;
    const minus = base.slice();
    minus[i] -= h;
    const fp = tf.tidy(() => f(tf.tensor(plus, x.shape)).dataSync()[0]);
    const fm = tf.tidy(() => f(tf.tensor(minus, x.shape)).dataSync()[0]);
    out[i] = (fp - fm) / (2 * h);
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.each(['cpu', 'wasm'] as const)('ops on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('gatherTokens picks rows per batch element, as apply_masks', () => {
    const x = tf.tensor3d(Array.from({ length: 2 * 4 * 3 }, (_, i) => i), [2, 4, 3]);
    const out = gatherTokens(x, { data: Int32Array.from([3, 0, 1, 1]), shape: [2, 2] });
    expect(out.shape).toEqual([2, 2, 3]);
    expect(Array.from(out.dataSync())).toEqual([9, 10, 11, 0, 1, 2, 15, 16, 17, 15, 16, 17]);
    tf.dispose([x, out]);
  });

  it('gatherTokens broadcasts a [1, N, D] table over the batch', () => {
    const table = tf.tensor3d([0, 1, 10, 11, 20, 21], [1, 3, 2]);
    const out = gatherTokens(table, { data: Int32Array.from([2, 0, 1, 1]), shape: [2, 2] });
    expect(Array.from(out.dataSync())).toEqual([20, 21, 0, 1, 10, 11, 10, 11]);
    tf.dispose([table, out]);
  });

  it('gatherTokens refuses an index outside the token range', () => {
    const x = tf.zeros([1, 4, 2]) as tf.Tensor3D;
    expect(() => gatherTokens(x, { data: Int32Array.from([4]), shape: [1, 1] })).toThrow(/indices: expected token indices in \[0, 4\), received 4/);
    x.dispose();
  });

  it("gatherTokens' gradient equals finite differences (repeated indices summed)", () => {
    const x = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 7);
    const weights = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 8);
    const indices = { data: Int32Array.from([4, 1, 1, 0, 2, 3, 2, 2]), shape: [2, 4] as [number, number] };
    const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.square(gatherTokens(t as tf.Tensor3D, indices)), weights)) as tf.Scalar;
    const analytic = tf.grad(f)(x).dataSync();
    const numeric = finiteDifference(f, x);
    expect(maxAbsDiff(analytic, numeric)).toBeLessThan(2e-2);
    // gradient of tokens never gathered is exactly zero
    expect(analytic[3 * 3]).toBe(0);
    tf.dispose([x, weights]);
  });

  it('linear and batchMatMul give the same values and gradients as plain tf.matMul', () => {
    const x = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 1);
    const w = tf.randomNormal([3, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
    const b = tf.randomNormal([3], 0, 1, 'float32', 3) as tf.Tensor1D;
    const ours = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.square(linear(xx, ww as tf.Tensor2D, bb as tf.Tensor1D))) as tf.Scalar;
    const plain = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.square(tf.add(tf.matMul(tf.reshape(xx, [-1, 4]), ww, false, true), bb))) as tf.Scalar;
    const g1 = tf.grads(ours)([x, w, b]);
    const g2 = tf.grads(plain)([x, w, b]);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(g1[i].dataSync(), g2[i].dataSync())).toBeLessThan(1e-4);

    const a = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 4) as tf.Tensor3D;
    const c = tf.randomNormal([3, 6, 5], 0, 1, 'float32', 5) as tf.Tensor3D;
    const f1 = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(batchMatMul(p as tf.Tensor3D, q as tf.Tensor3D, true))) as tf.Scalar;
    const f2 = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p, q, false, true))) as tf.Scalar;
    expect(Math.abs(f1(a, c).dataSync()[0] - f2(a, c).dataSync()[0])).toBeLessThan(1e-3);
    const h1 = tf.grads(f1)([a, c]);
    const h2 = tf.grads(f2)([a, c]);
    for (let i = 0; i < 2; i++) expect(maxAbsDiff(h1[i].dataSync(), h2[i].dataSync())).toBeLessThan(1e-3);
    // products above SPLIT_MIN_MACS take the split 2-D path on wasm: same values and gradients
    const big1 = tf.randomNormal([2, 64, 48], 0, 1, 'float32', 6) as tf.Tensor3D;
    const big2 = tf.randomNormal([2, 40, 48], 0, 1, 'float32', 7) as tf.Tensor3D;
    expect(64 * 48 * 40).toBeGreaterThan(SPLIT_MIN_MACS);
    expect(Math.abs(f1(big1, big2).dataSync()[0] - f2(big1, big2).dataSync()[0]) / f2(big1, big2).dataSync()[0]).toBeLessThan(1e-5);
    const b1 = tf.grads(f1)([big1, big2]);
    const b2 = tf.grads(f2)([big1, big2]);
    for (let i = 0; i < 2; i++) expect(maxAbsDiff(b1[i].dataSync(), b2[i].dataSync())).toBeLessThan(2e-2);
    tf.dispose([big1, big2, ...b1, ...b2]);
    const m = matMulFast(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1, 0], [1, 1]]), true, true);
    expect(Array.from(m.dataSync())).toEqual([1, 4, 2, 6]);
    tf.dispose([x, w, b, a, c, m, ...g1, ...g2, ...h1, ...h2]);
  });
});
