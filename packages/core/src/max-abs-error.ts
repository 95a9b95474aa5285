import type * as tf from '@tensorflow/tfjs-core';
import type { SafeTensor } from '@vjepa/base';

/**
 * Largest |actual − expected| over all elements; Infinity when the shapes differ or a value is not finite.
 * `shape` is the shape of `actual` when it is a tensor's values already read back.
 */
export function maxAbsError(actual: tf.Tensor | Float32Array | number, expected: SafeTensor, shape?: readonly number[]): number {
  const values = typeof actual === 'number' ? [actual] : actual instanceof Float32Array ? actual : actual.dataSync();
  if (typeof actual !== 'number' && !(actual instanceof Float32Array)) shape = actual.shape;
  const expectedSize = expected.shape.reduce((a, b) => a * b, 1);
  if (values.length !== expectedSize) return Infinity;
  if (shape && shape.join() !== expected.shape.join() && !(shape.length === 0 && expectedSize === 1)) return Infinity;
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const error = Math.abs(values[i] - Number(expected.data[i]));
    if (!(error <= worst)) worst = Number.isNaN(error) ? Infinity : error;
  }
  return worst;
}
