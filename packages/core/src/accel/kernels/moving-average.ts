import * as tf from '@tensorflow/tfjs-core';
import { nativeOrReference } from '../dispatch';
import { loadedNativeKernels } from '../native';
import { offsetOf, sizeOf, wasmKernel, withOutputs, type WasmKernelFunc } from '../wasm-heap';

// The EMA blend of one tensor: the op, its plain tfjs reference and the native kernel (one pass). No
// gradient: the target encoder is not differentiated.

/** The fused EMA kernel. */
export const EMA = 'VjepaEma';

/** Inputs of {@link EMA}: the target and the online tensor, same shape. */
export interface MovingAverageInputs {
  target: tf.TensorInfo;
  online: tf.TensorInfo;
}

/** Attrs of {@link EMA}: the momentum and `1 − momentum`, each rounded to float32 by the kernel. */
export interface MovingAverageAttrs {
  momentum: number;
  keep: number;
}

/**
 * `momentum·target + (1 − momentum)·online`, the EMA step of one tensor (both factors rounded to
 * float32, as the official in-place `mul_(m).add_((1 − m)·q)`). Native: one pass; else the reference.
 */
export function movingAverage(target: tf.Tensor, online: tf.Tensor, momentum: number): tf.Tensor {
  return nativeOrReference(
    target.dtype === 'float32' && online.dtype === 'float32',
    () => tf.engine().runKernel(EMA, { target, online } satisfies MovingAverageInputs, { momentum, keep: 1 - momentum } satisfies MovingAverageAttrs) as tf.Tensor,
    () => movingAverageReference(target, online, momentum),
  );
}

/** The plain tfjs composition of {@link movingAverage}. */
export function movingAverageReference(target: tf.Tensor, online: tf.Tensor, momentum: number): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(target, momentum), tf.mul(online, 1 - momentum)));
}

// target, online → m·target + (1 − m)·online
const movingAverageKernel: WasmKernelFunc<MovingAverageInputs, MovingAverageAttrs> = ({ inputs: { target, online }, backend, attrs }) => {
  const [to, oo] = [offsetOf(backend, target), offsetOf(backend, online)];
  return withOutputs(backend, [[...target.shape]], (mem, [out]) =>
    loadedNativeKernels().ema(mem, to, oo, out, sizeOf(target.shape), attrs.momentum, attrs.keep),
  )[0];
};

/** The wasm kernel of the EMA blend, for `registerNativeKernels`. */
export const movingAverageKernels: tf.KernelConfig[] = [wasmKernel(EMA, movingAverageKernel)];
