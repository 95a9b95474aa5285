import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend } from '@vjepa/core';
import { BatchNorm, Expander, checkExpanderWidths, defaultExpanderWidths } from './expander';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('VICReg expander', () => {
  it("has VICReg's nn.Sequential keys and shapes (Linear 0, BN 1, Linear 3, BN 4, Linear 6)", () => {
    const expander = new Expander(4, [6, 5, 3], new RandomStream(0));
    expect([...expander.stateDict()].map(([key, v]) => `${key} ${v.shape.join('×')}`)).toEqual([
      '0.weight 6×4', '0.bias 6', '1.weight 6', '1.bias 6', '3.weight 5×6', '3.bias 5', '4.weight 5', '4.bias 5', '6.weight 3×5', '6.bias 3',
    ]);
    expect(expander.parameterCount()).toBe(6 * 4 + 6 + 12 + 5 * 6 + 5 + 10 + 3 * 5 + 3);
    // PyTorch's default Linear init: U(±1/√in); BatchNorm (1, 0)
    const w = expander.layers[2].weight.dataSync();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(6));
    expect(Array.from(expander.layers[1].weight.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(defaultExpanderWidths(32)).toEqual([64, 64, 64]);
    expect(() => checkExpanderWidths([8, 8])).toThrow(/expander: expected three positive integer widths/);
    expect(() => new Expander(4, [8, 0, 8], new RandomStream(0))).toThrow(/expander: expected three positive integer widths/);
    expander.dispose();
  });

  it('forward equals the hand-computed value of a 2 → 2 → 2 → 1 expander on two rows', () => {
    const expander = new Expander(2, [2, 2, 1], new RandomStream(0));
    expander.loadStateDict({
      '0.weight': tf.tensor2d([1, 0, 0, 1], [2, 2]), '0.bias': tf.tensor1d([0, 0]),
      '1.weight': tf.tensor1d([1, 1]), '1.bias': tf.tensor1d([0, 0]),
      '3.weight': tf.tensor2d([1, 1, 1, -1], [2, 2]), '3.bias': tf.tensor1d([0, 0]),
      '4.weight': tf.tensor1d([1, 2]), '4.bias': tf.tensor1d([0.5, 0]),
      '6.weight': tf.tensor2d([1, 1], [1, 2]), '6.bias': tf.tensor1d([0.25]),
    });
    // rows (1, 0), (0, 1): BN 1 gives ±c with c = 0.5/√(0.25 + 1e-5), ReLU → (c, 0), (0, c); Linear 3 → (c, c), (c, −c);
    // BN 4: feature 0 has no spread → its bias 0.5; feature 1 → ±2d with d = c/√(c² + 1e-5); ReLU → (0.5, 2d), (0.5, 0);
    // Linear 6 → 0.75 + 2d and 0.75.
    const c = 0.5 / Math.sqrt(0.25 + 1e-5);
    const d = c / Math.sqrt(c * c + 1e-5);
    const x = tf.tensor3d([1, 0, 0, 1], [1, 2, 2]);
    const y = expander.apply(x);
    expect(y.shape).toEqual([1, 2, 1]);
    const [first, second] = y.dataSync();
    expect(first).toBeCloseTo(0.75 + 2 * d, 5);
    expect(second).toBeCloseTo(0.75, 6);
    // each sample set is normalised over its own rows: a second set scaled by 10 gives the same outputs
    const two = tf.tensor3d([1, 0, 0, 1, 10, 0, 0, 10], [2, 2, 2]);
    const both = expander.apply(two).dataSync();
    expect(both[2]).toBeCloseTo(0.75 + 2 * (5 / Math.sqrt(25 + 1e-5)) / Math.sqrt((5 / Math.sqrt(25 + 1e-5)) ** 2 + 1e-5), 5);
    expect(both[0]).toBeCloseTo(first, 6);
    tf.dispose([x, y, two]);
    expander.dispose();
  });

  it('BatchNorm uses the biased variance of the rows, then weight and bias', () => {
    const norm = new BatchNorm(1);
    const x = tf.tensor3d([1, 2, 3], [1, 3, 1]);
    const out = norm.apply(x).dataSync();
    const sd = Math.sqrt(2 / 3 + 1e-5);
    expect(Array.from(out).map((v) => Number(v.toFixed(5)))).toEqual([-1 / sd, 0, 1 / sd].map((v) => Number(v.toFixed(5))));
    x.dispose();
    norm.dispose();
  });
});
