import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { evaluateKnn, knnVotes } from './knn';

beforeAll(async () => {
  await selectBackend('cpu');
});

// a = (1, 0) class 0, b = (0, 1) class 1, c = (1, 1) class 0, d = (−1, 0) class 1
const BANK = [[1, 0], [0, 1], [1, 1], [-1, 0]];
const BANK_LABELS = [0, 1, 0, 1];

describe('knnVotes', () => {
  it('sums exp(cosine / T) of the k nearest training clips per class (a hand case)', () => {
    const bank = tf.tensor2d(BANK);
    const queries = tf.tensor2d([[2, 1], [0, -3]]);
    const votes = knnVotes(bank, BANK_LABELS, queries, { k: 3, temperature: 0.5 });
    // query (2, 1)/√5: cosines a 2/√5, b 1/√5, c 3/√10, d −2/√5 → nearest c, a (class 0), b (class 1)
    // query (0, −1): cosines a 0, b −1, c −1/√2, d 0 → nearest a, d (0 each), c (−1/√2)
    const expected = [
      [Math.exp(3 / Math.sqrt(10) / 0.5) + Math.exp(2 / Math.sqrt(5) / 0.5), Math.exp(1 / Math.sqrt(5) / 0.5)],
      [Math.exp(0) + Math.exp(-1 / Math.sqrt(2) / 0.5), Math.exp(0)],
    ];
    const got = votes.arraySync();
    for (let q = 0; q < 2; q++) for (let c = 0; c < 2; c++) expect(got[q][c]).toBeCloseTo(expected[q][c], 4);
    // k = 1: only the nearest votes; batches of one query give the same votes
    const nearest = knnVotes(bank, BANK_LABELS, queries, { k: 1, temperature: 0.5, batchSize: 1 }).arraySync();
    expect(nearest[0][0]).toBeCloseTo(Math.exp(3 / Math.sqrt(10) / 0.5), 4);
    expect(nearest[0][1]).toBe(0);
    tf.dispose([bank, queries, votes]);
  });

  it('clamps k to the training clips and checks its arguments', () => {
    const bank = tf.tensor2d(BANK);
    const query = tf.tensor2d([[1, 0]]);
    const all = knnVotes(bank, BANK_LABELS, query, { k: 99, temperature: 1 }).arraySync()[0];
    expect(all[0]).toBeCloseTo(Math.exp(1) + Math.exp(1 / Math.SQRT2), 5);
    expect(all[1]).toBeCloseTo(Math.exp(0) + Math.exp(-1), 5);
    expect(() => knnVotes(bank, BANK_LABELS, query, { temperature: 0 })).toThrow(/temperature: expected a positive number, received 0/);
    expect(() => knnVotes(bank, [0, 1], query)).toThrow(/labels: expected 4 labels/);
    expect(() => knnVotes(bank, BANK_LABELS, tf.tensor2d([[1, 0, 0]]))).toThrow(/queries: expected a \[Q, 2\] tensor/);
    tf.dispose([bank, query]);
  });
});

describe('evaluateKnn', () => {
  it('pools tokens, averages the normalised votes of the views, and reports top-1 and the confusion matrix', () => {
    const before = tf.memory().numTensors;
    // two tokens per clip; their mean is the BANK row
    const train = tf.tensor3d(BANK.map(([x, y]) => [[x + 1, y], [x - 1, y]])); // [4, 2, 2]
    const view1 = tf.tensor3d([[[2, 1], [2, 1]], [[0, -3], [0, -3]]]); // [2, 2, 2]
    const view2 = tf.tensor3d([[[1, 0.2], [1, 0.2]], [[0, 1], [0, 1]]]); // [2, 2, 2]
    const one = evaluateKnn(train, BANK_LABELS, view1, [0, 1], { k: 3, temperature: 0.5 });
    expect(Array.from(one.predictions)).toEqual([0, 0]); // hand case above: both queries vote class 0
    expect(one.top1).toBe(0.5);
    expect(one.confusion).toEqual([
      [1, 0],
      [1, 0],
    ]);
    // view 2 of clip 1 sits on b: its normalised votes for class 1 outweigh view 1's lean to class 0
    const two = evaluateKnn(train, BANK_LABELS, [view1, view2], [0, 1], { k: 3, temperature: 0.5 });
    expect(Array.from(two.predictions)).toEqual([0, 1]);
    expect(two.top1).toBe(1);
    tf.dispose([train, view1, view2]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
