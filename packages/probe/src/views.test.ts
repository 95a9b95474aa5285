import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { averageViewProbabilities, concatSegments } from './views';
import { evaluateProbe } from './evaluate';
import { LinearProbe } from './linear';

beforeAll(async () => {
  await selectBackend('cpu');
});

function softmax(logits: number[]): number[] {
  const exps = logits.map(Math.exp);
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** A probe whose logits are the mean token itself: D = C = 3, weight = I, bias = 0. */
function identityProbe(): LinearProbe {
  const probe = new LinearProbe({ dim: 3, classes: 3 });
  probe.linear.weight.assign(tf.eye(3));
  probe.linear.bias!.assign(tf.zeros([3]));
  return probe;
}

describe('concatSegments (spec §11.3: segments concatenated along the token axis)', () => {
  it('puts the tokens of segment 0, then segment 1, per clip', () => {
    const first = tf.tensor3d([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]); // [2, 2, 3]
    const second = tf.tensor3d([[[-1, -2, -3]], [[-4, -5, -6]]]); // [2, 1, 3]
    const joined = concatSegments([first, second]);
    expect(joined.shape).toEqual([2, 3, 3]);
    expect(joined.arraySync()).toEqual([
      [[1, 2, 3], [4, 5, 6], [-1, -2, -3]],
      [[7, 8, 9], [10, 11, 12], [-4, -5, -6]],
    ]);
    tf.dispose([first, second, joined]);
  });

  it('gives [B, S·N, D] for S equal segments', () => {
    const segments = Array.from({ length: 4 }, (_, s) => tf.fill([2, 5, 6], s) as tf.Tensor3D);
    const joined = concatSegments(segments);
    expect(joined.shape).toEqual([2, 20, 6]);
    const values = joined.arraySync();
    expect(values[1].map((token) => token[0])).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
    tf.dispose([...segments, joined]);
  });

  it('rejects segments of another batch or width, and an empty list', () => {
    const a = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    const b = tf.zeros([2, 3, 5]) as tf.Tensor3D;
    expect(() => concatSegments([a, b])).toThrow('segmentFeatures[1]: expected a [2, N, 4] tensor like segment 0, received [2, 3, 5]');
    expect(() => concatSegments([])).toThrow('segmentFeatures: expected a non-empty list');
    tf.dispose([a, b]);
  });
});

describe('averageViewProbabilities (spec §11.3: mean of softmax over views)', () => {
  it('averages the softmax of two views, by hand', () => {
    const viewA = [[2, 0, 0], [0, 0, 3]];
    const viewB = [[0, 1, 0], [1, 1, 1]];
    const logits = [tf.tensor2d(viewA), tf.tensor2d(viewB)];
    const averaged = averageViewProbabilities(logits);
    const expected = viewA.map((row, b) => softmax(row).map((p, c) => (p + softmax(viewB[b])[c]) / 2));
    // Row 0 by hand: (e²/(e²+2) + 1/(e+2)) / 2 for class 0.
    expect(expected[0][0]).toBeCloseTo((Math.exp(2) / (Math.exp(2) + 2) + 1 / (Math.E + 2)) / 2, 12);
    const values = averaged.arraySync();
    values.forEach((row, b) => row.forEach((p, c) => expect(p).toBeCloseTo(expected[b][c], 6)));
    values.forEach((row) => expect(row.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6));
    tf.dispose([...logits, averaged]);
  });

  it('predicts the argmax of the average even when most views vote otherwise', () => {
    // Views 1 and 2 prefer class 1 weakly, view 3 prefers class 0 strongly: the majority says 1, the average says 0.
    const views = [[0, 0.2, 0], [0, 0.2, 0], [5, 0, 0]];
    const perViewArgmax = views.map((row) => row.indexOf(Math.max(...row)));
    expect(perViewArgmax).toEqual([1, 1, 0]);
    const expected = [0, 1, 2].map((c) => views.reduce((s, row) => s + softmax(row)[c], 0) / 3);
    expect(expected[0]).toBeGreaterThan(expected[1]);

    const logits = views.map((row) => tf.tensor2d([row]));
    const averaged = averageViewProbabilities(logits);
    averaged.arraySync()[0].forEach((p, c) => expect(p).toBeCloseTo(expected[c], 6));

    // The same through evaluateProbe: one token per view whose features are these logits.
    const probe = identityProbe();
    const features = views.map((row) => tf.tensor3d([[row]])); // 3 views × [1, 1, 3]
    const result = evaluateProbe(probe, features, [0]);
    expect(Array.from(result.predictions)).toEqual([0]);
    expect(result.top1).toBe(1);
    tf.dispose([...logits, averaged, ...features]);
    probe.dispose();
  });

  it('rejects views of different shapes', () => {
    const a = tf.zeros([2, 3]) as tf.Tensor2D;
    const b = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => averageViewProbabilities([a, b])).toThrow('logitsPerView[1]: expected a [2, 3] tensor like view 0, received [2, 4]');
    tf.dispose([a, b]);
  });
});
