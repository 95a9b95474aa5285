import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rotatePairs, rotatePairsReference } from './pair-rotation';
import { bothWays, describeNative, expectAgree, maxAbsDiff, random } from './native-vs-reference.test-util';

// [B, N, G, H, dh] with tables [R, N, G, 1, dh]: a table shared by the batch and one per row, odd token
// and head counts, the smallest pair, and one group as well as three (q, k, v).
const SHAPES: [number[], number][] = [
  [[2, 7, 3, 5, 6], 1],
  [[2, 7, 3, 5, 6], 2],
  [[3, 13, 2, 3, 10], 3],
  [[1, 1, 1, 1, 2], 1],
  [[4, 33, 1, 2, 64], 1],
];

describeNative('rotatePairs: the native kernel equals rotatePairsReference', () => {
  it.each(SHAPES)('x %j, tables of %i row(s): the value and the gradient in x are the same bits, the tables’ gradients agree', (shape, rows) => {
    const tableShape = [rows, shape[1], shape[2], 1, shape[4]];
    const [x, cos, sin] = [random(shape, 1, 3), random(tableShape, 2), random(tableShape, 3)];
    // bit for bit: the same products and sum in the same order, no fused multiply-add
    const [fast, plain] = bothWays(() => rotatePairs(x, cos, sin));
    expect(maxAbsDiff(fast, plain)).toBe(0);
    const dy = random(shape, 4);
    const [dxFast, dxPlain] = bothWays(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(rotatePairs(v, cos, sin), dy)))(x));
    expect(maxAbsDiff(dxFast, dxPlain)).toBe(0);
    tf.dispose([fast, plain, dy, dxFast, dxPlain]);
    // the tables' gradients (reference formula, summed over heads and a shared table's batch)
    expectAgree((a, c, s) => rotatePairs(a, c, s), [x, cos, sin], 1e-6);
  });
});

describe('rotatePairs (any backend)', () => {
  it('turns each pair by its angle: (x₀, x₁) → (x₀·c₀ + x₁·s₀, x₁·c₁ + x₀·s₁), a hand-computed case', () => {
    const x = tf.tensor([1, 2, 3, 4], [1, 1, 1, 1, 4]);
    const cos = tf.tensor([0.5, 0.25, 2, -1], [1, 1, 1, 1, 4]);
    const sin = tf.tensor([-1, 3, 0, 10], [1, 1, 1, 1, 4]);
    expect(Array.from(rotatePairs(x, cos, sin).dataSync())).toEqual([1 * 0.5 + 2 * -1, 2 * 0.25 + 1 * 3, 3 * 2 + 4 * 0, 4 * -1 + 3 * 10]);
    expect(Array.from(rotatePairsReference(x, cos, sin).dataSync())).toEqual([-1.5, 3.5, 6, 26]);
    tf.dispose([x, cos, sin]);
  });

  it('refuses an odd head width and tables of the wrong shape, naming the argument', () => {
    const table = tf.zeros([1, 2, 3, 1, 4]);
    expect(() => rotatePairs(tf.zeros([1, 2, 3, 1, 5]), tf.zeros([1, 2, 3, 1, 5]), tf.zeros([1, 2, 3, 1, 5]))).toThrow(/x.*dh even.*\[1, 2, 3, 1, 5\]/);
    expect(() => rotatePairs(tf.zeros([2, 2, 3, 5, 4]), tf.zeros([3, 2, 3, 1, 4]), table)).toThrow(/cos.*\[1 or 2, 2, 3, 1, 4\].*\[3, 2, 3, 1, 4\]/);
    expect(() => rotatePairs(tf.zeros([2, 2, 3, 5, 4]), table, tf.zeros([1, 2, 3, 5, 4]))).toThrow(/sin.*\[1, 2, 3, 5, 4\]/);
  });
});
