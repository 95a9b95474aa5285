import * as tf from '@tensorflow/tfjs-core';
import { fail, type VideoBatch } from '@vjepa/core';
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
