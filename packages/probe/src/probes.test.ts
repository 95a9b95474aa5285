import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend } from '@vjepa/core';
import { AttentiveProbe } from './attentive';
import { LinearProbe } from './linear';
import type { Probe } from './probe';

beforeAll(async () => {
  await selectBackend('cpu');
});

function randomFeatures(shape: [number, number, number], seed: number): tf.Tensor3D {
  return tf.tensor3d(new RandomStream(seed).uniform(shape[0] * shape[1] * shape[2], -1, 1), shape);
}

function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

const makers: [string, (seed: number) => Probe][] = [
  ['AttentiveProbe', (seed) => new AttentiveProbe({ dim: 8, heads: 2, classes: 3, seed })],
  ['LinearProbe', (seed) => new LinearProbe({ dim: 8, classes: 3, seed })],
];

describe.each(makers)('%s state dicts', (_, make) => {
  it('loads its own state dict with and without the `module.` prefix (DDP checkpoints)', () => {
    const source = make(1);
    const features = randomFeatures([2, 5, 8], 7);
    const expected = source.apply(features);
    for (const prefix of ['', 'module.']) {
      const target = make(2);
      const before = target.apply(features);
      expect(maxAbsDifference(before, expected)).toBeGreaterThan(1e-3);
      const input = new Map([...source.stateDict()].map(([key, value]) => [`${prefix}${key}`, value as tf.Tensor]));
      const report = target.loadStateDict(input);
      expect(report.missing).toEqual([]);
      expect(report.unexpected).toEqual([]);
      const after = target.apply(features);
      expect(maxAbsDifference(after, expected)).toBe(0);
      tf.dispose([before, after]);
      target.dispose();
    }
    tf.dispose([features, expected]);
    source.dispose();
  });
});

describe('AttentiveProbe keys', () => {
  it('keeps the official keys, including the unused xattn.proj', () => {
    const probe = new AttentiveProbe({ dim: 8, heads: 2, classes: 3 });
    const keys = [...probe.stateDict().keys()];
    expect(keys[0]).toBe('pooler.query_tokens');
    expect(keys).toContain('pooler.cross_attention_block.xattn.proj.weight');
    expect(keys.slice(-2)).toEqual(['linear.weight', 'linear.bias']);
    probe.dispose();
  });
});

describe('LinearProbe', () => {
  it('is Linear(D, C) on the token mean, with weights and bias in U(±1/√D)', () => {
    const probe = new LinearProbe({ dim: 4, classes: 2, seed: 5 });
    const bound = 1 / Math.sqrt(4);
    const weight = probe.linear.weight.arraySync() as number[][];
    const bias = probe.linear.bias!.arraySync() as number[];
    for (const value of [...weight.flat(), ...bias]) expect(Math.abs(value)).toBeLessThanOrEqual(bound);
    expect(new Set(weight.flat()).size).toBe(8);

    const tokens = [[1, 2, 3, 4], [3, 2, 1, 0]]; // one clip, two tokens; mean [2, 2, 2, 2]
    const features = tf.tensor3d([tokens]);
    const logits = probe.apply(features);
    expect(logits.shape).toEqual([1, 2]);
    const expected = weight.map((row, c) => row.reduce((s, w) => s + 2 * w, 0) + bias[c]);
    (logits.arraySync() as number[][])[0].forEach((v, c) => expect(v).toBeCloseTo(expected[c], 5));
    tf.dispose([features, logits]);
    probe.dispose();
  });

  it('names the width when the features do not fit', () => {
    const probe = new LinearProbe({ dim: 4, classes: 2 });
    const features = tf.zeros([1, 3, 6]) as tf.Tensor3D;
    expect(() => probe.apply(features)).toThrow("features: expected a [M, N, 4] tensor (the probe's feature width is 4), received [1, 3, 6]");
    expect(() => new LinearProbe({ dim: 0, classes: 2 })).toThrow('config.dim: expected a positive integer, received 0');
    features.dispose();
    probe.dispose();
  });
});
