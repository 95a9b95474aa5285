import * as tf from '@tensorflow/tfjs-core';
import { IMAGENET_MEAN, IMAGENET_STD, renderSyntheticItem, syntheticVariant } from '@vjepa/data';
import { MaskCollator } from '@vjepa/masking';
import { tokenCoverage, type DiagnosticBatch } from './diagnostics';
import type { RunConfig } from './run-config';

/** Seed offset of the diagnostic clips: never the training stream's content. */
const DIAGNOSTIC_SEED = 9973;

/**
 * The fixed batch `vjepa train` measures its diagnostics on (object vs background loss, effective rank,
 * temporal std): `count` clips of the run's synthetic set rendered at the run's clip size with their
 * object masks (Moving MNIST: validation digits), ImageNet-normalised, with masks of the run's generators.
 * Null for video files (no object masks) — the loop then logs no diagnostics.
 */
export function syntheticDiagnosticBatch(config: RunConfig, count = 8): DiagnosticBatch | null {
  const { spec, frames, crop } = config.data;
  if (spec !== 'synthetic' && !spec.startsWith('synthetic:')) return null;
  const variant = syntheticVariant(spec, { numFrames: frames, height: crop, width: crop });
  const { tubelet, patch } = config.model.encoder;
  const pixels = frames * crop * crop;
  const video = new Float32Array(count * pixels * 3);
  const tokens = (frames / tubelet) * (crop / patch) ** 2;
  const objectCoverage = new Float32Array(count * tokens);
  for (let k = 0; k < count; k++) {
    const item = renderSyntheticItem(variant, config.seed + DIAGNOSTIC_SEED, k, { mask: true, split: 'val' });
    for (let p = 0; p < pixels * 3; p++) {
      const c = p % 3;
      video[k * pixels * 3 + p] = (item.frames[p] / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
    }
    objectCoverage.set(tokenCoverage(item.mask!, frames, crop, crop, tubelet, patch), k * tokens);
  }
  const masks = new MaskCollator({ grid: { frames, crop, patch, tubelet }, generators: config.mask, seed: config.seed + 1 }).sample(count);
  return { video: tf.tensor5d(video, [count, frames, crop, crop, 3]), masks, objectCoverage };
}
