import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../backend';
import { multiHeadAttention, multiHeadAttentionReference } from '../../ops/multi-head-attention';
import { MAX_ATTENTION_SCORES, attentionBlocks, blockwiseAttention } from './attention-blockwise';
import { random, relativeDiff } from './native-vs-reference.test-util';

// The plain path's blockwise attention against the plain formula (multiHeadAttentionReference with all scores
// at once), forward and gradient, on awkward sizes, and its memory bound measured by tf.profile.

/** Value and gradients w.r.t. q, k, v of `sum(attention · weights)`. */
function valueAndGrads(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number, maxScores: number): tf.Tensor[] {
  return tf.tidy(() => {
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => multiHeadAttentionReference(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, heads, { maxScores });
    const weights = random(f(q, k, v).shape, 99);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, b, c), weights)))([q, k, v]);
    return [f(q, k, v), ...grads];
  });
}

describe('attentionBlocks', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('cuts query rows to fit maxScores, then groups head slices; at least one row over all keys', () => {
    expect(attentionBlocks(6, 13, 13, 50)).toEqual({ slices: 1, queries: 3 });
    expect(attentionBlocks(6, 13, 13, 13 * 13 * 4)).toEqual({ slices: 4, queries: 13 });
    expect(attentionBlocks(6, 5, 29, 10)).toEqual({ slices: 1, queries: 1 });
    expect(attentionBlocks(16, 147_456, 147_456, MAX_ATTENTION_SCORES)).toEqual({ slices: 1, queries: 113 });
  });

  it('refuses a maxScores that is not a positive integer, and unknown option keys', () => {
    const x = tf.zeros([1, 2, 4]) as tf.Tensor3D;
    expect(() => blockwiseAttention(x, x, x, { maxScores: 0 })).toThrow(/maxScores.*positive integer/);
    expect(() => multiHeadAttention(x, x, x, 2, { maxScore: 5 } as never)).toThrow(/maxScore/);
    x.dispose();
  });
});

describe.each(['cpu', 'wasm'] as const)('blockwise attention on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each([
    // batch, queries, keys, heads, head width, maxScores
    [2, 13, 13, 3, 12, 50], // 3 query rows a block, one head slice; 13 = 4·3 + 1
    [1, 37, 37, 1, 20, 37 * 5], // one head, 5 rows a block
    [2, 5, 29, 2, 64, 10], // cross-attention, fewer scores than keys: one row a block
    [3, 9, 9, 2, 4, 9 * 9 * 4], // whole heads, 4 of the 6 slices a block
  ])('batch %i, %i queries over %i keys, %i heads of %i, maxScores %i: equals the plain formula, forward and gradient', (b, nq, nk, heads, dh, maxScores) => {
    const d = heads * dh;
    const [q, k, v] = [random([b, nq, d], 1, 2), random([b, nk, d], 2, 2), random([b, nk, d], 3, 2)] as tf.Tensor3D[];
    const before = tf.memory().numTensors;
    const blocked = valueAndGrads(q, k, v, heads, maxScores);
    const plain = valueAndGrads(q, k, v, heads, b * heads * nq * nk);
    expect(tf.memory().numTensors).toBe(before + 8); // nothing leaks
    // Forward rows are the plain formula's: exactly on cpu (the same products and softmax per row); a
    // BLAS may round a product of fewer rows differently.
    expect(relativeDiff(blocked[0], plain[0])).toBeLessThanOrEqual(backend === 'cpu' ? 0 : 1e-6);
    blocked.slice(1).forEach((t, i) => expect(relativeDiff(t, plain[i + 1]), `gradient ${i}`).toBeLessThanOrEqual(2e-6));
    tf.dispose([...blocked, ...plain, q, k, v]);
  });

  it('holds at most a few blocks of scores: peak memory of forward + gradient far below all heads’ scores', async () => {
    const [b, n, heads, dh] = [1, 512, 8, 2];
    const [q, k, v] = [random([b, n, heads * dh], 4), random([b, n, heads * dh], 5), random([b, n, heads * dh], 6)] as tf.Tensor3D[];
    const allScores = 4 * b * heads * n * n; // bytes: 8 MB (q, k, v and their head splits: 32 KB each)
    const peak = async (maxScores: number) => {
      const start = tf.memory().numBytes;
      let grads: tf.Tensor[] = [];
      const info = await tf.profile(() => {
        grads = tf.grads((a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => tf.sum(multiHeadAttentionReference(a as tf.Tensor3D, c as tf.Tensor3D, e as tf.Tensor3D, heads, { maxScores })))([q, k, v]);
      });
      tf.dispose(grads);
      return info.peakBytes - start;
    };
    const blocked = await peak(n * 8); // 8 query rows of one head a block: 16 KB of scores
    const whole = await peak(b * heads * n * n);
    expect(whole).toBeGreaterThan(allScores);
    expect(blocked).toBeLessThan(allScores / 4);
    expect(blocked).toBeLessThan(whole / 10);
    tf.dispose([q, k, v]);
  });
});
