import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { fail, selectBackend, writeSafetensors, type BackendRequest } from '@vjepa/core';
import { ClipLoader, evalTransform, openClipSource, videoFileSource } from '@vjepa/data';
import { VisionTransformer } from '@vjepa/vit';
import { checkpointRunConfig, loadEncoderWeights, type InferOverrides } from '@vjepa/official';

/** Options of `vjepa embed`. */
export interface EmbedOptions {
  /** Video files, or one dataset spec (`synthetic:NAME`, a CSV, a folder). */
  inputs: string[];
  /** A `vjepa train` output folder or checkpoint directory, or an official pretraining `.pth.tar`. */
  checkpoint: string;
  /** With a `.pth*` checkpoint: what its tensors cannot say (heads of a custom width, frames). */
  inferred?: InferOverrides;
  /** Which encoder of the checkpoint (default `target`, as the official evaluation). */
  encoder?: 'target' | 'online';
  out: string;
  /** Embed at most this many clips (default: all). */
  limit?: number;
  /** Mean-pool the tokens: `[M, D]` instead of `[M, N, D]`. */
  pool?: boolean;
  batchSize?: number;
  backend?: BackendRequest;
  log?: (line: string) => void;
}

/**
 * `vjepa embed`: encodes videos with a trained encoder and writes `features` (`[M, N, D]`, or `[M, D]`
 * pooled) plus the clip names to a safetensors file. Clips are taken with the deterministic single-view
 * test transform (resize, centre crop) at the checkpoint's clip size.
 */
export async function runEmbed(options: EmbedOptions): Promise<{ count: number; shape: number[] }> {
  const log = options.log ?? console.log;
  const which = options.encoder ?? 'target';
  const config = checkpointRunConfig(options.checkpoint, which, options.inferred);
  if (!config) fail('--checkpoint', 'a vjepa train output folder, a checkpoint directory or a .pth.tar file', options.checkpoint);
  await selectBackend(options.backend ?? 'auto');
  const { data, model } = config;
  const single = options.inputs.length === 1 ? options.inputs[0] : undefined;
  const isSpec = single !== undefined && (single.startsWith('synthetic') || !/\.(mp4|avi|mkv|webm|mov)$/i.test(single));
  const source = isSpec
    ? await openClipSource(single, { synthetic: { seed: config.seed + 1, numFrames: data.frames }, framesPerClip: data.frames, frameStep: data.frameStep })
    : videoFileSource(options.inputs.map((path) => ({ path })), { framesPerClip: data.frames, frameStep: data.frameStep });
  const count = Math.min(source.size, options.limit ?? source.size);
  const batchSize = Math.min(options.batchSize ?? 8, count);
  const loader = new ClipLoader(source, { batchSize, transform: evalTransform({ cropSize: data.crop }), seed: 0, shuffle: false, dropLast: false });
  const encoder = new VisionTransformer(model.encoder);
  try {
    const key = which === 'target' ? 'target_encoder' : 'encoder';
    loadEncoderWeights(options.checkpoint, which, encoder);
    const chunks: Float32Array[] = [];
    const names: string[] = [];
    let shape: number[] = [];
    while (names.length < count) {
      const batch = await loader.next();
      const take = Math.min(batch.shape[0], count - names.length);
      const features = tf.tidy(() => {
        const video = tf.slice(tf.tensor5d(batch.data, batch.shape), 0, take) as tf.Tensor5D; // [B, T, H, W, C]
        const tokens = encoder.apply(video); // [B, N, D]
        return options.pool ? tf.mean(tokens, 1) : tokens; // [B, D] or [B, N, D]
      });
      shape = features.shape.slice(1);
      chunks.push(features.dataSync() as Float32Array);
      features.dispose();
      names.push(...batch.names.slice(0, take));
    }
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const all = new Float32Array(total);
    chunks.reduce((offset, c) => (all.set(c, offset), offset + c.length), 0);
    const outShape = [count, ...shape];
    await writeSafetensors(options.out, { features: { dtype: 'F32', shape: outShape, data: all } }, { names: JSON.stringify(names), encoder: key });
    log(`wrote features [${outShape}] of ${count} clips to ${resolve(options.out)}`);
    return { count, shape: outShape };
  } finally {
    loader.close();
    encoder.dispose();
  }
}
