import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { fail, readSafetensors, writeSafetensors } from '@vjepa/core';

/** The tensor name of the features inside a cache file. */
export const FEATURE_CACHE_TENSOR = 'features';
/** The `__metadata__` entry that records the format of a cache file. */
export const FEATURE_CACHE_FORMAT = 'vjepa-probe-features/1';

/**
 * Reads cached features `[M, N, D]` from a safetensors file written by {@link writeFeatureCache}.
 * Returns `undefined` when the file does not exist or was written under another `cacheKey` (a stale
 * cache, which the caller recomputes and overwrites).
 *
 * @param file - the cache file.
 * @param cacheKey - the key the caller gave when writing (it should name the encoder and the clips).
 * @param clipCount - the number of clips M the caller is about to encode; a file with the same key but
 *   another count is an error, since the key then does not identify the clips.
 */
export async function readFeatureCache(file: string, cacheKey: string, clipCount: number): Promise<tf.Tensor3D | undefined> {
  if (!existsSync(file)) return undefined;
  const { tensors, metadata } = await readSafetensors(file);
  if (metadata.format !== FEATURE_CACHE_FORMAT || metadata.cacheKey !== cacheKey) return undefined;
  const stored = tensors.get(FEATURE_CACHE_TENSOR);
  if (stored === undefined || stored.shape.length !== 3 || !(stored.data instanceof Float32Array)) {
    fail(`${file}: tensor "${FEATURE_CACHE_TENSOR}"`, 'float features [M, N, D]', stored?.shape, 'Delete the file to recompute it');
  }
  if (stored.shape[0] !== clipCount) {
    fail(
      'cacheKey',
      `a key that identifies these ${clipCount} clips`,
      cacheKey,
      `${file} holds ${stored.shape[0]} clips under that key; use another cacheKey or delete the file`,
    );
  }
  return tf.tensor3d(stored.data, stored.shape as [number, number, number]);
}

/**
 * Writes features `[M, N, D]` as float32 safetensors (atomically), tagged with `cacheKey`.
 *
 * @param file - the cache file (overwritten).
 * @param cacheKey - the caller's key, stored in the metadata.
 * @param data - the features, row-major.
 * @param shape - `[M, N, D]`.
 */
export async function writeFeatureCache(file: string, cacheKey: string, data: Float32Array, shape: readonly [number, number, number]): Promise<void> {
  await writeSafetensors(file, { [FEATURE_CACHE_TENSOR]: { dtype: 'F32', shape, data } }, { format: FEATURE_CACHE_FORMAT, cacheKey });
}
