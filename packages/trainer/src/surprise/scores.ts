/**
 * Surprise: how badly the predictor foresees what comes next. For each tubelet step s ≥ 1 of a clip the
 * context is the tokens of the steps before s (all of them, or the last `contextSteps`), the targets are
 * step s's tokens, and the surprise is the predictor's L1 error in the target encoder's space (target
 * encoder, then a LayerNorm without affine, as in training) — or, for a `--target pixels` run, in the
 * normalised-pixel space it was trained in.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, fail, gatherTokens, layerNorm, optionKeys, type IndexBatch, type VideoBatch } from '@vjepa/core';
import { pixelTargets, targetFeatures } from '../loss';
import { maskTokenIndex, type VjepaModels } from '../step';

/** The networks surprise needs: the context encoder, the predictor and (for feature targets) the target encoder. */
export interface SurpriseModels {
  encoder: VjepaModels['encoder'];
  predictor: VjepaModels['predictor'];
  targetEncoder: VjepaModels['targetEncoder'];
}

/** Options of {@link surpriseScores}. */
export interface SurpriseOptions {
  /** What the predictor regresses, as the run was trained: `features` (default) or `pixels`. */
  target?: 'features' | 'pixels';
  /**
   * What the target encoder sees for step s: `causal` (default: the tokens of the context window and step s, so nothing after
   * step s changes its score, and twins score the same before their event) or `full` (the whole clip, as
   * in training).
   */
  targetView?: 'causal' | 'full';
  /** Context steps before s (default: all of them, 0 … s − 1); a window slides when set. */
  contextSteps?: number;
}

/** One clip's surprise. */
export interface ClipSurprise {
  /** Surprise at tubelet steps 1 … S − 1 (entry k is step k + 1, frames `(k + 1)·t … (k + 2)·t − 1`). */
  steps: number[];
  /** The largest step surprise. */
  max: number;
  /** The mean step surprise. */
  mean: number;
}

/** `[B, K]` indices of the tokens of tubelet steps `from … to − 1` (tokens are ordered step-major). */
export function stepTokenIndices(batch: number, perStep: number, from: number, to: number): IndexBatch {
  const k = (to - from) * perStep;
  const data = new Int32Array(batch * k);
  for (let b = 0; b < batch; b++) for (let j = 0; j < k; j++) data[b * k + j] = from * perStep + j;
  return { data, shape: [batch, k] };
}

/** Max and mean of per-step scores. */
export function clipSurprise(steps: number[]): ClipSurprise {
  if (steps.length === 0) fail('steps', 'at least one step score', steps);
  return { steps, max: Math.max(...steps), mean: steps.reduce((a, b) => a + b, 0) / steps.length };
}

/**
 * The surprise of every clip of `video` `[B, T, H, W, C]` (normalised as for training) at every tubelet
 * step after the first. Builds no gradient; leaves no tensor behind.
 *
 * @example
 * const [clip] = surpriseScores(models, video, { target: config.target }); // clip.steps, clip.max, clip.mean
 */
export function surpriseScores(models: SurpriseModels, video: VideoBatch, options: SurpriseOptions = {}): ClipSurprise[] {
  checkKeys('options', options, optionKeys<SurpriseOptions>({ target: true, targetView: true, contextSteps: true }));
  const { target = 'features', targetView = 'causal' } = options;
  if (target !== 'features' && target !== 'pixels') fail('options.target', "'features' or 'pixels'", target);
  if (targetView !== 'causal' && targetView !== 'full') fail('options.targetView', "'causal' or 'full'", targetView);
  const { encoder, predictor, targetEncoder } = models;
  encoder.patchEmbed.checkInput(video.shape);
  const c = encoder.config;
  const [batch, frames, height] = video.shape;
  const width = video.shape[3];
  const steps = frames / c.tubelet;
  const perStep = (height / c.patch) * (width / c.patch);
  if (steps < 2) fail('video', `at least two tubelet steps (${2 * c.tubelet} frames)`, video.shape);
  const window = options.contextSteps ?? steps - 1;
  if (!Number.isSafeInteger(window) || window < 1) fail('options.contextSteps', 'a positive integer', options.contextSteps);
  const scores: number[][] = Array.from({ length: batch }, () => []);
  tf.tidy(() => {
    const full =
      target === 'pixels'
        ? pixelTargets(video, c.tubelet, c.patch) // [B, N, t·p·p·C]
        : targetView === 'full'
          ? targetFeatures(targetEncoder, video) // [B, N, D]
          : null;
    for (let s = 1; s < steps; s++) {
      const from = Math.max(0, s - window);
      const context = stepTokenIndices(batch, perStep, from, s);
      const goal = stepTokenIndices(batch, perStep, s, s + 1);
      const error = tf.tidy(() => {
        const features = encoder.apply(video, context); // [B, K_ctx, D]
        const predicted = predictor.apply(features, context, goal, maskTokenIndex(predictor, 0)); // [B, P, D]
        const wanted =
          full !== null
            ? gatherTokens(full, goal) // [B, P, D]
            : (tf.slice(layerNorm(targetEncoder.apply(video, stepTokenIndices(batch, perStep, from, s + 1)), 1e-5), [0, (s - from) * perStep, 0], [-1, perStep, -1]) as tf.Tensor3D); // [B, P, D]
        return tf.mean(tf.abs(tf.sub(predicted, wanted)), [1, 2]); // [B]
      });
      const values = error.dataSync();
      for (let b = 0; b < batch; b++) scores[b].push(values[b]);
    }
  });
  return scores.map(clipSurprise);
}
