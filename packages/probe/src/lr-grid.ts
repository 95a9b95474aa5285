/**
 * Choosing a probe's learning rate fairly: every encoder gets the same small grid, scored on a held-out
 * part of its *training* clips, so the validation clips never influence a setting.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, fail, readNow, type Reads } from '@vjepa/core';
import { checkLabels } from './checks';
import { evaluateProbeReads } from './evaluate';
import type { Probe } from './probe';
import { trainProbeReads, type TrainProbeOptions } from './train';
import { FeatureWhitening, type WhiteningKind } from './whiten';

/** Options of {@link chooseLearningRate}. */
export interface LearningRateGridOptions extends Omit<TrainProbeOptions, 'probe' | 'features' | 'lr'> {
  /** A fresh, untrained probe per call (the same architecture and seed every time). */
  makeProbe: () => Probe;
  /** The training features `[M, N, D]` (one view) — never the validation ones. */
  features: tf.Tensor3D;
  /** Learning rates to try (e.g. `[1e-3, 3e-3, 1e-2]`). */
  grid: readonly number[];
  /** Share of the training clips held out to score each rate (default 0.2), drawn with `seed`. */
  holdoutFraction?: number;
  /** Whitening fitted on the fitting part only, as the final probe will be on all training clips (default `none`). */
  whiten?: WhiteningKind;
  /** `pca` only: principal axes kept by the whitening (default all), as the final probe's. */
  components?: number;
}

/** What {@link chooseLearningRate} found. */
export interface LearningRateChoice {
  /** The rate with the best held-out top-1 (the smallest on ties). */
  lr: number;
  /** Held-out top-1 per rate, in grid order. */
  scores: { lr: number; top1: number }[];
  /** Clips used to fit and to score. */
  fit: number;
  holdout: number;
}

/**
 * Trains one probe per learning rate on a seeded `1 − holdoutFraction` of the training clips and scores
 * it on the rest; returns the best rate. The caller then trains the final probe on all training clips
 * with it. Every probe made is disposed.
 */
export function chooseLearningRate(options: LearningRateGridOptions): LearningRateChoice {
  return readNow(chooseLearningRateReads(options));
}

/** {@link chooseLearningRate} as a computation that yields what it reads (run it with core's `readAll` on any backend, webgpu included). */
export function* chooseLearningRateReads(options: LearningRateGridOptions): Reads<LearningRateChoice> {
  const { makeProbe, features, grid, holdoutFraction = 0.2, whiten = 'none', components, ...training } = options;
  if (!Array.isArray(grid) || grid.length === 0 || !grid.every((lr) => Number.isFinite(lr) && lr > 0)) fail('grid', 'a non-empty list of positive learning rates', grid);
  if (!(holdoutFraction > 0 && holdoutFraction < 1)) fail('holdoutFraction', 'a number in (0, 1)', holdoutFraction);
  const count = features.shape[0];
  const labels = checkLabels(options.labels, count, Number.MAX_SAFE_INTEGER);
  const holdout = Math.round(count * holdoutFraction);
  if (holdout < 1 || holdout >= count) fail('holdoutFraction', `a share leaving clips on both sides of ${count}`, holdoutFraction);
  const order = Array.from({ length: count }, (_, k) => k);
  const rng = new RandomStream(options.seed ?? 0).fork('lr-grid');
  for (let k = count - 1; k > 0; k--) {
    const j = rng.nextInt(0, k);
    [order[k], order[j]] = [order[j], order[k]];
  }
  const heldIndices = order.slice(0, holdout).sort((a, b) => a - b);
  const fitIndices = order.slice(holdout).sort((a, b) => a - b);
  const fitRaw = tf.gather(features, fitIndices) as tf.Tensor3D;
  const heldRaw = tf.gather(features, heldIndices) as tf.Tensor3D;
  let whitening: FeatureWhitening;
  try {
    whitening = yield* FeatureWhitening.fitReads(fitRaw, whiten, components === undefined ? {} : { components });
  } catch (error) {
    tf.dispose([fitRaw, heldRaw]);
    throw error;
  }
  const fitFeatures = whitening.apply(fitRaw);
  const heldFeatures = whitening.apply(heldRaw);
  const fitLabels = Int32Array.from(fitIndices, (k) => labels[k]);
  const heldLabels = Int32Array.from(heldIndices, (k) => labels[k]);
  const scores: { lr: number; top1: number }[] = [];
  try {
    for (const lr of grid) {
      const probe = makeProbe();
      try {
        yield* trainProbeReads({ ...training, probe, features: fitFeatures, labels: fitLabels, lr });
        scores.push({ lr, top1: (yield* evaluateProbeReads(probe, heldFeatures, heldLabels)).top1 });
      } finally {
        probe.dispose();
      }
    }
  } finally {
    tf.dispose([fitRaw, heldRaw, fitFeatures, heldFeatures]);
    whitening.dispose();
  }
  const best = scores.reduce((a, b) => (b.top1 > a.top1 || (b.top1 === a.top1 && b.lr < a.lr) ? b : a));
  return { lr: best.lr, scores, fit: fitIndices.length, holdout };
}
