import * as tf from '@tensorflow/tfjs-core';
import { matMulFast } from '../../ops/matmul';
import { nativeOrReference } from '../dispatch';
import { loadedNativeKernels } from '../native';
import { NONE, offsetOf, wasmKernel, withOutputs, type WasmKernelFunc } from '../wasm-heap';

// `y = x·Wᵀ + b`: the op, its plain tfjs reference, and the native kernel each way with its gradient
// (one BLAS call forward, two and a column sum backward).

/** The fused linear kernel with a bias. */
export const LINEAR = 'VjepaLinear';
/** Without a bias: a kernel of its own, because a gradient config saves a fixed list of inputs. */
export const LINEAR_NO_BIAS = 'VjepaLinearNoBias';
/** The gradient kernel of both. */
export const LINEAR_GRAD = 'VjepaLinearGrad';

/** Inputs of {@link LINEAR} (`x [..., in]`, `weight [out, in]`, `bias [out]`) and {@link LINEAR_NO_BIAS} (no `bias`). */
export interface LinearInputs {
  x: tf.TensorInfo;
  weight: tf.TensorInfo;
  bias?: tf.TensorInfo;
}

/** Inputs of {@link LINEAR_GRAD}: `dy [..., out]` and the forward's `x`, `weight`. */
export interface LinearGradInputs {
  dy: tf.TensorInfo;
  x: tf.TensorInfo;
  weight: tf.TensorInfo;
}

/** Attrs of {@link LINEAR_GRAD}: whether to return `db` after `dx` and `dW`. */
export interface LinearGradAttrs {
  hasBias: boolean;
}

/** tfjs types `save` loosely; it is always this. */
type Save = (tensors: tf.Tensor[]) => void;

const linearWithBias = tf.customGrad((x, weight, bias, save) => {
  (save as Save)([x as tf.Tensor, weight as tf.Tensor]);
  const y = tf.add(matMulFast(x as tf.Tensor, weight as tf.Tensor, false, true), bias as tf.Tensor); // [M, out]
  return {
    value: y,
    gradFunc: (dy, saved) => {
      const [sx, sw] = saved;
      const g = dy as tf.Tensor; // [M, out]
      return [
        matMulFast(g, sw), // dx = dy·W       [M, in]
        matMulFast(g, sx, true, false), // dW = dyᵀ·x  [out, in]
        tf.sum(g, 0), // db                [out]
      ];
    },
  };
});

const linearNoBias = tf.customGrad((x, weight, save) => {
  (save as Save)([x as tf.Tensor, weight as tf.Tensor]);
  return {
    value: matMulFast(x as tf.Tensor, weight as tf.Tensor, false, true), // [M, out]
    gradFunc: (dy, saved) => {
      const [sx, sw] = saved;
      return [matMulFast(dy as tf.Tensor, sw), matMulFast(dy as tf.Tensor, sx, true, false)];
    },
  };
});

/** Applies `product` to `x [..., in]` flattened to `[M, in]` and gives the result back as `[..., out]`. */
function onRows(x: tf.Tensor, weight: tf.Tensor2D, product: (rows: tf.Tensor2D) => tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [outFeatures, inFeatures] = weight.shape;
    const flat = tf.reshape(x, [-1, inFeatures]) as tf.Tensor2D; // [M, in]
    return tf.reshape(product(flat), [...x.shape.slice(0, -1), outFeatures]); // [..., out]
  });
}

/**
 * `y = x·Wᵀ + b` with the weight in PyTorch's layout `[out, in]`, for inputs of any rank
 * `[..., in]` → `[..., out]`. With the native kernels one BLAS kernel each way; otherwise
 * {@link linearReference}.
 */
export function linear(x: tf.Tensor, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  return nativeOrReference(
    true,
    // The native kernels take x of any rank as its rows: no reshapes (nor their gradients) around them.
    () =>
      bias
        ? (tf.engine().runKernel(LINEAR, { x, weight, bias } satisfies LinearInputs) as tf.Tensor) // [..., out]
        : (tf.engine().runKernel(LINEAR_NO_BIAS, { x, weight } satisfies LinearInputs) as tf.Tensor),
    () => linearReference(x, weight, bias),
  );
}

/**
 * The plain tfjs composition of {@link linear}: what the native kernel is tested against. Forward and
 * backward are 2-D products without transpose flags on wasm (see `matMulFast`).
 */
export function linearReference(x: tf.Tensor, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  return onRows(x, weight, (flat) => (bias ? linearWithBias(flat, weight, bias) : linearNoBias(flat, weight)) as tf.Tensor); // [M, out]
}

/** The rows of `x [..., in]`: the product of its leading dimensions. */
function rowsOf(x: tf.TensorInfo): number {
  return x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
}

// x [..., in] (its rows M), weight [out, in], bias? [out] → y [..., out]
const linearForward: WasmKernelFunc<LinearInputs> = ({ inputs: { x, weight, bias }, backend }) => {
  const [m, inF] = [rowsOf(x), x.shape[x.shape.length - 1]];
  const outF = weight.shape[0];
  const [xo, wo, bo] = [offsetOf(backend, x), offsetOf(backend, weight), bias ? offsetOf(backend, bias) : NONE];
  return withOutputs(backend, [[...x.shape.slice(0, -1), outF]], (mem, [y]) => loadedNativeKernels().linearForward(mem, xo, wo, bo, y, m, inF, outF))[0];
};

// dy [..., out], x [..., in], weight [out, in] → dx [..., in], dW [out, in], db [out] (when hasBias)
const linearBackward: WasmKernelFunc<LinearGradInputs, LinearGradAttrs> = ({ inputs: { dy, x, weight }, backend, attrs }) => {
  const [m, inF] = [rowsOf(x), x.shape[x.shape.length - 1]];
  const outF = weight.shape[0];
  const shapes = attrs.hasBias ? [[...x.shape], [outF, inF], [outF]] : [[...x.shape], [outF, inF]];
  const [dyo, xo, wo] = [offsetOf(backend, dy), offsetOf(backend, x), offsetOf(backend, weight)];
  return withOutputs(backend, shapes, (mem, [dx, dw, db]) => loadedNativeKernels().linearBackward(mem, dyo, xo, wo, dx, dw, db ?? NONE, m, inF, outF));
};

/** The wasm kernels of linear, for `registerNativeKernels`. */
export const linearKernels: tf.KernelConfig[] = [
  wasmKernel(LINEAR, linearForward),
  wasmKernel(LINEAR_NO_BIAS, linearForward),
  wasmKernel(LINEAR_GRAD, linearBackward),
];

/** The gradients of {@link LINEAR} and {@link LINEAR_NO_BIAS}: one {@link LINEAR_GRAD} kernel each. */
export const linearGradients: tf.GradConfig[] = ([[LINEAR, true], [LINEAR_NO_BIAS, false]] as const).map(([kernelName, hasBias]) => ({
  kernelName,
  inputsToSave: ['x', 'weight'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], [x, weight]: tf.Tensor[]) => {
    const grads = tf.engine().runKernel(LINEAR_GRAD, { dy: dy as tf.Tensor, x, weight } satisfies LinearGradInputs, { hasBias } satisfies LinearGradAttrs) as tf.Tensor[];
    return { x: () => grads[0], weight: () => grads[1], bias: () => grads[2] };
  },
}));
