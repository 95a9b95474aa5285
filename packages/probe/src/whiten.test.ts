import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend } from '@vjepa/core';
import { AttentiveProbe } from './attentive';
import { symmetricEigen } from '@vjepa/core';
import { evaluateProbe } from './evaluate';
import { LinearProbe } from './linear';
import { FeatureWhitening, WhitenedProbe, trainWhitenedProbe } from './whiten';
import { toyTask } from './toy.test-util';

beforeAll(async () => {
  await selectBackend('cpu');
});

const r2 = Math.SQRT2;
// Four tokens (two clips of two) around the mean (1, −3): ±(2, 2) and ±(1, −1). Population covariance
// [[2.5, 1.5], [1.5, 2.5]] = 4 · v₁v₁ᵀ + 1 · v₂v₂ᵀ with v₁ = (1, 1)/√2, v₂ = (1, −1)/√2.
const POINTS = [[3, -1], [-1, -5], [2, -4], [0, -2]];
const features = () => tf.tensor3d(POINTS.flat(), [2, 2, 2]);


describe('FeatureWhitening', () => {
  it('pca: mean (1, −3), matrix V·diag(1/2, 1) — the tokens map to ±(√2, 0), ±(0, √2)', () => {
    const x = features();
    const whitening = FeatureWhitening.fit(x, 'pca', { epsilon: 0 });
    expect(Array.from(whitening.mean.dataSync())).toEqual([1, -3]);
    const expected = [1 / (2 * r2), 1 / r2, 1 / (2 * r2), -1 / r2];
    Array.from(whitening.matrix.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    const y = whitening.apply(x).arraySync().flat();
    const want = [[r2, 0], [-r2, 0], [0, r2], [0, -r2]];
    y.forEach((token, i) => token.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 5)));
    tf.dispose([x]);
    whitening.dispose();
  });

  it('std: per channel (x − μ)/σ with σ² = 2.5; none: identity', () => {
    const x = features();
    const std = FeatureWhitening.fit(x, 'std', { epsilon: 0 });
    const s = 1 / Math.sqrt(2.5);
    Array.from(std.matrix.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([s, 0, 0, s][i], 6));
    expect(std.apply(x).arraySync()[0][0].map((v) => +v.toFixed(5))).toEqual([+(2 * s).toFixed(5), +(2 * s).toFixed(5)]);
    const none = FeatureWhitening.fit(x, 'none');
    expect(none.apply(x).arraySync()).toEqual(x.arraySync());
    expect(() => FeatureWhitening.fit(x, 'zca' as never)).toThrow(/kind: expected pca, std, none, received "zca"/);
    tf.dispose([x]);
    std.dispose();
    none.dispose();
  });

  it('epsilon keeps a zero-variance direction finite (relative to the mean variance)', () => {
    const x = tf.tensor3d([1, 5, 3, 5, 5, 5, 7, 5], [1, 4, 2]); // channel 1 constant
    const whitening = FeatureWhitening.fit(x, 'pca'); // default epsilon 1e-5 · trace/D
    const m = whitening.matrix.dataSync();
    expect(m.every(Number.isFinite)).toBe(true);
    expect(Math.max(...Array.from(m).map(Math.abs))).toBeLessThan(1 / Math.sqrt((1e-5 * 5) / 2) + 1e-3);
    tf.dispose(x);
    whitening.dispose();
  });

  it('components: pca keeps the K leading axes — the hand case with K = 1 maps the tokens to ±√2, 0, 0', () => {
    const x = features();
    const whitening = FeatureWhitening.fit(x, 'pca', { epsilon: 0, components: 1 });
    expect(whitening.matrix.shape).toEqual([2, 1]);
    expect(whitening.outDim).toBe(1);
    Array.from(whitening.matrix.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([1 / (2 * r2), 1 / (2 * r2)][i], 6));
    const y = whitening.apply(x);
    expect(y.shape).toEqual([2, 2, 1]);
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([r2, -r2, 0, 0][i], 5));
    expect(() => FeatureWhitening.fit(x, 'pca', { components: 3 })).toThrow(/components: expected an integer in \[1, 2\] \(the feature width\), received 3/);
    expect(() => FeatureWhitening.fit(x, 'std', { components: 1 })).toThrow(/components: expected no value unless kind is pca, received 1/);
    tf.dispose([x, y]);
    whitening.dispose();
  });

  it('components on wide features (D > 512, the subspace solver): the K outputs are white and span the leading variance', () => {
    const [m, n, d, k] = [4, 150, 520, 3];
    const rng = new RandomStream(9);
    // three strong latent directions (variances 100, 25, 9) in 520 channels, plus small isotropic noise
    const directions = Array.from({ length: k }, () => Float64Array.from({ length: d }, () => rng.normal()));
    directions.forEach((u, j) => {
      // orthonormal, so that the span check below is the length of the projection
      for (const previous of directions.slice(0, j)) {
        const dot = previous.reduce((sum, p, i) => sum + p * u[i], 0);
        u.forEach((_, i) => (u[i] -= dot * previous[i]));
      }
      const norm = Math.hypot(...u);
      u.forEach((_, i) => (u[i] /= norm));
    });
    const values = new Float32Array(m * n * d);
    for (let t = 0; t < m * n; t++) {
      const latent = [10, 5, 3].map((s) => s * rng.normal());
      for (let i = 0; i < d; i++) values[t * d + i] = latent[0] * directions[0][i] + latent[1] * directions[1][i] + latent[2] * directions[2][i] + 0.01 * rng.normal();
    }
    const x = tf.tensor3d(values, [m, n, d]);
    const whitening = FeatureWhitening.fit(x, 'pca', { epsilon: 0, components: k });
    const y = whitening.apply(x);
    const rows = tf.reshape(y, [m * n, k]);
    const centred = tf.sub(rows, tf.mean(rows, 0));
    const cov = tf.div(tf.matMul(centred, centred, true, false), m * n).arraySync() as number[][];
    cov.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 1 : 0, 3)));
    // each kept axis lies in the span of the three latent directions
    const axes = whitening.matrix.arraySync() as number[][];
    for (let j = 0; j < k; j++) {
      const axis = axes.map((row) => row[j]);
      const norm = Math.hypot(...axis);
      const inSpan = Math.hypot(...directions.map((u) => u.reduce((sum, ui, i) => sum + ui * axis[i], 0))) / norm;
      expect(inSpan).toBeGreaterThan(0.999);
    }
    tf.dispose([x, y, rows, centred]);
    whitening.dispose();
  });
});

describe('WhitenedProbe and trainWhitenedProbe', () => {
  it('stores the transform beside the probe keys and re-applies it after a save/load round trip', () => {
    const x = features();
    const probe = new WhitenedProbe(new LinearProbe({ dim: 2, classes: 3, seed: 1 }), FeatureWhitening.fit(x, 'pca', { epsilon: 0 }));
    expect([...probe.stateDict().keys()]).toEqual(['linear.weight', 'linear.bias', 'whiten.mean', 'whiten.matrix']);
    expect([...probe.parameters().keys()]).toEqual(['linear.weight', 'linear.bias']);
    const saved = new Map([...probe.stateDict()].map(([key, v]) => [key, { shape: v.shape, data: v.dataSync() as Float32Array }]));
    const loaded = new WhitenedProbe(new LinearProbe({ dim: 2, classes: 3, seed: 9 }), new FeatureWhitening(2, 'pca'));
    loaded.loadStateDict(saved);
    expect(loaded.apply(x).arraySync()).toEqual(probe.apply(x).arraySync());
    const plain = new LinearProbe({ dim: 2, classes: 3, seed: 1 });
    const whitenedByHand = probe.whitening.apply(x);
    expect(probe.apply(x).arraySync()).toEqual(plain.apply(whitenedByHand).arraySync());
    tf.dispose([x, whitenedByHand]);
    [probe, loaded, plain].forEach((p) => p.dispose());
  });

  it('fits on the training features only: the validation data change nothing in the stored transform', () => {
    const train = toyTask({ count: 48, tokens: 3, dim: 4, classes: 3, seed: 1 });
    const transforms: number[][] = [];
    for (const shift of [0, 10]) {
      const task = toyTask({ count: 24, tokens: 3, dim: 4, classes: 3, seed: 2 + shift });
      const val = { features: tf.tidy(() => tf.add(task.features, shift) as tf.Tensor3D), labels: task.labels }; // the second set far away
      task.features.dispose();
      const { probe, result } = trainWhitenedProbe({
        probe: new AttentiveProbe({ dim: 4, heads: 2, classes: 3, seed: 0 }),
        whiten: 'pca',
        features: train.features,
        labels: train.labels,
        epochs: 40,
        batchSize: 16,
        lr: 1e-2,
      });
      expect(result.losses[result.losses.length - 1]).toBeLessThan(result.losses[0]);
      if (shift === 0) expect(evaluateProbe(probe, val.features, val.labels).top1).toBeGreaterThan(0.9);
      transforms.push([...probe.whitening.mean.dataSync(), ...probe.whitening.matrix.dataSync()]);
      const direct = FeatureWhitening.fit(train.features, 'pca');
      expect(transforms[transforms.length - 1]).toEqual([...direct.mean.dataSync(), ...direct.matrix.dataSync()]);
      direct.dispose();
      probe.dispose();
      val.features.dispose();
    }
    expect(transforms[1]).toEqual(transforms[0]);
    train.features.dispose();
  });
});
