import * as tf from '@tensorflow/tfjs-core';
import { nativeOrReference } from '../dispatch';
import { webgpuKernelActive } from '../webgpu';
import { loadedNativeKernels } from '../native';
import { offsetOf, sizeOf, wasmKernel, withOutputs, type WasmKernelFunc } from '../wasm-heap';

// One AdamW update of a parameter: the op, its plain tfjs reference and the native kernel (one pass
// over the four arrays). No gradient: an update is not differentiated.

/** The fused AdamW update kernel. */
export const ADAMW = 'VjepaAdamW';

/** Inputs of {@link ADAMW}: four tensors of the same shape. */
export interface AdamWInputs {
  param: tf.TensorInfo;
  m: tf.TensorInfo;
  v: tf.TensorInfo;
  grad: tf.TensorInfo;
}

/** Attrs of {@link ADAMW}: the step's scalars, folded as the kernel uses them (see `NativeKernels.adamw`). */
export interface AdamWAttrs {
  /** `1 − lr·wd` (1 without weight decay). */
  decayFactor: number;
  beta1: number;
  beta2: number;
  /** `√(1 − β₂ᵗ)`. */
  sqrtBias2: number;
  eps: number;
  /** `−lr / (1 − β₁ᵗ)`. */
  negStepSize: number;
  /** Multiplies the gradient first; 1 for none. */
  gradScale: number;
}

/** The per-step scalars of one AdamW update (torch.optim.AdamW, amsgrad off). */
export interface AdamWUpdate {
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** This parameter's step count t, from 1. */
  step: number;
}

/**
 * One AdamW update of a parameter, out of place: returns the new parameter and moments. With the native
 * kernels one pass over the four arrays; otherwise {@link adamwUpdateReference}. Both round every
 * operation to float32 in PyTorch's order.
 */
export function adamwUpdate(param: tf.Tensor, m: tf.Tensor, v: tf.Tensor, grad: tf.Tensor, u: AdamWUpdate): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const accepts = [param, m, v, grad].every((t) => t.dtype === 'float32');
  const fused = () => tf.engine().runKernel(ADAMW, { param, m, v, grad } satisfies AdamWInputs, adamwAttrs(u)) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
  if (webgpuKernelActive(ADAMW, accepts)) return fused(); // the WGSL kernel (adamw.webgpu.ts)
  return nativeOrReference(accepts, fused, () => adamwUpdateReference(param, m, v, grad, u));
}

/** The kernel's attrs of one update. */
function adamwAttrs(u: AdamWUpdate): AdamWAttrs & tf.NamedAttrMap {
  const biasCorrection1 = 1 - u.beta1 ** u.step;
  const biasCorrection2 = 1 - u.beta2 ** u.step;
  return {
    decayFactor: u.weightDecay !== 0 ? 1 - u.lr * u.weightDecay : 1,
    beta1: u.beta1,
    beta2: u.beta2,
    sqrtBias2: Math.sqrt(biasCorrection2),
    eps: u.eps,
    negStepSize: -(u.lr / biasCorrection1),
    gradScale: 1,
  };
}

/** The plain tfjs composition of {@link adamwUpdate}. */
export function adamwUpdateReference(param: tf.Tensor, m: tf.Tensor, v: tf.Tensor, grad: tf.Tensor, u: AdamWUpdate): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const p = u.weightDecay !== 0 ? tf.mul(param, 1 - u.lr * u.weightDecay) : param; // decoupled decay first
    const m1 = tf.add(tf.mul(m, u.beta1), tf.mul(grad, 1 - u.beta1));
    const v1 = tf.add(tf.mul(v, u.beta2), tf.mul(tf.mul(grad, 1 - u.beta2), grad));
    const biasCorrection1 = 1 - u.beta1 ** u.step;
    const biasCorrection2 = 1 - u.beta2 ** u.step;
    const denom = tf.add(tf.div(tf.sqrt(v1), Math.sqrt(biasCorrection2)), u.eps);
    const p1 = tf.add(p, tf.mul(tf.div(m1, denom), -(u.lr / biasCorrection1)));
    return [p1, m1, v1] as [tf.Tensor, tf.Tensor, tf.Tensor];
  });
}

// param, m, v, grad (same shape) → param', m', v'
const adamwKernel: WasmKernelFunc<AdamWInputs, AdamWAttrs> = ({ inputs: { param, m, v, grad }, backend, attrs: a }) => {
  const shape = [...param.shape];
  const [po, mo, vo, go] = [param, m, v, grad].map((t) => offsetOf(backend, t));
  return withOutputs(backend, [shape, shape, shape], (mem, [pOut, mOut, vOut]) =>
    loadedNativeKernels().adamw(mem, po, mo, vo, go, pOut, mOut, vOut, sizeOf(shape), a.decayFactor, a.beta1, a.beta2, a.sqrtBias2, a.eps, a.negStepSize, a.gradScale),
  );
};

/** The wasm kernel of the AdamW update, for `registerNativeKernels`. */
export const adamwKernels: tf.KernelConfig[] = [wasmKernel(ADAMW, adamwKernel)];
