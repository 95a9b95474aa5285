import * as tf from '@tensorflow/tfjs-core';
import { readNow, symmetricEigen, type Reads } from '@vjepa/core';

/** Two numbers that fall when features collapse to a constant or to a few directions. */
export interface CollapseStats {
  /** Mean over channels of the standard deviation over batch and tokens. 0 = every token identical. */
  featureStd: number;
  /** exp(entropy) of the normalised singular values of the `[B·N, D]` features: 1 … D. */
  effectiveRank: number;
}

/**
 * Eigenvalues of a symmetric matrix (row-major `n × n`, float64), in decreasing order: core's
 * `symmetricEigen` (cyclic Jacobi rotations) without the vectors.
 */
export function symmetricEigenvalues(matrix: Float64Array, n: number, sweeps = 50): Float64Array {
  return symmetricEigen(matrix, n, sweeps).values;
}

/**
 * Collapse statistics of features `[B, N, D]` (the trainer passes the regression targets). The rank is
 * taken from the D×D Gram matrix of the centred features: singular values are √eigenvalues. Reads
 * synchronously; on webgpu use `await readAll(collapseStatsReads(features))`.
 */
export function collapseStats(features: tf.Tensor3D): CollapseStats {
  return readNow(collapseStatsReads(features));
}

/** {@link collapseStats} as a computation that yields what it reads (run it with core's `readAll` on any backend). */
export function* collapseStatsReads(features: tf.Tensor3D): Reads<CollapseStats> {
  const [batch, tokens, dim] = features.shape;
  const { std, gram } = tf.tidy(() => {
    const rows = tf.reshape(features, [batch * tokens, dim]); // [M, D]
    const centred = tf.sub(rows, tf.mean(rows, 0, true)); // [M, D]
    const variance = tf.mean(tf.mul(centred, centred), 0); // [D]
    return {
      std: tf.mean(tf.sqrt(variance)), // scalar
      gram: tf.matMul(tf.transpose(centred), centred), // [D, D]
    };
  });
  let featureStd: number;
  let eigen: Float64Array;
  try {
    featureStd = (yield std)[0];
    eigen = symmetricEigenvalues(Float64Array.from(yield gram), dim);
  } finally {
    tf.dispose([std, gram]);
  }
  const singular = Array.from(eigen, (e) => Math.sqrt(Math.max(e, 0)));
  const total = singular.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return { featureStd, effectiveRank: 0 };
  let entropy = 0;
  for (const s of singular) if (s > 0) entropy -= (s / total) * Math.log(s / total);
  return { featureStd, effectiveRank: Math.exp(entropy) };
}

/** When the collapse monitor warns. */
export interface CollapseThresholds {
  /** Warn when `featureStd` falls below this (default 0.1). */
  minStd?: number;
  /** Warn when `effectiveRank / D` falls below this (default 0.02). */
  minRankFraction?: number;
}

/** A warning sentence when the statistics say the features are collapsing, else null. */
export function collapseWarning(stats: CollapseStats, dim: number, thresholds: CollapseThresholds = {}): string | null {
  const minStd = thresholds.minStd ?? 0.1;
  const minRank = (thresholds.minRankFraction ?? 0.02) * dim;
  const problems: string[] = [];
  if (stats.featureStd < minStd) problems.push(`feature std ${stats.featureStd.toFixed(4)} < ${minStd}`);
  if (stats.effectiveRank < minRank) problems.push(`effective rank ${stats.effectiveRank.toFixed(2)} < ${minRank.toFixed(2)} of ${dim}`);
  if (!problems.length) return null;
  return `target features may be collapsing (${problems.join(', ')}): lower the learning rate or raise the EMA momentum.`;
}
