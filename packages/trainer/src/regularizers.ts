/**
 * Regularisers on the token embeddings of the context encoder, added to the V-JEPA loss: SIGReg
 * (LeJEPA, Balestriero & LeCun 2025: push every 1-D projection of the embeddings toward a standard
 * normal, so they can neither collapse nor stay extremely anisotropic) and VICReg's variance and
 * covariance terms (Bardes, Ponce & LeCun 2022).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, fail } from '@vjepa/core';

/** SIGReg settings. */
export interface SigRegOptions {
  /** Random unit directions M per step (default 256). */
  directions?: number;
  /** Integration knots on [0, tMax], odd (default 17, as the LeJEPA code). */
  knots?: number;
  /** Upper end of the integration (default 3). */
  tMax?: number;
}

/**
 * The knots `t_k = k · tMax / (knots − 1)` and weights of the Epps–Pulley integral: the trapezoid rule on
 * [0, tMax] doubled for the mirror half t < 0 (interior 2Δt, ends Δt), times the standard normal's
 * characteristic function φ(t) = exp(−t²/2) as the integration weight.
 */
export function eppsPulleyKnots(knots = 17, tMax = 3): { t: Float32Array; phi: Float32Array; weights: Float32Array } {
  if (!Number.isInteger(knots) || knots < 3 || knots % 2 === 0) fail('knots', 'an odd integer ≥ 3', knots);
  if (!(Number.isFinite(tMax) && tMax > 0)) fail('tMax', 'a positive number', tMax);
  const dt = tMax / (knots - 1);
  const t = Float32Array.from({ length: knots }, (_, k) => k * dt);
  const phi = t.map((v) => Math.exp(-0.5 * v * v));
  const weights = Float32Array.from({ length: knots }, (_, k) => (k === 0 || k === knots - 1 ? dt : 2 * dt) * phi[k]);
  return { t, phi, weights };
}

/**
 * `count` directions in R^dim, each a standard normal vector scaled to unit length, as columns of a
 * row-major `[dim, count]` array (what `x @ A` projects on).
 */
export function randomUnitDirections(rng: RandomStream, dim: number, count: number): Float32Array {
  if (!Number.isInteger(dim) || dim < 1) fail('dim', 'a positive integer', dim);
  if (!Number.isInteger(count) || count < 1) fail('count', 'a positive integer', count);
  const a = new Float32Array(dim * count);
  for (let k = 0; k < count; k++) {
    let norm = 0;
    for (let i = 0; i < dim; i++) {
      const v = rng.normal();
      a[i * count + k] = v;
      norm += v * v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < dim; i++) a[i * count + k] *= inv;
  }
  return a;
}

/**
 * The sliced Epps–Pulley statistic of embeddings `[N, D]` along the columns of `directions` `[D, M]`:
 * for each projection p = x·a, `N · Σ_k w_k [(mean cos(t_k p) − φ(t_k))² + (mean sin(t_k p))²]`, then the
 * mean over the M directions. 0 when every projection's empirical characteristic function is the
 * standard normal's at the knots; differentiable in `embeddings`.
 */
export function sigreg(embeddings: tf.Tensor2D, directions: tf.Tensor2D, options: Omit<SigRegOptions, 'directions'> = {}): tf.Scalar {
  if (embeddings.rank !== 2 || directions.rank !== 2 || directions.shape[0] !== embeddings.shape[1]) {
    fail('directions', `a [${embeddings.shape[1]}, M] tensor for embeddings [N, ${embeddings.shape[1]}]`, directions.shape);
  }
  const { t, phi, weights } = eppsPulleyKnots(options.knots, options.tMax);
  const n = embeddings.shape[0];
  return tf.tidy(() => {
    const projected = tf.matMul(embeddings, directions); // [N, M]
    const xt = tf.mul(tf.expandDims(projected, 2), tf.tensor1d(t)); // [N, M, K]
    const cosMean = tf.mean(tf.cos(xt), 0); // [M, K]
    const sinMean = tf.mean(tf.sin(xt), 0); // [M, K]
    const error = tf.add(tf.square(tf.sub(cosMean, tf.tensor1d(phi))), tf.square(sinMean)); // [M, K]
    const statistic = tf.mul(tf.sum(tf.mul(error, tf.tensor1d(weights)), 1), n); // [M]
    return tf.mean(statistic) as tf.Scalar;
  });
}

/**
 * VICReg's two anti-collapse terms of embeddings `[N, D]` (unbiased covariance C over the N rows):
 * `variance = mean_d max(0, γ − √(C_dd + ε))` and `covariance = Σ_{i≠j} C_ij² / D`.
 */
export function vicregTerms(embeddings: tf.Tensor2D, options: { gamma?: number; eps?: number } = {}): { variance: tf.Scalar; covariance: tf.Scalar } {
  const { gamma = 1, eps = 1e-4 } = options;
  const [n, d] = embeddings.shape;
  if (n < 2) fail('embeddings', 'at least two rows', n);
  return tf.tidy(() => {
    const centred = tf.sub(embeddings, tf.mean(embeddings, 0)); // [N, D]
    const cov = tf.div(tf.matMul(centred, centred, true, false), n - 1); // [D, D]
    const diagonal = tf.sum(tf.mul(cov, tf.eye(d)), 1); // [D]
    const variance = tf.mean(tf.relu(tf.sub(gamma, tf.sqrt(tf.add(diagonal, eps))))) as tf.Scalar;
    const offDiagonal = tf.mul(cov, tf.sub(1, tf.eye(d))); // [D, D]
    const covariance = tf.div(tf.sum(tf.square(offDiagonal)), d) as tf.Scalar;
    return { variance, covariance };
  });
}

/** A regulariser of the train step: the term `weight · R(context tokens)` added to the loss. */
export type RegularizerConfig =
  | ({ kind: 'sigreg'; weight: number; seed?: number } & SigRegOptions)
  | { kind: 'vicreg'; weight: number; varianceWeight?: number; covarianceWeight?: number; gamma?: number };

const KEYS = {
  sigreg: ['kind', 'weight', 'seed', 'directions', 'knots', 'tMax'],
  vicreg: ['kind', 'weight', 'varianceWeight', 'covarianceWeight', 'gamma'],
} as const;

/** Checks a {@link RegularizerConfig}: known kind, known keys only, a finite weight ≥ 0. */
export function checkRegularizer(config: RegularizerConfig, argument = 'regularizer'): RegularizerConfig {
  if (config === null || typeof config !== 'object') fail(argument, "{ kind: 'sigreg' | 'vicreg', weight }", config);
  const keys = KEYS[config.kind as keyof typeof KEYS];
  if (keys === undefined) fail(`${argument}.kind`, "'sigreg' or 'vicreg'", config.kind);
  for (const key of Object.keys(config)) if (!(keys as readonly string[]).includes(key)) fail(`${argument}.${key}`, `one of the keys ${keys.join(', ')}`, key);
  if (!(Number.isFinite(config.weight) && config.weight >= 0)) fail(`${argument}.weight`, 'a finite number ≥ 0', config.weight);
  if (config.kind === 'sigreg') {
    const directions = config.directions ?? 256;
    if (!Number.isInteger(directions) || directions < 1) fail(`${argument}.directions`, 'a positive integer', directions);
    eppsPulleyKnots(config.knots, config.tMax);
  }
  return config;
}

/**
 * The regulariser's value on the context encoder's outputs, one `[B, K, D]` per mask generator (every
 * token of the batch is a sample: `[B·K, D]`), averaged over generators — unweighted. SIGReg draws its
 * directions for step `step` from `RandomStream(seed).fork('sigreg/<step>')`: new each step, the same on
 * a resumed run.
 */
export function regularizerValue(config: RegularizerConfig, contexts: readonly tf.Tensor3D[], step: number): tf.Scalar {
  return tf.tidy(() => {
    const values = contexts.map((tokens) => {
      const [b, k, d] = tokens.shape;
      const rows = tf.reshape(tokens, [b * k, d]) as tf.Tensor2D; // [B·K, D]
      if (config.kind === 'sigreg') {
        const m = config.directions ?? 256;
        const directions = tf.tensor2d(randomUnitDirections(new RandomStream(config.seed ?? 0).fork(`sigreg/${step}`), d, m), [d, m]);
        return sigreg(rows, directions, config);
      }
      const { variance, covariance } = vicregTerms(rows, { gamma: config.gamma });
      return tf.add(tf.mul(variance, config.varianceWeight ?? 1), tf.mul(covariance, config.covarianceWeight ?? 1)) as tf.Scalar;
    });
    return tf.div(tf.addN(values), values.length) as tf.Scalar;
  });
}
