import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, optionKeys, fail, type VideoBatch } from '@vjepa/core';
import { checkInteger } from './checks';
import { readFeatureCache, writeFeatureCache } from '#feature-cache';

/** Any frozen encoder: clips `[B, T, H, W, C]` → features `[B, N, D]`. `VisionTransformer` is one. */
export interface FeatureEncoder {
  apply(video: VideoBatch): tf.Tensor3D;
}

/** Options of {@link extractFeatures}. */
export interface ExtractFeaturesOptions {
  /** Clips per encoder call (default 8): bounds the memory of one forward pass. */
  batchSize?: number;
  /**
   * A safetensors file caching the features. When it exists and holds features under `cacheKey`, they
   * are read and the encoder is not run; otherwise they are computed and the file is (over)written.
   */
  cacheFile?: string;
  /** Required with `cacheFile`: a string naming the encoder and the clips (e.g. checkpoint + split + segment). */
  cacheKey?: string;
  /** Called after each encoder batch with the clips done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** The clips as a list of rank-5 tensors, checked. */
function clipBatches(clips: VideoBatch | readonly VideoBatch[]): VideoBatch[] {
  const list: VideoBatch[] | undefined = clips instanceof tf.Tensor ? [clips] : Array.isArray(clips) ? [...(clips as VideoBatch[])] : undefined;
  if (list === undefined || list.length === 0) fail('clips', 'a [M, T, H, W, C] tensor or a non-empty list of them', clips);
  list.forEach((batch, i) => {
    const name = clips instanceof tf.Tensor ? 'clips' : `clips[${i}]`;
    if (!(batch instanceof tf.Tensor) || batch.isDisposed || batch.rank !== 5) fail(name, 'a live [B, T, H, W, C] tensor', batch?.shape ?? batch);
    const [, ...rest] = batch.shape;
    const [, ...first] = list[0].shape;
    if (rest.some((d, k) => d !== first[k])) fail(name, `clips of shape [B, ${first}] like the first`, batch.shape);
  });
  return list;
}

/**
 * Encodes clips with a frozen encoder, batch by batch, and returns the features of all clips
 * `[M, N, D]` (a new tensor, owned by the caller). Nothing is differentiated: every batch runs in a
 * `tf.tidy`, its features are copied to the host and the result is rebuilt from there, so it carries no
 * link to the encoder's variables. With `cacheFile` and `cacheKey` the features are stored as
 * safetensors and read back on the next call with the same key, without running the encoder.
 *
 * Features of all clips are held in memory (M·N·D float32): extract per split, and per segment or view
 * when clips are long (see `concatSegments`).
 *
 * @param encoder - the frozen encoder (e.g. a `VisionTransformer` loaded from `target_encoder`).
 * @param clips - `[M, T, H, W, C]` clips, or a list of such batches (the same T, H, W, C).
 * @param options - batch size and the optional cache.
 * @example
 * const features = await extractFeatures(encoder, clips, { batchSize: 4, cacheFile: 'train.safetensors', cacheKey: 'vit-tiny@ep300/train' });
 */
export async function extractFeatures(
  encoder: FeatureEncoder,
  clips: VideoBatch | readonly VideoBatch[],
  options: ExtractFeaturesOptions = {},
): Promise<tf.Tensor3D> {
  checkKeys('options', options, optionKeys<ExtractFeaturesOptions>({ batchSize: true, cacheFile: true, cacheKey: true, onProgress: true }));
  const { batchSize = 8, cacheFile, cacheKey, onProgress } = options;
  if (typeof encoder?.apply !== 'function') fail('encoder', 'an encoder with apply(video) → [B, N, D]', encoder);
  checkInteger('batchSize', batchSize, 1);
  if (cacheFile !== undefined && (typeof cacheKey !== 'string' || cacheKey.length === 0)) {
    fail('cacheKey', 'a non-empty string naming the encoder and the clips whenever cacheFile is given', cacheKey);
  }
  const batches = clipBatches(clips);
  const total = batches.reduce((sum, batch) => sum + batch.shape[0], 0);
  if (cacheFile !== undefined) {
    const cached = await readFeatureCache(cacheFile, cacheKey!, total);
    if (cached !== undefined) return cached;
  }
  let host: Float32Array | undefined;
  let tokens = 0;
  let width = 0;
  let done = 0;
  for (const batch of batches) {
    for (let start = 0; start < batch.shape[0]; start += batchSize) {
      const size = Math.min(batchSize, batch.shape[0] - start);
      const output = tf.tidy(() => {
        const video = tf.slice(batch, [start, 0, 0, 0, 0], [size, -1, -1, -1, -1]) as VideoBatch; // [b, T, H, W, C]
        const features = encoder.apply(video); // [b, N, D]
        if (features.rank !== 3 || features.shape[0] !== size) fail('encoder output', `[${size}, N, D] features`, features.shape);
        if (host === undefined) [, tokens, width] = features.shape;
        else if (features.shape[1] !== tokens || features.shape[2] !== width) {
          fail('encoder output', `[${size}, ${tokens}, ${width}] like the first batch`, features.shape);
        }
        return features;
      });
      let values: Float32Array;
      try {
        values = (await output.data()) as Float32Array; // asynchronous: webgpu cannot be read synchronously in Node
      } finally {
        output.dispose();
      }
      host ??= new Float32Array(total * tokens * width);
      host.set(values, done * tokens * width);
      done += size;
      onProgress?.(done, total);
    }
  }
  const shape: [number, number, number] = [total, tokens, width];
  if (cacheFile !== undefined) await writeFeatureCache(cacheFile, cacheKey!, host!, shape);
  return tf.tensor3d(host!, shape); // [M, N, D]
}
