import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { paramGroups } from '@vjepa/optim';
import { AttentiveProbe } from './attentive';
import { evaluateProbe } from './evaluate';
import { LinearProbe } from './linear';
import { toyTask } from './toy.test-util';
import { trainProbe, type ProbeStepMetrics } from './train';

beforeAll(async () => {
  await selectBackend('cpu');
});

const TOY = { tokens: 4, dim: 8, classes: 3 };

describe('trainProbe on a linearly separable toy task', () => {
  // 20 epochs of 6 steps are far fewer than the official 20 · ipe, so the toy runs use lr 1e-2.
  it.each([
    { name: 'AttentiveProbe', make: () => new AttentiveProbe({ dim: 8, heads: 2, classes: 3, seed: 3 }) },
    { name: 'LinearProbe', make: () => new LinearProbe({ dim: 8, classes: 3, seed: 3 }) },
  ])('$name reaches 100 percent on held-out clips', ({ make }) => {
    const train = toyTask({ ...TOY, count: 48, seed: 1 });
    const test = toyTask({ ...TOY, count: 30, seed: 2 });
    const probe = make();
    const before = evaluateProbe(probe, test.features, test.labels);
    expect(before.top1).toBeLessThan(0.7);
    const { losses, steps, stepsPerEpoch } = trainProbe({ probe, ...train, epochs: 20, batchSize: 8, seed: 0, lr: 1e-2 });
    expect(stepsPerEpoch).toBe(6);
    expect(steps).toBe(120);
    expect(losses).toHaveLength(20);
    expect(losses[19]).toBeLessThan(losses[0] / 2);
    const after = evaluateProbe(probe, test.features, test.labels);
    expect(after.top1).toBe(1);
    expect(after.confusion).toEqual([[10, 0, 0], [0, 10, 0], [0, 0, 10]]);
    tf.dispose([train.features, test.features]);
    probe.dispose();
  });
});

describe('trainProbe follows spec §11.4', () => {
  it('first step by hand: lr and wd from s = 1, clip 1.0, AdamW, weight decayed and bias not', () => {
    const [M, dim, classes] = [6, 4, 3];
    const tokens = Array.from({ length: M }, (_, i) => [
      [i % 3 === 0 ? 1 : -0.5, 0.3 * i - 0.7, 0.2, -0.4 + 0.1 * i],
      [0.5, i % 3 === 1 ? 1.2 : -0.3, -0.6 + 0.05 * i, 0.9],
    ]);
    const labels = Array.from({ length: M }, (_, i) => i % classes);
    const features = tf.tensor3d(tokens); // [6, 2, 4]
    const probe = new LinearProbe({ dim, classes, seed: 4 });
    const w0 = probe.linear.weight.arraySync() as number[][];
    const b0 = probe.linear.bias!.arraySync() as number[];

    // Gradient of the mean cross-entropy in float64.
    const means = tokens.map(([a, b]) => a.map((v, d) => (v + b[d]) / 2));
    const gW = w0.map((row) => row.map(() => 0));
    const gB = b0.map(() => 0);
    means.forEach((x, i) => {
      const logits = w0.map((row, c) => row.reduce((s, w, d) => s + w * x[d], b0[c]));
      const top = Math.max(...logits);
      const exps = logits.map((l) => Math.exp(l - top));
      const total = exps.reduce((a, b) => a + b, 0);
      exps.forEach((e, c) => {
        const delta = (e / total - (labels[i] === c ? 1 : 0)) / M;
        gB[c] += delta;
        x.forEach((v, d) => (gW[c][d] += delta * v));
      });
    });
    const norm = Math.sqrt([...gW.flat(), ...gB].reduce((s, g) => s + g * g, 0));
    const scale = Math.min(1, 1 / (norm + 1e-6));
    // Two epochs of one full batch: T = 2, so s = 1 is half way down both cosines.
    const lr = 1e-3 * 0.5 * (1 + Math.cos(Math.PI / 2));
    const wd = 1e-6 + (0.01 - 1e-6) * 0.5 * (1 + Math.cos(Math.PI / 2));
    // First AdamW step: m̂ = g, √v̂ = |g|, so the move is lr · g / (|g| + ε).
    const adam = (g: number) => (lr * g * scale) / (Math.abs(g * scale) + 1e-8);
    const w1 = w0.map((row, c) => row.map((w, d) => w * (1 - lr * wd) - adam(gW[c][d])));
    const b1 = b0.map((b, c) => b - adam(gB[c]));

    const metrics: ProbeStepMetrics[] = [];
    let afterFirst: { weight: number[][]; bias: number[] } | undefined;
    trainProbe({
      probe,
      features,
      labels,
      epochs: 2,
      batchSize: M,
      onStep: (m) => {
        metrics.push(m);
        if (m.step === 1) afterFirst = { weight: probe.linear.weight.arraySync() as number[][], bias: probe.linear.bias!.arraySync() as number[] };
      },
    });
    expect(metrics.map((m) => m.step)).toEqual([1, 2]);
    expect(metrics[0].lr).toBeCloseTo(5e-4, 15);
    expect(metrics[0].weightDecay).toBeCloseTo(0.0050005, 12);
    expect(metrics[1].lr).toBe(0);
    expect(metrics[1].weightDecay).toBeCloseTo(1e-6, 15);
    expect(metrics[0].gradNorm).toBeCloseTo(norm, 5);
    afterFirst!.weight.flat().forEach((w, k) => expect(w).toBeCloseTo(w1.flat()[k], 6));
    afterFirst!.bias.forEach((b, c) => expect(b).toBeCloseTo(b1[c], 6));
    features.dispose();
    probe.dispose();
  });

  it('steps the cosine schedules once per batch over epochs · ipe steps', () => {
    const { features, labels } = toyTask({ ...TOY, count: 12, seed: 5 });
    const probe = new LinearProbe({ dim: 8, classes: 3 });
    const metrics: ProbeStepMetrics[] = [];
    trainProbe({ probe, features, labels, epochs: 2, batchSize: 5, onStep: (m) => metrics.push(m) });
    // 12 clips in batches of 5 keep the last 2 (drop_last=False): ipe 3, T 6.
    expect(metrics.map((m) => [m.step, m.epoch])).toEqual([[1, 0], [2, 0], [3, 0], [4, 1], [5, 1], [6, 1]]);
    metrics.forEach(({ step, lr, weightDecay }) => {
      const cosine = 0.5 * (1 + Math.cos((Math.PI * step) / 6));
      expect(lr).toBeCloseTo(1e-3 * cosine, 15);
      expect(weightDecay).toBeCloseTo(1e-6 + (0.01 - 1e-6) * cosine, 15);
    });
    features.dispose();
    probe.dispose();
  });

  it('uses the official groups: biases and 1-D tensors not decayed, the query token decayed', () => {
    const probe = new AttentiveProbe({ dim: 8, heads: 2, classes: 3 });
    const [decay, noDecay] = paramGroups({ probe });
    expect(decay.params.has('probe/pooler.query_tokens')).toBe(true);
    expect(decay.params.has('probe/linear.weight')).toBe(true);
    expect(noDecay.params.has('probe/linear.bias')).toBe(true);
    expect(noDecay.params.has('probe/pooler.cross_attention_block.norm1.weight')).toBe(true);
    expect([...decay.params.keys()].some((key) => key.includes('bias'))).toBe(false);
    probe.dispose();
  });

  it('shuffles by seed: the same seed repeats the run, another seed differs', () => {
    const { features, labels } = toyTask({ ...TOY, count: 12, seed: 6 });
    const run = (seed: number) => {
      const probe = new LinearProbe({ dim: 8, classes: 3 });
      const { losses } = trainProbe({ probe, features, labels, epochs: 3, batchSize: 4, seed, lr: 1e-2 });
      probe.dispose();
      return losses;
    };
    const first = run(1);
    expect(run(1)).toEqual(first);
    expect(run(2)).not.toEqual(first);
    features.dispose();
  });

  it('averages the cross-entropy over views (two identical views train as one)', () => {
    const { features, labels } = toyTask({ ...TOY, count: 12, seed: 7 });
    const run = (views: tf.Tensor3D | tf.Tensor3D[]) => {
      const probe = new LinearProbe({ dim: 8, classes: 3 });
      const { losses } = trainProbe({ probe, features: views, labels, epochs: 2, batchSize: 4 });
      probe.dispose();
      return losses;
    };
    const single = run(features);
    run([features, features]).forEach((loss, e) => expect(loss).toBeCloseTo(single[e], 6));
    features.dispose();
  });
});

describe('trainProbe memory', () => {
  it('keeps tf.memory().numTensors flat across epochs and frees the optimizer at the end', () => {
    const { features, labels } = toyTask({ ...TOY, count: 16, seed: 8 });
    const probe = new AttentiveProbe({ dim: 8, heads: 2, classes: 3 });
    const before = tf.memory().numTensors;
    const perEpoch: number[] = [];
    trainProbe({ probe, features, labels, epochs: 4, batchSize: 8, onEpoch: () => perEpoch.push(tf.memory().numTensors) });
    expect(perEpoch).toHaveLength(4);
    expect(new Set(perEpoch).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    features.dispose();
    probe.dispose();
  });
});

describe('trainProbe errors, before any compute', () => {
  const setup = () => {
    const { features, labels } = toyTask({ ...TOY, count: 12, seed: 9 });
    const probe = new LinearProbe({ dim: 8, classes: 3 });
    return { features, labels, probe, weights: probe.linear.weight.arraySync(), tensors: tf.memory().numTensors };
  };

  it.each([
    ['a label outside [0, classes)', (l: Int32Array) => Object.assign(Int32Array.from(l), { 5: 3 }), 'labels[5]: expected a class index in [0, 3) (the probe has 3 classes), received 3'],
    ['a negative label', (l: Int32Array) => Object.assign(Int32Array.from(l), { 0: -1 }), 'labels[0]: expected a class index in [0, 3) (the probe has 3 classes), received -1'],
    ['one label too few', (l: Int32Array) => l.subarray(1), 'labels: expected 12 labels, one per clip of the features, received 11'],
  ])('rejects %s', (_, change, message) => {
    const { features, labels, probe, weights, tensors } = setup();
    expect(() => trainProbe({ probe, features, labels: change(labels), epochs: 1, batchSize: 4 })).toThrow(message);
    expect(probe.linear.weight.arraySync()).toEqual(weights);
    expect(tf.memory().numTensors).toBe(tensors);
    features.dispose();
    probe.dispose();
  });

  it('rejects features of another width', () => {
    const { features, labels, probe, weights, tensors } = setup();
    const wide = tf.zeros([12, 4, 16]) as tf.Tensor3D;
    expect(() => trainProbe({ probe, features: wide, labels, epochs: 1, batchSize: 4 })).toThrow(
      "features: expected a [M, N, 8] tensor (the probe's feature width is 8), received [12, 4, 16]",
    );
    expect(() => evaluateProbe(probe, [features, wide], labels)).toThrow("featuresPerView[1]: expected a [M, N, 8] tensor (the probe's feature width is 8), received [12, 4, 16]");
    expect(probe.linear.weight.arraySync()).toEqual(weights);
    expect(tf.memory().numTensors).toBe(tensors + 1);
    tf.dispose([features, wide]);
    probe.dispose();
  });

  it('rejects bad sizes', () => {
    const { features, labels, probe } = setup();
    expect(() => trainProbe({ probe, features, labels, epochs: 0 })).toThrow('epochs: expected an integer ≥ 1, received 0');
    expect(() => trainProbe({ probe, features, labels, batchSize: 2.5 })).toThrow('batchSize: expected an integer ≥ 1, received 2.5');
    expect(() => trainProbe({ probe, features, labels, batchSize: 20, dropLast: true })).toThrow('batchSize: expected at most the 12 clips when dropLast is set, received 20');
    features.dispose();
    probe.dispose();
  });
});
