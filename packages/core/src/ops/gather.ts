import * as tf from '@tensorflow/tfjs-core';
import { fail, type IndexBatch } from '@vjepa/base';
import { gatherRows } from '../accel/kernels/gather-rows';

/** An int32 `[B, K]` tensor from an `IndexBatch` (as produced by `@vjepa/masking`). */
export function indexTensor(indices: IndexBatch | tf.Tensor2D, tokens?: number): tf.Tensor2D {
  if (indices instanceof tf.Tensor) return indices;
  const [batch, length] = indices.shape;
  if (indices.data.length !== batch * length) {
    fail('indices.data', `${batch * length} entries for shape [${batch}, ${length}]`, indices.data.length);
  }
  if (tokens !== undefined) {
    for (const value of indices.data) {
      if (value < 0 || value >= tokens) fail('indices', `token indices in [0, ${tokens})`, value);
    }
  }
  return tf.tensor2d(indices.data, [batch, length], 'int32');
}

/**
 * The official `apply_masks` for one mask: `out[b, k, :] = x[b, indices[b, k], :]`.
 * `x` `[B, N, D]` × `indices` `[B, K]` → `[B, K, D]`; differentiable on cpu, wasm and native backends.
 * A `[1, N, D]` input (a positional table) is shared by every row of `indices`.
 */
export function gatherTokens(x: tf.Tensor3D, indices: IndexBatch | tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, tokens, width] = x.shape;
    const idx = indexTensor(indices, tokens); // [B', K]
    const [rows, length] = idx.shape;
    if (batch !== 1 && batch !== rows) fail('indices', `a batch of ${batch} rows to match x`, idx.shape);
    const table = tf.reshape(x, [batch * tokens, width]) as tf.Tensor2D; // [B·N, D]
    const offsets = batch === 1 ? tf.zeros([rows], 'int32') : tf.range(0, rows * tokens, tokens, 'int32'); // [B]
    const flat = tf.reshape(tf.add(idx, tf.reshape(offsets, [rows, 1])), [-1]) as tf.Tensor1D; // [B·K]
    return tf.reshape(gatherRows(table, flat), [rows, length, width]) as tf.Tensor3D; // [B, K, D]
  });
}
