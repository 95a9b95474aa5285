import * as tf from '@tensorflow/tfjs-core';
import { nativeOrReference } from '../dispatch';
import { offsetOf, sizeOf, withOutputs, type KernelOverride, type WasmKernelFunc } from '../wasm-heap';

// Every `BatchMatMul` on wasm through cblas_sgemm on the heap. Its reference is the kernel it replaces
// (tfjs's own, a scalar loop for batched or transposed products); its gradient is tfjs's own.

type Args = Parameters<WasmKernelFunc<tf.BatchMatMulInputs, tf.BatchMatMulAttrs>>[0];

/** The operands' geometry when the BLAS can take them: float32, rank ≥ 2, batch dimensions equal or one of them 1. */
function geometry({ inputs: { a, b }, attrs }: Args) {
  if (a!.dtype !== 'float32' || b!.dtype !== 'float32' || a!.shape.length < 2 || b!.shape.length < 2) return null;
  const transA = Boolean(attrs.transposeA);
  const transB = Boolean(attrs.transposeB);
  const ra = a!.shape.length;
  const rb = b!.shape.length;
  const m = transA ? a!.shape[ra - 1] : a!.shape[ra - 2];
  const k = transA ? a!.shape[ra - 2] : a!.shape[ra - 1];
  const n = transB ? b!.shape[rb - 2] : b!.shape[rb - 1];
  const outerA = a!.shape.slice(0, -2);
  const outerB = b!.shape.slice(0, -2);
  const [batchA, batchB] = [sizeOf(outerA), sizeOf(outerB)];
  const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
  if (!(sameOuter || batchA === 1 || batchB === 1)) return null;
  return { transA, transB, m, n, k, batchA, batchB, outer: batchA >= batchB ? outerA : outerB, batch: Math.max(batchA, batchB) };
}

/**
 * Replaces wasm's `BatchMatMul` with cblas_sgemm on the heap (transpose flags passed to the BLAS, batch
 * dimensions equal or broadcast from 1). Anything else, and every call while the native kernels are
 * off, goes to the kernel it replaces.
 */
export const batchMatMulOverride: KernelOverride = {
  kernelName: tf.BatchMatMul,
  wrap: (original) => (args) => {
    const g = geometry(args as unknown as Args);
    return nativeOrReference(
      g !== null,
      (native) => {
        const { transA, transB, m, n, k, batchA, batchB, outer, batch } = g!;
        const [ao, bo] = [offsetOf(args.backend, args.inputs.a!), offsetOf(args.backend, args.inputs.b!)];
        return withOutputs(args.backend, [[...outer, m, n]], (mem, [c]) => {
          for (let i = 0; i < batch; i++) {
            const pa = ao + 4 * (batchA === 1 ? 0 : i) * m * k;
            const pb = bo + 4 * (batchB === 1 ? 0 : i) * k * n;
            native.gemm(mem, +transA, +transB, m, n, k, 1, pa, transA ? m : k, pb, transB ? k : n, 0, c + 4 * i * m * n, n);
          }
        })[0];
      },
      () => original(args),
    );
  },
};
