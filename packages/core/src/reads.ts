import * as tf from '@tensorflow/tfjs-core';

// Code that reads tensors back to the host, written once for both kinds of backend: wasm and cpu read
// synchronously (`dataSync`), webgpu only asynchronously in Node (`await data()`; Node has no
// OffscreenCanvas) and best so in a browser (a synchronous read stalls the GPU).

/** A computation that stops at each tensor it reads: it yields the tensor and is resumed with its values. */
export type Reads<T> = Generator<tf.Tensor, T, tf.TypedArray>;

/** Whether the active backend must be read asynchronously: webgpu. */
export function readsAsync(): boolean {
  return tf.getBackend() === 'webgpu';
}

/** Runs `reads` to its end, reading each yielded tensor synchronously (`dataSync`). */
export function readNow<T>(reads: Reads<T>): T {
  let next = reads.next();
  while (!next.done) next = reads.next(next.value.dataSync() as tf.TypedArray);
  return next.value;
}

/**
 * Runs `reads` to its end on any backend: each yielded tensor is read with `await data()` where the
 * backend needs it ({@link readsAsync}), else synchronously.
 *
 * @example
 * function* meanOf(x: tf.Tensor): Reads<number> {
 *   const mean = tf.mean(x);
 *   const [value] = yield mean;
 *   mean.dispose();
 *   return value;
 * }
 * const value = await readAll(meanOf(x));
 */
export async function readAll<T>(reads: Reads<T>): Promise<T> {
  if (!readsAsync()) return readNow(reads);
  let next = reads.next();
  while (!next.done) next = reads.next((await next.value.data()) as tf.TypedArray);
  return next.value;
}

/**
 * Copies `tensors` to the host where the backend must be read asynchronously, so that synchronous reads
 * of them that follow (`dataSync` in code that cannot wait, such as a checkpoint writer) are served from
 * that copy; elsewhere nothing. The copies go with the tensors.
 */
export async function downloadForSyncReads(tensors: readonly tf.Tensor[]): Promise<void> {
  if (readsAsync()) await Promise.all(tensors.map((t) => t.data()));
}
