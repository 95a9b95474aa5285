/**
 * Feature whitening before a probe: frozen features can be extremely anisotropic (a few directions
 * carrying most of the variance), and a probe that normalises each token with a LayerNorm then never
 * finds the small directions. Fitted on the training clips only, stored as state beside the probe's
 * weights, and applied unchanged to validation and later inputs.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, fail, readNow, type Reads } from '@vjepa/core';
import { checkFeatureViews } from './checks';
import { leadingEigen, symmetricEigen } from '@vjepa/core';
import type { Probe } from './probe';
import { trainProbeReads, type TrainProbeOptions, type TrainProbeResult } from './train';

/** The transforms: `pca` (rotate to the principal axes and scale each to unit variance), `std` (per channel), `none`. */
export type WhiteningKind = 'pca' | 'std' | 'none';

/** The whitening kinds, for validation and help texts. */
export const WHITENING_KINDS: readonly WhiteningKind[] = ['pca', 'std', 'none'];

/** Options of {@link FeatureWhitening.fit}. */
export interface FitWhiteningOptions {
  /**
   * Regulariser added to every eigenvalue (or variance) before the inverse square root, relative to the
   * mean variance trace/D (default 1e-5): directions with less variance than that are not blown up.
   */
  epsilon?: number;
  /**
   * `pca` only: keep the K leading principal axes (default all D), so the probe reads `[B, N, K]`. Needed for
   * wide raw features (1,536 tubelet pixels), whose full eigen-decomposition is too slow: above 512
   * channels the axes are found by `leadingEigen` (subspace iteration), below by the exact solver.
   */
  components?: number;
}

/**
 * `y = (x − mean) · matrix` on the last axis of features `[B, N, D]`. State keys `whiten.mean` `[D]`
 * and `whiten.matrix` `[D, K]` (fixed buffers, never trained; K = D unless fitted with `components`), so the transform is saved and loaded with
 * the probe it feeds. `pca`: `matrix = V · diag(1/√(λ + ε))` from the eigen-decomposition `V Λ Vᵀ` of the
 * population covariance of all training tokens (eigenvalues descending, each eigenvector's largest
 * component positive); `std`: `diag(1/√(σ² + ε))`; `none`: identity.
 *
 * @example
 * const whitening = FeatureWhitening.fit(trainFeatures, 'pca'); // [M, N, D] of the training clips only
 * const probe = new WhitenedProbe(new AttentiveProbe({ dim, heads, classes }), whitening);
 * trainProbe({ probe: probe.inner, features: whitening.apply(trainFeatures), labels });
 * evaluateProbe(probe, valFeatures, valLabels); // the stored transform, re-applied
 */
export class FeatureWhitening extends Module {
  readonly mean: tf.Variable;
  readonly matrix: tf.Variable;

  /**
   * An identity-shaped transform from width `dim` to `outDim` (default `dim`; load a saved one with
   * `loadStateDict`), or the given tensors' values.
   */
  constructor(
    readonly dim: number,
    readonly kind: WhiteningKind,
    values?: { mean: Float32Array; matrix: Float32Array },
    readonly outDim: number = dim,
  ) {
    super();
    if (!Number.isInteger(dim) || dim < 1) fail('dim', 'a positive integer', dim);
    if (!WHITENING_KINDS.includes(kind)) fail('kind', WHITENING_KINDS.join(', '), kind);
    if (!Number.isInteger(outDim) || outDim < 1 || outDim > dim || (outDim < dim && kind !== 'pca')) {
      fail('outDim', kind === 'pca' ? `an integer in [1, ${dim}]` : `${dim} (only pca keeps fewer axes)`, outDim);
    }
    if (values && (values.mean.length !== dim || values.matrix.length !== dim * outDim)) {
      fail('values', `mean of ${dim} and matrix of ${dim * outDim} values`, [values.mean.length, values.matrix.length]);
    }
    this.mean = this.addState('mean', values ? tf.tensor1d(values.mean) : tf.zeros([dim]), false);
    this.matrix = this.addState('matrix', values ? tf.tensor2d(values.matrix, [dim, outDim]) : tf.eye(dim, outDim), false);
  }

  /**
   * Fits a transform on training features `[M, N, D]` (every token of every clip is one sample). Pass the
   * training clips only: nothing else is read, so validation data cannot leak into the fit.
   */
  static fit(features: tf.Tensor3D, kind: WhiteningKind, options: FitWhiteningOptions = {}): FeatureWhitening {
    return readNow(FeatureWhitening.fitReads(features, kind, options));
  }

  /** {@link fit} as a computation that yields what it reads (run it with core's `readAll` on any backend, webgpu included). */
  static *fitReads(features: tf.Tensor3D, kind: WhiteningKind, options: FitWhiteningOptions = {}): Reads<FeatureWhitening> {
    if (!WHITENING_KINDS.includes(kind)) fail('kind', WHITENING_KINDS.join(', '), kind);
    const epsilon = options.epsilon ?? 1e-5;
    if (!(Number.isFinite(epsilon) && epsilon >= 0)) fail('epsilon', 'a finite number ≥ 0', epsilon);
    if (!(features instanceof tf.Tensor) || features.rank !== 3) fail('features', 'a [M, N, D] tensor', (features as tf.Tensor)?.shape);
    const [m, n, dim] = features.shape;
    const components = options.components ?? dim;
    if (options.components !== undefined && kind !== 'pca') fail('components', 'no value unless kind is pca', options.components);
    if (!Number.isInteger(components) || components < 1 || components > dim) fail('components', `an integer in [1, ${dim}] (the feature width)`, options.components);
    if (kind === 'none') return new FeatureWhitening(dim, 'none');
    const { mean, covariance } = tf.tidy(() => {
      const rows = tf.reshape(features, [m * n, dim]); // [M·N, D]
      const mu = tf.mean(rows, 0); // [D]
      const centred = tf.sub(rows, mu); // [M·N, D]
      return { mean: tf.keep(mu), covariance: tf.keep(tf.div(tf.matMul(centred, centred, true, false), m * n)) }; // [D, D]
    });
    let meanValues: Float32Array;
    let cov: Float64Array;
    try {
      meanValues = Float32Array.from(yield mean);
      cov = Float64Array.from(yield covariance);
    } finally {
      tf.dispose([mean, covariance]);
    }
    let trace = 0;
    for (let i = 0; i < dim; i++) trace += cov[i * dim + i];
    const floor = (epsilon * trace) / dim;
    if (kind === 'std') {
      const matrix = new Float32Array(dim * dim);
      for (let i = 0; i < dim; i++) matrix[i * dim + i] = 1 / Math.sqrt(Math.max(cov[i * dim + i], 0) + floor || 1);
      return new FeatureWhitening(dim, kind, { mean: meanValues, matrix });
    }
    // exact up to 512 channels, then the leading subspace only (a 1,536-wide Jacobi solve takes minutes)
    const width = dim <= 512 ? dim : components; // columns of `vectors`
    const { values, vectors } = dim <= 512 ? symmetricEigen(cov, dim) : leadingEigen(cov, dim, components);
    const pcaMatrix = new Float32Array(dim * components);
    for (let k = 0; k < components; k++) {
      const scale = 1 / Math.sqrt(Math.max(values[k], 0) + floor || 1);
      for (let i = 0; i < dim; i++) pcaMatrix[i * components + k] = vectors[i * width + k] * scale;
    }
    return new FeatureWhitening(dim, kind, { mean: meanValues, matrix: pcaMatrix }, components);
  }

  /** Features `[B, N, D]` → whitened `[B, N, K]` (K = `outDim`). */
  apply(features: tf.Tensor3D): tf.Tensor3D {
    checkFeatureViews('features', features, this.dim);
    if (this.kind === 'none') return tf.clone(features);
    return tf.tidy(() => {
      const [b, n, d] = features.shape;
      const rows = tf.sub(tf.reshape(features, [b * n, d]), this.mean); // [B·N, D]
      return tf.reshape(tf.matMul(rows, this.matrix), [b, n, this.outDim]) as tf.Tensor3D; // [B, N, K]
    });
  }
}

/**
 * A probe behind a whitening transform: `apply(x) = inner.apply(whitening.apply(x))`. Its state is the
 * inner probe's keys (unchanged, so official probe keys stay official) plus `whiten.mean` and
 * `whiten.matrix`; only the inner probe's parameters are trainable. Owns both: `dispose()` frees them.
 */
export class WhitenedProbe extends Module implements Probe {
  constructor(
    readonly inner: Probe,
    readonly whitening: FeatureWhitening,
  ) {
    super();
    if (whitening.outDim !== inner.config.dim) fail('whitening', `a transform to the probe's width ${inner.config.dim}`, whitening.outDim);
    this.addModule('', inner);
    this.addModule('whiten', whitening);
  }

  /** The inner probe's config, with `dim` the width it is fed raw (the transform's input, K → D when truncated). */
  get config() {
    return { ...this.inner.config, dim: this.whitening.dim };
  }

  /** Raw frozen features `[B, N, D]` → logits `[B, C]`. */
  apply(features: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => this.inner.apply(this.whitening.apply(features)));
  }
}

/**
 * Fits `whiten` on the training features, trains `options.probe` on the whitened training features and
 * returns it behind the transform, ready for `evaluateProbe` on raw validation features. Only the
 * training features are passed in, so validation data cannot enter the fit. `options.features` must be
 * one `[M, N, D]` tensor (a single view); it is not disposed.
 */
export function trainWhitenedProbe(options: TrainWhitenedProbeOptions): { probe: WhitenedProbe; result: TrainProbeResult } {
  return readNow(trainWhitenedProbeReads(options));
}

/** The options of {@link trainWhitenedProbe}: `trainProbe`'s, the whitening kind, its epsilon and (pca) the axes kept. */
export type TrainWhitenedProbeOptions = TrainProbeOptions & { whiten: WhiteningKind; epsilon?: number; components?: number };

/** {@link trainWhitenedProbe} as a computation that yields what it reads (run it with core's `readAll` on any backend, webgpu included). */
export function* trainWhitenedProbeReads(options: TrainWhitenedProbeOptions): Reads<{ probe: WhitenedProbe; result: TrainProbeResult }> {
  const { whiten, epsilon, components, ...training } = options;
  if (!(training.features instanceof tf.Tensor)) fail('features', 'one [M, N, D] tensor (a single view)', 'several views');
  const features = training.features as tf.Tensor3D;
  const whitening = yield* FeatureWhitening.fitReads(features, whiten, { epsilon, ...(components === undefined ? {} : { components }) });
  const whitened = whitening.apply(features);
  try {
    const result = yield* trainProbeReads({ ...training, features: whitened });
    return { probe: new WhitenedProbe(training.probe, whitening), result };
  } catch (error) {
    whitening.dispose();
    throw error;
  } finally {
    whitened.dispose();
  }
}
