import * as tf from '@tensorflow/tfjs-core';
import { nativeOrReference } from '../dispatch';
import { webgpuKernelActive } from '../webgpu';
import { loadedNativeKernels } from '../native';
import { NONE, offsetOf, sizeOf, wasmKernel, withOutputs, type WasmKernelFunc } from '../wasm-heap';

// LayerNorm over the last axis: the op, its plain tfjs reference, and the native kernel each way with
// its gradient (one kernel forward, one backward; the reference is 9 kernels forward).

/** The fused LayerNorm kernel with weight and bias. */
export const LAYER_NORM = 'VjepaLayerNorm';
/** LayerNorm without weight and bias (the target's). Separate kernels, because a gradient config saves a fixed list of inputs. */
export const LAYER_NORM_PLAIN = 'VjepaLayerNormPlain';
/** The gradient kernel of both. */
export const LAYER_NORM_GRAD = 'VjepaLayerNormGrad';

/** Inputs of {@link LAYER_NORM} (`x [..., D]`, `weight [D]`, `bias [D]`) and {@link LAYER_NORM_PLAIN} (`x` alone). */
export interface LayerNormInputs {
  x: tf.TensorInfo;
  weight?: tf.TensorInfo;
  bias?: tf.TensorInfo;
}

/** Attrs of both forward kernels. */
export interface LayerNormAttrs {
  eps: number;
}

/** Inputs of {@link LAYER_NORM_GRAD}: `dy` and `x` `[..., D]`, `weight [D]` when affine. */
export interface LayerNormGradInputs {
  dy: tf.TensorInfo;
  x: tf.TensorInfo;
  weight?: tf.TensorInfo;
}

/** Attrs of {@link LAYER_NORM_GRAD}: which of `dW`, `db` to return after `dx`. */
export interface LayerNormGradAttrs extends LayerNormAttrs {
  hasWeight: boolean;
  hasBias: boolean;
}

/**
 * Layer normalisation over the last axis, PyTorch's formula: `(x − mean) / sqrt(var + eps)` with the
 * biased variance, then `· weight + bias` when given. Without weight and bias it is the official
 * non-affine target norm (`F.layer_norm`, eps 1e-5).
 */
export function layerNorm(x: tf.Tensor, eps: number, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const accepts = x.dtype === 'float32' && (weight === undefined) === (bias === undefined);
  const fused = () =>
    (weight === undefined
      ? tf.engine().runKernel(LAYER_NORM_PLAIN, { x } satisfies LayerNormInputs, { eps } satisfies LayerNormAttrs)
      : tf.engine().runKernel(LAYER_NORM, { x, weight, bias: bias! } satisfies LayerNormInputs, { eps } satisfies LayerNormAttrs)) as tf.Tensor; // [..., D]
  if (webgpuKernelActive(LAYER_NORM, accepts)) return fused(); // the WGSL kernel (layer-norm.webgpu.ts)
  return nativeOrReference(accepts, fused, () => layerNormReference(x, eps, weight, bias));
}

/** The plain tfjs composition of {@link layerNorm}: what the native kernel is tested against. */
export function layerNormReference(x: tf.Tensor, eps: number, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const mean = tf.mean(x, axis, true); // [..., 1]
    const centered = tf.sub(x, mean); // [..., D]
    const variance = tf.mean(tf.mul(centered, centered), axis, true); // [..., 1]
    let y = tf.mul(centered, tf.rsqrt(tf.add(variance, eps))); // [..., D]
    if (weight) y = tf.mul(y, weight);
    if (bias) y = tf.add(y, bias);
    return y;
  });
}

/** `[rows, d]` of an input `[..., D]`. */
function rowsOf(x: tf.TensorInfo): [number, number] {
  const d = x.shape[x.shape.length - 1];
  return [sizeOf(x.shape) / d, d];
}

// x [..., D], weight? [D], bias? [D] → y [..., D]
const layerNormForward: WasmKernelFunc<LayerNormInputs, LayerNormAttrs> = ({ inputs: { x, weight, bias }, backend, attrs }) => {
  const [rows, d] = rowsOf(x);
  const [xo, wo, bo] = [offsetOf(backend, x), weight ? offsetOf(backend, weight) : NONE, bias ? offsetOf(backend, bias) : NONE];
  return withOutputs(backend, [[...x.shape]], (mem, [y]) => loadedNativeKernels().layerNormForward(mem, xo, wo, bo, y, rows, d, attrs.eps))[0];
};

// dy, x [..., D], weight? [D] → dx [..., D], dW? [D], db? [D]
const layerNormBackward: WasmKernelFunc<LayerNormGradInputs, LayerNormGradAttrs> = ({ inputs: { dy, x, weight }, backend, attrs }) => {
  const [rows, d] = rowsOf(x);
  const shapes = [[...x.shape]];
  if (attrs.hasWeight) shapes.push([d]);
  if (attrs.hasBias) shapes.push([d]);
  const [dyo, xo, wo] = [offsetOf(backend, dy), offsetOf(backend, x), weight ? offsetOf(backend, weight) : NONE];
  return withOutputs(backend, shapes, (mem, outs) => {
    const dw = attrs.hasWeight ? outs[1] : NONE;
    const db = attrs.hasBias ? outs[attrs.hasWeight ? 2 : 1] : NONE;
    loadedNativeKernels().layerNormBackward(mem, dyo, xo, wo, outs[0], dw, db, rows, d, attrs.eps);
  });
};

/** The wasm kernels of LayerNorm, for `registerNativeKernels`. */
export const layerNormKernels: tf.KernelConfig[] = [
  wasmKernel(LAYER_NORM, layerNormForward),
  wasmKernel(LAYER_NORM_PLAIN, layerNormForward),
  wasmKernel(LAYER_NORM_GRAD, layerNormBackward),
];

/** Runs {@link LAYER_NORM_GRAD}: `[dx]`, or `[dx, dW, db]` when `affine`. */
function gradient(dy: tf.Tensor, x: tf.Tensor, weight: tf.Tensor | undefined, eps: number, affine: boolean): tf.Tensor[] {
  const inputs: tf.NamedTensorMap & LayerNormGradInputs = { dy, x };
  if (weight) inputs.weight = weight;
  return tf.engine().runKernel(LAYER_NORM_GRAD, inputs, { eps, hasWeight: affine, hasBias: affine } satisfies LayerNormGradAttrs) as tf.Tensor[];
}

/** The gradients of {@link LAYER_NORM} and {@link LAYER_NORM_PLAIN}: one {@link LAYER_NORM_GRAD} kernel each. */
export const layerNormGradients: tf.GradConfig[] = [
  {
    kernelName: LAYER_NORM,
    inputsToSave: ['x', 'weight'],
    gradFunc: (dy, [x, weight], attrs) => {
      const grads = gradient(dy as tf.Tensor, x, weight, (attrs as unknown as LayerNormAttrs).eps, true);
      return { x: () => grads[0], weight: () => grads[1], bias: () => grads[2] };
    },
  },
  {
    kernelName: LAYER_NORM_PLAIN,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const [dx] = gradient(dy as tf.Tensor, x, undefined, (attrs as unknown as LayerNormAttrs).eps, false);
      return { x: () => dx };
    },
  },
];
