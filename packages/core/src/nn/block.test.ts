import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { RandomStream } from '../random';
import { Block } from './block';

function seededBlock(dropPath: number): Block {
  const block = new Block(8, 2, { dropPath });
  const rng = new RandomStream(3);
  for (const variable of block.parameters().values()) variable.assign(tf.tensor(rng.uniform(variable.size, -0.3, 0.3), variable.shape));
  return block;
}

describe('Block drop path', () => {
  let x: tf.Tensor3D; // [B, N, D]
  beforeAll(async () => {
    await selectBackend('cpu');
    x = tf.tensor3d(new RandomStream(1).uniform(4 * 5 * 8, -1, 1), [4, 5, 8]);
  });

  it('is the identity at rate 0 and in evaluation (no rng), and matches the plain block', () => {
    const plain = seededBlock(0);
    const dropping = seededBlock(0.5);
    const reference = plain.apply(x).arraySync();
    expect(dropping.apply(x).arraySync()).toEqual(reference); // evaluation: dropPathRng null
    plain.dropPathRng = new RandomStream(9); // training at rate 0
    expect(plain.apply(x).arraySync()).toEqual(reference);
    plain.dispose();
    dropping.dispose();
  });

  it('drops whole samples: each row is x, x + f/(1−p) or x + … with the branches scaled by 0 or 2', () => {
    const block = seededBlock(0.5);
    const attn = tf.tidy(() => block.attn.apply(block.norm1.apply(x) as tf.Tensor3D)); // [B, N, D]
    block.dropPathRng = new RandomStream(5);
    const out = block.apply(x);
    // the draws the block used, two per sample: attention then MLP branch
    const draws = new RandomStream(5);
    const attnKeep = Array.from(draws.uniform(4), (u) => (u < 0.5 ? 0 : 2));
    const mlpKeep = Array.from(draws.uniform(4), (u) => (u < 0.5 ? 0 : 2));
    const expected = tf.tidy(() => {
      const attended = tf.add(x, tf.mul(attn, tf.tensor3d(attnKeep, [4, 1, 1])));
      return tf.add(attended, tf.mul(block.mlp.apply(block.norm2.apply(attended)), tf.tensor3d(mlpKeep, [4, 1, 1])));
    });
    const got = out.arraySync() as number[][][];
    const want = expected.arraySync() as number[][][];
    for (let b = 0; b < 4; b++) for (let n = 0; n < 5; n++) for (let d = 0; d < 8; d++) expect(got[b][n][d]).toBeCloseTo(want[b][n][d], 5);
    tf.dispose([attn, out, expected]);
    block.dispose();
  });

  it('keeps the expectation: over many draws the mean output approaches the undropped one', () => {
    const block = seededBlock(0.3);
    // the MLP branch silenced, the output is x + drop(attn(norm1(x))), whose expectation is x + attn(norm1(x))
    for (const v of block.mlp.parameters().values()) v.assign(tf.zerosLike(v));
    const single = tf.slice(x, [0, 0, 0], [1, 5, 8]) as tf.Tensor3D; // [1, N, D]
    const undropped = block.apply(single); // [1, N, D]
    const many = tf.tile(single, [4000, 1, 1]) as tf.Tensor3D; // [4000, N, D]
    block.dropPathRng = new RandomStream(11);
    const mean = tf.tidy(() => tf.mean(block.apply(many), 0, true)); // [1, N, D]
    const error = tf.tidy(() => tf.max(tf.abs(tf.sub(mean, undropped))).dataSync()[0]);
    const branch = tf.tidy(() => tf.max(tf.abs(tf.sub(undropped, single))).dataSync()[0]);
    expect(branch).toBeGreaterThan(0.05);
    expect(error).toBeLessThan(0.05 * branch); // ≈ 2.2 σ of the mean of 4000 Bernoulli(0.7)/0.7 draws
    tf.dispose([single, undropped, many, mean]);
    block.dispose();
  });

  it('refuses a rate outside [0, 1)', () => {
    expect(() => new Block(8, 2, { dropPath: 1 })).toThrow(/dropPath.*\[0, 1\)/);
    expect(() => new Block(8, 2, { dropPath: -0.1 })).toThrow(/dropPath/);
  });
});
