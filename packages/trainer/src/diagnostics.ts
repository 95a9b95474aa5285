/**
 * What a run's features do, measured on one fixed batch during training: the prediction loss on the
 * tokens the labelled object covers against the background tokens (JEPAs learn what is predictable —
 * a loss that falls only on the background says the object is being ignored), the effective rank of the
 * target features, and how much the features at one position change over time (a static background
 * gives features that barely move).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail, gatherTokens, readNow, type MaskPair, type Reads, type VideoBatch } from '@vjepa/core';
import { collapseStatsReads, type CollapseStats } from './collapse';
import { pixelTargets, targetFeatures } from './loss';
import { maskTokenIndex, type VjepaModels } from './step';

/** A fixed batch to measure on, with its masks and (when known) the object's coverage per token. */
export interface DiagnosticBatch {
  /** Clips `[B, T, H, W, C]`, normalised as the training clips. Owned by the caller. */
  video: VideoBatch;
  /** One context/target pair per mask generator, fixed for the run so that figures compare over steps. */
  masks: readonly MaskPair[];
  /** Fraction of each token's pixels covered by the labelled object, `B·N` values in token order (optional). */
  objectCoverage?: Float32Array;
}

/** The figures of {@link featureDiagnostics}. */
export interface FeatureDiagnostics {
  /** Mean L1 prediction error on target tokens the object covers at least `objectThreshold` of. */
  objectLoss?: number;
  /** Mean L1 prediction error on target tokens the object does not touch. */
  backgroundLoss?: number;
  /** Target tokens counted as object / background, over the generators. */
  objectTokens?: number;
  backgroundTokens?: number;
  /** exp(entropy) of the normalised singular values of the target features, 1 … D. */
  effectiveRank: number;
  /** Mean over channels of the target features' std over batch and tokens. */
  featureStd: number;
  /** Mean over clips, positions and channels of the std over time steps at a fixed position. */
  temporalStd: number;
  /** `temporalStd / featureStd`: 0 when the features at a position never change. */
  temporalStdRatio: number;
}

/**
 * Fraction of each token's pixels an object mask `(T, H, W)` covers, in token order (time step, row,
 * column) for a tubelet depth `tubelet` and patch side `patch`: `T/tubelet · H/patch · W/patch` values.
 */
export function tokenCoverage(mask: Float32Array, frames: number, height: number, width: number, tubelet: number, patch: number): Float32Array {
  if (mask.length !== frames * height * width) fail('mask', `${frames}·${height}·${width} values`, mask.length);
  if (frames % tubelet || height % patch || width % patch) fail('tubelet, patch', `divisors of ${frames} and ${height}×${width}`, [tubelet, patch]);
  const [depth, rows, cols] = [frames / tubelet, height / patch, width / patch];
  const out = new Float32Array(depth * rows * cols);
  for (let t = 0; t < frames; t++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        out[(Math.floor(t / tubelet) * rows + Math.floor(y / patch)) * cols + Math.floor(x / patch)] += mask[(t * height + y) * width + x];
      }
    }
  }
  const volume = tubelet * patch * patch;
  for (let k = 0; k < out.length; k++) out[k] /= volume;
  return out;
}

/** Measures {@link FeatureDiagnostics} on `batch` without changing any weight (reads synchronously; on webgpu `await readAll(featureDiagnosticsReads(…))`). */
export function featureDiagnostics(models: VjepaModels, batch: DiagnosticBatch, options: FeatureDiagnosticsOptions = {}): FeatureDiagnostics {
  return readNow(featureDiagnosticsReads(models, batch, options));
}

/** Options of {@link featureDiagnostics}: the regression target (default `features`) and the object-token threshold (default 0.2). */
export interface FeatureDiagnosticsOptions {
  target?: 'features' | 'pixels';
  objectThreshold?: number;
}

/** {@link featureDiagnostics} as a computation that yields what it reads (run it with core's `readAll` on any backend). */
export function* featureDiagnosticsReads(models: VjepaModels, batch: DiagnosticBatch, options: FeatureDiagnosticsOptions = {}): Reads<FeatureDiagnostics> {
  const { encoder, predictor, targetEncoder } = models;
  const { tubelet, patch } = encoder.config;
  const [b, frames, height, width] = batch.video.shape;
  const depth = frames / tubelet;
  const positions = (height / patch) * (width / patch);
  const n = depth * positions;
  const threshold = options.objectThreshold ?? 0.2;
  if (batch.objectCoverage && batch.objectCoverage.length !== b * n) fail('objectCoverage', `${b}·${n} values (B·N)`, batch.objectCoverage.length);
  const features = targetFeatures(targetEncoder, batch.video); // [B, N, D]
  const split = { object: [0, 0], background: [0, 0] };
  let stats: CollapseStats;
  let temporal: number;
  try {
    stats = yield* collapseStatsReads(features);
    const temporalStd = tf.tidy(() => {
      const d = features.shape[2];
      const grid = tf.reshape(features, [b, depth, positions, d]); // [B, T', S, D]
      return tf.mean(tf.sqrt(tf.moments(grid, 1).variance)); // scalar
    });
    temporal = (yield temporalStd)[0];
    temporalStd.dispose();
    if (batch.objectCoverage) {
      const perToken = tf.tidy(() => {
        const full = options.target === 'pixels' ? pixelTargets(batch.video, tubelet, patch) : features; // [B, N, ·]
        const coverage = tf.tensor3d(batch.objectCoverage!, [b, n, 1]);
        return batch.masks.map((m, i) => {
          const prediction = predictor.apply(encoder.apply(batch.video, m.context), m.context, m.target, maskTokenIndex(predictor, i)); // [B, K, ·]
          return { error: tf.mean(tf.abs(tf.sub(prediction, gatherTokens(full, m.target))), 2), coverage: gatherTokens(coverage, m.target) }; // [B, K], [B, K, 1]
        });
      });
      try {
        for (const tokens of perToken) {
          const error = yield tokens.error;
          const coverage = yield tokens.coverage;
          for (let k = 0; k < error.length; k++) {
            const bucket = coverage[k] >= threshold ? split.object : coverage[k] === 0 ? split.background : null;
            if (bucket) [bucket[0], bucket[1]] = [bucket[0] + error[k], bucket[1] + 1];
          }
        }
      } finally {
        tf.dispose(perToken.flatMap((t) => [t.error, t.coverage]));
      }
    }
  } finally {
    features.dispose();
  }
  return {
    ...(batch.objectCoverage
      ? {
          objectLoss: split.object[1] ? split.object[0] / split.object[1] : undefined,
          backgroundLoss: split.background[1] ? split.background[0] / split.background[1] : undefined,
          objectTokens: split.object[1],
          backgroundTokens: split.background[1],
        }
      : {}),
    effectiveRank: stats.effectiveRank,
    featureStd: stats.featureStd,
    temporalStd: temporal,
    temporalStdRatio: stats.featureStd > 0 ? temporal / stats.featureStd : 0,
  };
}
