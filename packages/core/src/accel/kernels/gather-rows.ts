import * as tf from '@tensorflow/tfjs-core';
import { nativeOrReference } from '../dispatch';
import { offsetOf, sizeOf, type KernelOverride } from '../wasm-heap';

// Rows of a table at int32 indices: the differentiable op (its gradient built on scatterND), and the
// native kernel that replaces wasm's `GatherV2` for row gathers. The reference is tfjs's own GatherV2.

/** tfjs types `save` loosely; it is always this. */
type Save = (tensors: tf.Tensor[]) => void;

const gatherRowsOp = tf.customGrad((table, indices, save) => {
  (save as Save)([indices as tf.Tensor]);
  const [rows, width] = (table as tf.Tensor2D).shape;
  return {
    value: tf.gather(table as tf.Tensor, indices as tf.Tensor1D), // [M, D]
    gradFunc: (dy, saved) => {
      const [idx] = saved;
      // scatterND sums repeated indices; it exists on every backend, unlike UnsortedSegmentSum (the
      // default gradient of gather), which the wasm backend lacks.
      const dTable = tf.scatterND(tf.expandDims(idx, 1), dy as tf.Tensor, [rows, width]); // [R, D]
      return [dTable, tf.zerosLike(idx)];
    },
  };
});

/** Rows of a `[R, D]` table at int32 `indices` `[M]` → `[M, D]`, differentiable on every backend. */
export function gatherRows(table: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  return gatherRowsOp(table, indices) as tf.Tensor2D;
}

/**
 * Replaces wasm's `GatherV2` (a scalar loop per element) for float32 rows along axis 0 — the token gather
 * of the encoder, predictor and targets — with row copies. Other gathers, out-of-range indices and calls
 * while the native kernels are off go to the kernel it replaces.
 */
export const gatherRowsOverride: KernelOverride = {
  kernelName: tf.GatherV2,
  wrap: (original) => (args) => {
    const { x, indices } = args.inputs as tf.GatherV2Inputs;
    const rowGather =
      x!.dtype === 'float32' && indices!.dtype === 'int32' && Number(args.attrs.axis ?? 0) === 0 && Number(args.attrs.batchDims ?? 0) === 0 && x!.shape.length >= 1;
    return nativeOrReference(
      rowGather,
      (native) => {
        const [xo, io] = [offsetOf(args.backend, x!), offsetOf(args.backend, indices!, 'int32')];
        const out = args.backend.makeOutput([...indices!.shape, ...x!.shape.slice(1)], 'float32');
        const [rows, rowSize, count] = [x!.shape[0], sizeOf(x!.shape.slice(1)), sizeOf(indices!.shape)];
        if (native.gatherRows(args.backend.wasm.HEAPU8, xo, io, offsetOf(args.backend, out), count, rowSize, rows)) return out;
        tf.engine().backend.disposeData(out.dataId);
        return original(args);
      },
      () => original(args),
    );
  },
};
