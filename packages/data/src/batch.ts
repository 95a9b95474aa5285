/**
 * Turning a host batch into the tensor the model takes.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail, type BatchSource, type VideoBatch } from '@vjepa/core';
import type { ClipLoader } from './loader';
import type { ClipLoaderState, LoaderBatch } from './loader-types';

/**
 * The batch as a `[B, T, H, W, C]` float32 tensor (a {@link VideoBatch}); the caller owns (and disposes) it.
 *
 * @example
 * ```ts
 * const video = toVideoBatch(await loader.next());
 * // … use it …
 * video.dispose();
 * ```
 */
export function toVideoBatch(batch: Pick<LoaderBatch, 'data' | 'shape'>): VideoBatch {
  const { data, shape } = batch;
  if (!Array.isArray(shape) || shape.length !== 5 || !shape.every((size) => Number.isSafeInteger(size) && size > 0)) {
    fail('batch.shape', '[B, T, H, W, C] of positive integers', shape);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (!(data instanceof Float32Array) || data.length !== count) fail('batch.data', `a Float32Array of ${count} values`, data);
  return tf.tensor5d(data, shape, 'float32');
}

/**
 * A {@link ClipLoader} as the trainer's `BatchSource` (from `@vjepa/core`): each batch arrives as a
 * `[B, T, H, W, C]` tensor with its labels, and the loader's state is the source's state, so a resumed
 * run reads the same batches.
 */
export function loaderBatchSource(loader: Pick<ClipLoader, 'next' | 'getState' | 'setState'>): BatchSource {
  return {
    async next() {
      const batch = await loader.next();
      return { video: toVideoBatch(batch), labels: batch.labels };
    },
    getState: () => loader.getState(),
    setState: (state) => loader.setState(state as ClipLoaderState),
  };
}
