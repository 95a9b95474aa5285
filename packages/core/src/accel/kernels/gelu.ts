import * as tf from '@tensorflow/tfjs-core';
import { nativeOrReference } from '../dispatch';
import { webgpuKernelActive } from '../webgpu';
import { loadedNativeKernels } from '../native';
import { offsetOf, sizeOf, wasmKernel, withOutputs, type WasmKernelFunc } from '../wasm-heap';

// Exact GELU: the op, its plain tfjs reference, and the native kernel each way with its gradient.

/** The fused GELU kernel on wasm. */
export const GELU = 'VjepaGelu';
/** Its gradient kernel. */
export const GELU_GRAD = 'VjepaGeluGrad';

/** Inputs of {@link GELU}: `x` of any shape. */
export interface GeluInputs {
  x: tf.TensorInfo;
}

/** Inputs of {@link GELU_GRAD}: the upstream gradient and the forward input, same shape. */
export interface GeluGradInputs {
  dy: tf.TensorInfo;
  x: tf.TensorInfo;
}

/** Exact GELU, `0.5·x·(1 + erf(x/√2))`, as PyTorch's default `nn.GELU` (not the tanh form). */
export function gelu(x: tf.Tensor): tf.Tensor {
  const fused = () => tf.engine().runKernel(GELU, { x } satisfies GeluInputs) as tf.Tensor; // one kernel each way
  if (webgpuKernelActive(GELU, x.dtype === 'float32')) return fused(); // the WGSL kernel (gelu.webgpu.ts)
  return nativeOrReference(x.dtype === 'float32', fused, () => geluReference(x));
}

/** The plain tfjs composition of {@link gelu}: what the native kernel is tested against. */
export function geluReference(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

const geluForward: WasmKernelFunc<GeluInputs> = ({ inputs: { x }, backend }) => {
  const xo = offsetOf(backend, x);
  return withOutputs(backend, [[...x.shape]], (mem, [y]) => loadedNativeKernels().geluForward(mem, xo, y, sizeOf(x.shape)))[0];
};

const geluBackward: WasmKernelFunc<GeluGradInputs> = ({ inputs: { dy, x }, backend }) => {
  const [dyo, xo] = [offsetOf(backend, dy), offsetOf(backend, x)];
  return withOutputs(backend, [[...x.shape]], (mem, [dx]) => loadedNativeKernels().geluBackward(mem, dyo, xo, dx, sizeOf(x.shape)))[0];
};

/** The wasm kernels of GELU, for `registerNativeKernels`. */
export const geluKernels: tf.KernelConfig[] = [wasmKernel(GELU, geluForward), wasmKernel(GELU_GRAD, geluBackward)];

/** The gradient of {@link GELU}: one {@link GELU_GRAD} kernel. */
export const geluGradients: tf.GradConfig[] = [
  {
    kernelName: GELU,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.engine().runKernel(GELU_GRAD, { dy: dy as tf.Tensor, x } satisfies GeluGradInputs) as tf.Tensor }),
  },
];
