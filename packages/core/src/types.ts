import type * as tf from '@tensorflow/tfjs-core';

/**
 * A batch of clips, `[B, T, H, W, C]` float32, channels-last as tfjs expects.
 *
 * The official code uses `(B, C, T, H, W)`; convert with `toChannelsLast`
 * (`tf.transpose(x, [0, 2, 3, 4, 1])`) and back with `toChannelsFirst` (`[0, 4, 1, 2, 3]`).
 * Values are normalised (ImageNet mean and std per channel, spec §10).
 */
export type VideoBatch = tf.Tensor5D;

/** A tensor as stored in a file: a shape and a flat typed array (float or int). */
export interface HostTensor {
  shape: number[];
  data: Float32Array | Int32Array | BigInt64Array;
}

/** Anything a state dict can be loaded from: tfjs tensors or host arrays, by key. */
export type StateDictInput = Map<string, tf.Tensor | HostTensor> | Record<string, tf.Tensor | HostTensor>;

/** One batch of clips as a data source yields it: the clips and, when known, integer labels by task. */
export interface ClipBatch {
  /** `[B, T, H, W, C]` float32, normalised. The consumer disposes it. */
  video: VideoBatch;
  /** Optional labels per task (e.g. `{ shape, direction }`), one entry per clip. */
  labels?: Record<string, Int32Array>;
}

/**
 * Anything the trainer can pull batches from (`@vjepa/data`'s loaders implement it). `getState()` is
 * JSON that `setState()` restores so that the following batches are the same — what exact resume needs.
 */
export interface BatchSource {
  next(): Promise<ClipBatch>;
  getState(): unknown;
  setState(state: unknown): void;
}
