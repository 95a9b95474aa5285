import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { useNativeKernels } from '../native';
import { gatherRows } from './gather-rows';
import { bothWays, describeNative, expectAgree, maxAbsDiff, random } from './native-vs-reference.test-util';

describeNative('GatherV2 rows through the native kernel equal tfjs’s own kernel', () => {
  it('gathers rows (axis 0) through the native kernel, and falls back for other axes', () => {
    const table = random([7, 3, 2], 23);
    const rows = tf.tensor2d([[6, 0], [3, 3]], [2, 2], 'int32');
    const columns = tf.tensor1d([2, 0], 'int32');
    for (const axis of [0, 1]) {
      const [fast, plain] = bothWays(() => tf.gather(table, axis === 0 ? rows : columns, axis));
      expect(fast.shape).toEqual(axis === 0 ? [2, 2, 3, 2] : [7, 2, 2]);
      expect(maxAbsDiff(fast, plain)).toBe(0);
      tf.dispose([fast, plain]);
    }
    tf.dispose([table, rows, columns]);
  });

  it('an index out of range goes to tfjs’s kernel, which refuses it either way, and nothing leaks', () => {
    const table = random([4, 3], 24);
    const indices = tf.tensor1d([1, 9, 0], 'int32');
    const buffers = tf.engine().backend.numDataIds();
    for (const on of [true, false]) {
      useNativeKernels(on);
      expect(() => tf.gather(table, indices)).toThrow('GatherV2: the index value 9 is not in [0, 3]');
    }
    useNativeKernels(true);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([table, indices]);
  });

  it('gatherRows: value and the scatterND gradient, repeated indices summed', () => {
    const indices = tf.tensor1d([4, 0, 4, 2, 4], 'int32');
    expectAgree((table) => gatherRows(table as tf.Tensor2D, indices), [random([5, 3], 25)], 0);
    indices.dispose();
  });
});
