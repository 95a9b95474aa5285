import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { collapseStats, collapseWarning, symmetricEigenvalues } from './collapse';

describe('collapse monitor', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('eigenvalues of a hand-made symmetric matrix', () => {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3
    const values = Array.from(symmetricEigenvalues(Float64Array.from([2, 1, 1, 2]), 2)).sort();
    expect(values[0]).toBeCloseTo(1, 10);
    expect(values[1]).toBeCloseTo(3, 10);
  });

  it('identical tokens: std 0, rank 0, and a warning', () => {
    const features = tf.tile(tf.tensor3d([[[1, -1, 0.5, 2]]]), [2, 3, 1]) as tf.Tensor3D;
    const stats = collapseStats(features);
    expect(stats.featureStd).toBeCloseTo(0, 6);
    expect(stats.effectiveRank).toBe(0);
    expect(collapseWarning(stats, 4)).toMatch(/collapsing/);
    features.dispose();
  });

  it('features on k orthogonal directions with equal spread have effective rank k', () => {
    // tokens ±e0, ±e1 (D = 4): centred Gram = diag(2, 2, 0, 0) → singular values √2, √2 → rank 2
    const features = tf.tensor3d([[[1, 0, 0, 0], [-1, 0, 0, 0], [0, 1, 0, 0], [0, -1, 0, 0]]]);
    const stats = collapseStats(features);
    expect(stats.effectiveRank).toBeCloseTo(2, 6);
    // per-channel std: √(2/4) for the two used channels, 0 for the others → mean √0.5 / 2
    expect(stats.featureStd).toBeCloseTo(Math.sqrt(0.5) / 2, 6);
    expect(collapseWarning(stats, 4)).toBeNull();
    features.dispose();
  });
});
