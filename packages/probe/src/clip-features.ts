import * as tf from '@tensorflow/tfjs-core';
import { fail } from '@vjepa/core';
import type { FeatureEncoder } from './features';
import { concatSegments } from './views';

/** A batch of clips as a loader gives them (`@vjepa/data`'s `LoaderBatch` is one). */
export interface ClipBatch {
  /** `B·T·H·W·C` float32 values, row-major `[B, T, H, W, C]`. */
  data: Float32Array;
  /** `[B, T, H, W, C]`. */
  shape: [number, number, number, number, number];
  /** Per label name, one integer per clip. */
  labels: Record<string, ArrayLike<number>>;
  /** The name of each clip. */
  names: string[];
}

/**
 * A labelled clip set for probing, as `@vjepa/data`'s `openEvalClips` gives it: every clip under each
 * spatial view's transform and in each temporal segment, batch by batch, always in the same clip order.
 */
export interface LabelledClips {
  /** Spatial views (1: the single test crop). */
  readonly views: number;
  /** Temporal segments per clip (1: one clip per video). */
  readonly segments: number;
  /** A short description for messages (a file and its size, a synthetic set). */
  readonly description?: string;
  /** Clips per view and segment, when known (for progress). */
  readonly size?: number;
  /** The clips of one view and one segment, in order. */
  batches(view: number, segment: number): AsyncIterable<ClipBatch>;
}

/** The frozen features of a {@link LabelledClips}: one tensor per view and the labels by name. */
export interface ProbeFeatures {
  /** One `[M, S·N, D]` per view (the tokens of the S segments concatenated, see `concatSegments`). */
  features: tf.Tensor3D[];
  /** Per label name, one integer per clip. */
  labels: Record<string, Int32Array>;
}

/** Options of {@link encodeClipBatches}. */
export interface EncodeClipBatchesOptions {
  /** Stop after this many clips (default: every clip of the stream). */
  limit?: number;
  /** Mean-pool the tokens: `[M, D]` instead of `[M, N, D]`. */
  pool?: boolean;
  /** Called with each batch and how many of its clips are used, before it is encoded. */
  onBatch?: (batch: ClipBatch, take: number) => void;
}

/**
 * Runs a frozen encoder on a stream of clip batches, each batch inside `tf.tidy`, and gathers the
 * features on the host: `values` row-major `shape` = `[M, N, D]` (or `[M, D]` with `pool`).
 */
export async function encodeClipBatches(
  encoder: FeatureEncoder,
  batches: AsyncIterable<ClipBatch>,
  options: EncodeClipBatchesOptions = {},
): Promise<{ values: Float32Array; shape: number[] }> {
  const { limit = Infinity, pool = false, onBatch } = options;
  const chunks: Float32Array[] = [];
  let count = 0;
  let rest: number[] = [0, 0];
  for await (const batch of batches) {
    if (count >= limit) break;
    const take = Math.min(batch.shape[0], limit - count);
    onBatch?.(batch, take);
    const features = tf.tidy(() => {
      const clips = tf.tensor5d(batch.data, batch.shape); // [B, T, H, W, C]
      const video = take < batch.shape[0] ? (tf.slice(clips, 0, take) as tf.Tensor5D) : clips; // [b, T, H, W, C]
      const tokens = encoder.apply(video); // [b, N, D]
      return pool ? tf.mean(tokens, 1) : tokens; // [b, D] or [b, N, D]
    });
    rest = features.shape.slice(1);
    try {
      chunks.push((await features.data()) as Float32Array); // asynchronous: webgpu cannot be read synchronously in Node
    } finally {
      features.dispose();
    }
    count += take;
    if (count >= limit) break;
  }
  const values = new Float32Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  chunks.reduce((offset, chunk) => (values.set(chunk, offset), offset + chunk.length), 0);
  return { values, shape: [count, ...rest] };
}

/**
 * The frozen features of every clip of `clips`, per spatial view, the S segments of a clip concatenated
 * on the tokens (`[M, S·N, D]` per view), and the labels named by `labels` (an error names the labels the
 * clips have when one is missing). The tensors belong to the caller.
 *
 * @example
 * const train = await extractProbeFeatures(layerFeatures(encoder), trainClips, ['shape']); // features[0]: [M, N, D]
 */
export async function extractProbeFeatures(
  encoder: FeatureEncoder,
  clips: LabelledClips,
  labels: readonly string[],
  onProgress?: (done: number, total: number | undefined) => void,
): Promise<ProbeFeatures> {
  if (typeof encoder?.apply !== 'function') fail('encoder', 'an encoder with apply(video) → [B, N, D]', encoder);
  const total = clips.size === undefined ? undefined : clips.size * clips.views * clips.segments;
  let done = 0;
  const perView: tf.Tensor3D[] = [];
  let segments: tf.Tensor3D[] = [];
  let byName: Record<string, Int32Array> = {};
  try {
    for (let view = 0; view < clips.views; view++) {
      segments = [];
      for (let segment = 0; segment < clips.segments; segment++) {
        const values: Record<string, number[]> = Object.fromEntries(labels.map((name) => [name, []]));
        const encoded = await encodeClipBatches(encoder, clips.batches(view, segment), {
          onBatch: (batch) => {
            for (const name of labels) {
              const given = batch.labels[name];
              if (!given) fail('labels', `labels of ${clips.description ?? 'the data'}: ${Object.keys(batch.labels).join(', ')}`, name);
              values[name].push(...Array.from(given));
            }
            done += batch.shape[0];
            onProgress?.(done, total);
          },
        });
        segments.push(tf.tensor3d(encoded.values, encoded.shape as [number, number, number])); // [M, N, D]
        byName = Object.fromEntries(Object.entries(values).map(([name, list]) => [name, Int32Array.from(list)]));
      }
      perView.push(segments.length === 1 ? segments[0] : concatSegments(segments)); // [M, S·N, D]
      if (segments.length > 1) tf.dispose(segments);
    }
  } catch (error) {
    tf.dispose([...perView, ...segments]);
    throw error;
  }
  return { features: perView, labels: byName };
}
