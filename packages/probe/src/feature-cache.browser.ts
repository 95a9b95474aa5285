import type * as tf from '@tensorflow/tfjs-core';
import { fail } from '@vjepa/core';

// The browser build of feature-cache.ts: a cache file needs Node's file system. `extractFeatures` reads
// the cache before encoding anything, so a `cacheFile` given in a browser fails before any work.

function noFiles(file: string): never {
  fail('cacheFile', 'no cache file in a browser (feature caches are files, which need Node)', file, 'Leave cacheFile out');
}

/** Browser build: always fails, naming `cacheFile`. */
export async function readFeatureCache(file: string, _cacheKey: string, _clipCount: number): Promise<tf.Tensor3D | undefined> {
  noFiles(file);
}

/** Browser build: always fails, naming `cacheFile`. */
export async function writeFeatureCache(
  file: string,
  _cacheKey: string,
  _data: Float32Array,
  _shape: readonly [number, number, number],
): Promise<void> {
  noFiles(file);
}
