/**
 * Regularisers on the embeddings of the context encoder, added to the V-JEPA loss: SIGReg (LeJEPA,
 * Balestriero & LeCun 2025: push every 1-D projection of the embeddings toward a standard normal, so
 * they can neither collapse nor stay extremely anisotropic) and VICReg's variance and covariance terms
 * (Bardes, Ponce & LeCun 2022). As published, their statistics are taken **across samples**: by default
 * over the clips' mean-pooled embeddings (`samples: 'pooled'`), or per token position across the batch
 * (`'positions'`); `'tokens'` (every token row of the batch a sample, where spread across the positions
 * of one clip satisfies them) is kept for comparison.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, fail } from '@vjepa/core';
import { checkExpanderWidths, type Expander } from './expander';

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

/**
 * What a regulariser takes its statistics over, from the context tokens `[B, K, D]` of a generator:
 * `pooled` (default) — the B clips' mean-pooled embeddings `[B, D]`, as VICReg and LeJEPA do with one
 * embedding per sample; `positions` — for each of the K token positions, the B clips' tokens there, the
 * terms averaged over positions; `tokens` — all B·K token rows as if each were a sample.
 */
export type RegularizerSamples = 'pooled' | 'positions' | 'tokens';

/** The choices of {@link RegularizerSamples}. */
export const REGULARIZER_SAMPLES: readonly RegularizerSamples[] = ['pooled', 'positions', 'tokens'];

/**
 * The published relative weights, with the V-JEPA prediction loss in the place of the invariance term:
 * VICReg's λ : μ : ν = 25 : 25 : 1 (invariance : variance : covariance) gives, per unit of prediction loss,
 * variance 1 and covariance 1/25; LeJEPA's `(1 − λ) · L + λ · SIGReg` with λ = 0.05 gives SIGReg 0.05/0.95.
 */
export const PUBLISHED_REGULARIZER_WEIGHTS = {
  vicreg: { weight: 1, varianceWeight: 1, covarianceWeight: 1 / 25 },
  sigreg: { weight: 0.05 / 0.95 },
} as const;

/**
 * A regulariser of the train step: the term `weight · R(context embeddings)` added to the loss. `expander`
 * (VICReg only; default none): the widths of VICReg's expander MLP (see `Expander`) that the sample
 * embeddings pass through before the variance and covariance terms, its weights drawn from
 * `RandomStream(seed).fork('expander')` and trained with the encoder.
 */
export type RegularizerConfig =
  | ({ kind: 'sigreg'; weight: number; seed?: number; samples?: RegularizerSamples } & SigRegOptions)
  | { kind: 'vicreg'; weight: number; varianceWeight?: number; covarianceWeight?: number; gamma?: number; samples?: RegularizerSamples; expander?: readonly number[]; seed?: number };

const KEYS = {
  sigreg: ['kind', 'weight', 'seed', 'directions', 'knots', 'tMax', 'samples'],
  vicreg: ['kind', 'weight', 'varianceWeight', 'covarianceWeight', 'gamma', 'samples', 'expander', 'seed'],
} as const;

/** Checks a {@link RegularizerConfig}: known kind, known keys only, a finite weight ≥ 0. */
export function checkRegularizer(config: RegularizerConfig, argument = 'regularizer'): RegularizerConfig {
  if (config === null || typeof config !== 'object') fail(argument, "{ kind: 'sigreg' | 'vicreg', weight }", config);
  const keys = KEYS[config.kind as keyof typeof KEYS];
  if (keys === undefined) fail(`${argument}.kind`, "'sigreg' or 'vicreg'", config.kind);
  for (const key of Object.keys(config)) if (!(keys as readonly string[]).includes(key)) fail(`${argument}.${key}`, `one of the keys ${keys.join(', ')}`, key);
  if (!(Number.isFinite(config.weight) && config.weight >= 0)) fail(`${argument}.weight`, 'a finite number ≥ 0', config.weight);
  if (config.samples !== undefined && !REGULARIZER_SAMPLES.includes(config.samples)) fail(`${argument}.samples`, `one of ${REGULARIZER_SAMPLES.join(', ')}`, config.samples);
  if (config.kind === 'sigreg') {
    const directions = config.directions ?? 256;
    if (!Number.isInteger(directions) || directions < 1) fail(`${argument}.directions`, 'a positive integer', directions);
    eppsPulleyKnots(config.knots, config.tMax);
  }
  if (config.kind === 'vicreg' && config.expander !== undefined) checkExpanderWidths(config.expander, `${argument}.expander`);
  return config;
}

/**
 * The sets of samples a regulariser's statistics run over, from one generator's context tokens
 * `[B, K, D]` (see {@link RegularizerSamples}): `[1, B, D]` pooled, `[K, B, D]` by position, `[1, B·K, D]`
 * for token rows. Each of the S sets is regularised on its own and the values averaged.
 */
export function regularizerSampleSets(tokens: tf.Tensor3D, samples: RegularizerSamples = 'pooled'): tf.Tensor3D {
  const [b, k, d] = tokens.shape;
  return tf.tidy(() => {
    if (samples === 'pooled') return tf.expandDims(tf.mean(tokens, 1), 0) as tf.Tensor3D; // [1, B, D]
    if (samples === 'positions') return tf.transpose(tokens, [1, 0, 2]) as tf.Tensor3D; // [K, B, D]
    return tf.reshape(tokens, [1, b * k, d]) as tf.Tensor3D; // [1, B·K, D]
  });
}

/**
 * The regulariser's value on the context encoder's outputs, one `[B, K, D]` per mask generator, its
 * statistics over the samples `config.samples` names (default `pooled`, the clips' mean-pooled
 * embeddings), averaged over sample sets and generators — unweighted. SIGReg draws its directions for
 * step `step` from `RandomStream(seed).fork('sigreg/<step>')`: new each step, the same on a resumed run.
 * `expander` (required when `config.expander` is set, refused otherwise) maps each sample set before
 * the VICReg terms.
 */
export function regularizerValue(config: RegularizerConfig, contexts: readonly tf.Tensor3D[], step: number, expander?: Expander | null): tf.Scalar {
  const wantsExpander = config.kind === 'vicreg' && config.expander !== undefined;
  if (wantsExpander !== Boolean(expander)) fail('expander', wantsExpander ? 'the Expander of config.expander' : 'none (config.expander is not set)', expander ? 'an Expander' : 'none');
  return tf.tidy(() => {
    const d = contexts[0]?.shape[2] ?? 1;
    const m = config.kind === 'sigreg' ? (config.directions ?? 256) : 0;
    const directions = config.kind === 'sigreg' ? tf.tensor2d(randomUnitDirections(new RandomStream(config.seed ?? 0).fork(`sigreg/${step}`), d, m), [d, m]) : null; // [D, M]
    const values = contexts.map((tokens) => {
      const samples = config.samples ?? 'pooled';
      if (samples !== 'tokens' && tokens.shape[0] < 2) fail('batch', `at least 2 clips for a regulariser over samples ('${samples}'; 'tokens' takes one)`, tokens.shape[0]);
      const sampleSets = regularizerSampleSets(tokens, samples); // [S, n, D]
      const all = expander ? expander.apply(sampleSets) : sampleSets; // [S, n, D′]
      const [count, n, width] = all.shape;
      const sets = Array.from({ length: count }, (_, i) => tf.reshape(tf.slice(all, [i, 0, 0], [1, n, width]), [n, width]) as tf.Tensor2D); // S × [n, D′]
      const perSet = sets.map((rows) => {
        if (directions) return sigreg(rows, directions, config as SigRegOptions);
        const c = config as Extract<RegularizerConfig, { kind: 'vicreg' }>;
        const { variance, covariance } = vicregTerms(rows, { gamma: c.gamma });
        const published = PUBLISHED_REGULARIZER_WEIGHTS.vicreg;
        return tf.add(tf.mul(variance, c.varianceWeight ?? published.varianceWeight), tf.mul(covariance, c.covarianceWeight ?? published.covarianceWeight)) as tf.Scalar;
      });
      return tf.div(tf.addN(perSet), perSet.length) as tf.Scalar;
    });
    return tf.div(tf.addN(values), values.length) as tf.Scalar;
  });
}
