import * as tf from '@tensorflow/tfjs-core';
import { nativeOrReference } from '../dispatch';
import { offsetOf, type WasmBackendInternals } from '../wasm-heap';

// `Σ x²` as a host number (for gradient norms): the addon reads the tensor in place on the wasm heap,
// so there is no registered kernel and no gradient; the reference is a tfjs sum read back.

/**
 * `Σ x²` of a float32 tensor as a host number (for gradient norms). With the native kernels one pass
 * over the wasm heap, accumulated in double; otherwise {@link sumOfSquaresReference}.
 */
export function sumOfSquares(x: tf.Tensor): number {
  return nativeOrReference(
    x.dtype === 'float32',
    (native) => {
      const backend = tf.backend() as unknown as WasmBackendInternals;
      return native.sumSquares(backend.wasm.HEAPU8, offsetOf(backend, x), x.size);
    },
    () => sumOfSquaresReference(x),
  );
}

/** The plain tfjs composition of {@link sumOfSquares}: `tf.sum(x·x)` in float32, read back. */
export function sumOfSquaresReference(x: tf.Tensor): number {
  const total = tf.tidy(() => tf.sum(tf.mul(x, x)));
  const value = total.dataSync()[0];
  total.dispose();
  return value;
}
