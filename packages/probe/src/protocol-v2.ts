import * as tf from '@tensorflow/tfjs-core';
import { fail, type IndexBatch, type VideoBatch } from '@vjepa/core';
import type { Probe } from './probe';
import { averageViewProbabilities } from './views';

/**
 * The evaluation protocol of a released V-JEPA 2 attentive probe (VJEPA2-SPEC §3): the clip geometry
 * its encoder reads, how many temporal segments and spatial views a video gives, and which blocks feed it.
 */
export interface Vjepa2ProbeProtocol {
  /** The encoder preset it was trained on (`@vjepa/vit`'s `VIT_V2_PRESETS`). */
  encoder: 'vitl' | 'vitg-384';
  /** Frame side in pixels. */
  resolution: number;
  /** Frames per clip and the step between them. */
  frames: number;
  frameStep: number;
  /** Temporal segments (their tokens concatenated) × spatial views (their softmax averaged). */
  segments: number;
  views: number;
  /** Blocks (0-based) whose normed outputs are concatenated on the token axis; null: the final output. */
  outLayers: readonly number[] | null;
  /** Classes of the head. */
  classes: number;
}

/** The released probes (file names without `.pt`), as their eval configs set them. */
export const VJEPA2_PROBE_PROTOCOLS = {
  'ssv2-vitl-16x2x3': { encoder: 'vitl', resolution: 256, frames: 16, frameStep: 4, segments: 2, views: 3, outLayers: null, classes: 174 },
  'ssv2-vitg-384-64x2x3': { encoder: 'vitg-384', resolution: 384, frames: 64, frameStep: 2, segments: 2, views: 3, outLayers: null, classes: 174 },
  'diving48-vitl-256': { encoder: 'vitl', resolution: 256, frames: 32, frameStep: 2, segments: 4, views: 3, outLayers: [17, 19, 21, 23], classes: 48 },
  'diving48-vitg-384-32x4x3': { encoder: 'vitg-384', resolution: 384, frames: 32, frameStep: 2, segments: 4, views: 3, outLayers: [24, 29, 34, 39], classes: 48 },
} as const satisfies Record<string, Vjepa2ProbeProtocol>;

/** What the protocol needs of an encoder: `VisionTransformerV2` of `@vjepa/vit` is one. */
export interface Vjepa2ClipEncoder {
  /** Clips `[B, T, H, W, C]` → final features `[B, N, D]`. */
  apply(video: VideoBatch): tf.Tensor3D;
  /** Clips → the normed output of each listed block, `[B, N, D]` each. */
  applyLayers(video: VideoBatch, outLayers: readonly number[]): tf.Tensor3D[];
}

/**
 * The probe input of one spatial view (the official `ClipAggregation`, `vit_encoder_multiclip_multilevel`):
 * each segment `[B, T, H, W, C]` encoded separately, the tokens of all segments concatenated on the token
 * axis; with `outLayers`, one such sequence per layer, layer after layer → `[B, L·S·N, D]`.
 */
export function clipAggregationFeatures(encoder: Vjepa2ClipEncoder, segments: readonly VideoBatch[], outLayers: readonly number[] | null = null): tf.Tensor3D {
  if (!Array.isArray(segments) || segments.length === 0) fail('segments', 'a non-empty list of [B, T, H, W, C] clips, one per temporal segment', segments);
  return tf.tidy(() => {
    const perSegment = segments.map((clip) => (outLayers ? encoder.applyLayers(clip, outLayers) : [encoder.apply(clip)])); // S × L × [B, N, D]
    const layers = perSegment[0].map((_, layer) => perSegment.map((outs) => outs[layer])); // L × S × [B, N, D]
    return tf.concat(layers.flat(), 1) as tf.Tensor3D; // [B, L·S·N, D]
  });
}

/**
 * The official V-JEPA 2 evaluation of clips: `views[v][s]` is spatial view v of temporal segment s
 * (`[B, T, H, W, C]` each, e.g. from `@vjepa/data`'s `sampleEvalClips` and `multiViewTransform`); each view's
 * segments are aggregated ({@link clipAggregationFeatures}), the probe gives its logits, and the prediction
 * is the mean over views of the softmax → probabilities `[B, C]`.
 *
 * @example
 * const protocol = VJEPA2_PROBE_PROTOCOLS['ssv2-vitl-16x2x3'];
 * const probabilities = classifyClipViews(encoder, probe, views, protocol.outLayers); // [B, 174]
 */
export function classifyClipViews(
  encoder: Vjepa2ClipEncoder,
  probe: Pick<Probe, 'apply'>,
  views: readonly (readonly VideoBatch[])[],
  outLayers: readonly number[] | null = null,
): tf.Tensor2D {
  if (!Array.isArray(views) || views.length === 0) fail('views', 'a non-empty list of views, each a list of segments', views);
  const segments = views[0].length;
  views.forEach((view, i) => {
    if (!Array.isArray(view) || view.length !== segments) fail(`views[${i}]`, `${segments} segments, as view 0`, Array.isArray(view) ? view.length : view);
  });
  return tf.tidy(() => averageViewProbabilities(views.map((view) => probe.apply(clipAggregationFeatures(encoder, view, outLayers)))));
}

/** What the EK-100 input needs of a predictor: `PredictorV2` of `@vjepa/predictor` is one. */
export interface Vjepa2FuturePredictor {
  apply(context: tf.Tensor3D, contextIndices: IndexBatch, targetIndices: IndexBatch, maskIndex?: number): tf.Tensor3D;
}

/** Options of {@link ek100ProbeInput}. */
export interface Ek100InputOptions {
  /** How far ahead the action is anticipated, in seconds (default 1). */
  anticipationSeconds?: number;
  /** Frame rate of the clip (default 8, the EK-100 protocol's). */
  fps?: number;
  /** Tubelet depth and patch side of the encoder (defaults 2 and 16). */
  tubelet?: number;
  patch?: number;
  /** Mask token of the predictor (default 1, the official direct call's). */
  maskIndex?: number;
}

/**
 * The probe input of the EK-100 anticipation protocol (`AnticipativeWrapper`, VJEPA2-SPEC §3): the encoder
 * tokens of the clip `[B, T, H, W, C]` (N of them, ids 0…N−1, all context), then the predictor's tokens for
 * the one tubelet slice `anticipationSeconds` after the clip's end — ids `N + g²·⌊s·fps/tubelet⌋ + [0, g²)`
 * with `g² = (H/patch)·(W/patch)` → `[B, N + g², D]`. The predictor must be built for enough frames
 * (the released one: 64) to hold those ids.
 */
export function ek100ProbeInput(
  encoder: Pick<Vjepa2ClipEncoder, 'apply'>,
  predictor: Vjepa2FuturePredictor,
  video: VideoBatch,
  options: Ek100InputOptions = {},
): tf.Tensor3D {
  const { anticipationSeconds = 1, fps = 8, tubelet = 2, patch = 16, maskIndex = 1 } = options;
  if (!(anticipationSeconds >= 0) || !(fps > 0)) fail('options', 'anticipationSeconds ≥ 0 and fps > 0', options);
  const [batch, , height, width] = video.shape;
  const perSlice = (height / patch) * (width / patch);
  return tf.tidy(() => {
    const tokens = encoder.apply(video); // [B, N, D]
    const n = tokens.shape[1];
    const first = n + perSlice * Math.floor((anticipationSeconds * fps) / tubelet);
    const rows = (length: number, start: number): IndexBatch => ({
      data: Int32Array.from({ length: batch * length }, (_, i) => start + (i % length)),
      shape: [batch, length],
    });
    const future = predictor.apply(tokens, rows(n, 0), rows(perSlice, first), maskIndex); // [B, g², D]
    return tf.concat([tokens, future], 1) as tf.Tensor3D; // [B, N + g², D]
  });
}
