import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { clipOptional } from './clip';

describe('clipOptional', () => {
  it('clips with a number (and gives the norm before), passes the gradients through with null', async () => {
    await selectBackend('cpu');
    const grads = new Map([['a', tf.tensor1d([3, 4])]]);
    const clipped = clipOptional(grads, 1);
    expect(clipped.totalNorm).toBeCloseTo(5, 5);
    expect(Array.from((clipped.grads as Map<string, tf.Tensor>).get('a')!.dataSync())).toEqual([expect.closeTo(0.6, 5), expect.closeTo(0.8, 5)]);
    const passed = clipOptional(grads, null);
    expect(passed).toEqual({ grads });
    expect(passed.grads).toBe(grads);
  });
});
