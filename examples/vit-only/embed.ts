/**
 * The "install just the ViT" user: load encoder weights stored with the official key names
 * (`module.backbone.blocks.0.attn.qkv.weight`, …, as in a converted official checkpoint) and embed a clip.
 */
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, readSafetensors, selectBackend, writeSafetensors, type SafeTensorInput } from '@vjepa/core';
import { VisionTransformer, type VisionTransformerConfig } from '@vjepa/vit';

/** Writes an encoder's weights under official DDP key names, the layout of the official checkpoints. */
export async function writeOfficialStyleWeights(path: string, encoder: VisionTransformer): Promise<void> {
  const tensors: Record<string, SafeTensorInput> = {};
  for (const [key, variable] of encoder.stateDict()) {
    tensors[`module.backbone.${key}`] = { dtype: 'F32', shape: variable.shape, data: variable.dataSync() as Float32Array };
  }
  await writeSafetensors(path, tensors);
}

/** Loads `weightsFile` into an encoder of `config` and returns summary lines about the features of one clip. */
export async function embedClip(weightsFile: string, config: VisionTransformerConfig): Promise<string[]> {
  const lines: string[] = [];
  const choice = await selectBackend('auto');
  lines.push(`backend ${choice.backend}`);
  const encoder = new VisionTransformer(config);
  const { tensors } = await readSafetensors(weightsFile);
  const report = encoder.loadStateDict(tensors); // strips module. and backbone. like the official evaluator
  lines.push(`loaded ${report.loaded.length} tensors from ${weightsFile}`);
  const { frames, imageSize } = encoder.config;
  const rng = new RandomStream(7);
  const clip = tf.tensor5d(rng.uniform(frames * imageSize * imageSize * 3, -2, 2), [1, frames, imageSize, imageSize, 3]);
  const features = encoder.apply(clip); // [1, N, D]
  const pooled = tf.tidy(() => tf.mean(features, 1)); // [1, D]
  const values = pooled.dataSync();
  lines.push(`features [${features.shape}] (tokens ${encoder.grid.depth}×${encoder.grid.height}×${encoder.grid.width})`);
  lines.push(`mean-pooled feature, first 4 of ${values.length}: ${Array.from(values.slice(0, 4), (v) => v.toFixed(4)).join(', ')}`);
  tf.dispose([clip, features, pooled]);
  encoder.dispose();
  return lines;
}
