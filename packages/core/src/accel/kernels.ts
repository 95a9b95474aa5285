import * as tf from '@tensorflow/tfjs-core';
import { activeNativeKernels, loadedNativeKernels, offsetOf, type WasmBackendInternals } from './native';

/**
 * Kernels of the fused ops on the wasm backend, running the native addon on the wasm heap. Each op's
 * plain tfjs reference sits in `../ops/fused.ts`; the tests compare both, forward and gradient.
 * Registration happens once, from `selectBackend`, when the addon loads.
 */

export const LINEAR = 'VjepaLinear';
export const LINEAR_NO_BIAS = 'VjepaLinearNoBias';
export const LINEAR_GRAD = 'VjepaLinearGrad';
export const LAYER_NORM = 'VjepaLayerNorm';
/** LayerNorm without weight and bias (the target's). Separate kernels, because a gradient config saves a fixed list of inputs. */
export const LAYER_NORM_PLAIN = 'VjepaLayerNormPlain';
export const LAYER_NORM_GRAD = 'VjepaLayerNormGrad';
export const GELU = 'VjepaGelu';
export const GELU_GRAD = 'VjepaGeluGrad';
export const SELF_ATTENTION = 'VjepaSelfAttention';
export const SELF_ATTENTION_GRAD = 'VjepaSelfAttentionGrad';
export const ADAMW = 'VjepaAdamW';
export const EMA = 'VjepaEma';

type Inputs = Record<string, tf.TensorInfo | undefined>;
type Attrs = Record<string, unknown>;
type KernelFunc = (args: { inputs: Inputs; backend: WasmBackendInternals; attrs: Attrs }) => tf.TensorInfo | tf.TensorInfo[];

const NONE = -1;

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Allocates the outputs first (allocation may grow the heap), then hands the current heap to `run`. */
function withOutputs(backend: WasmBackendInternals, shapes: number[][], run: (mem: Uint8Array, outs: number[]) => void): tf.TensorInfo[] {
  const outputs = shapes.map((shape) => backend.makeOutput(shape, 'float32'));
  run(backend.wasm.HEAPU8, outputs.map((o) => offsetOf(backend, o)));
  return outputs;
}

const kernelFuncs: Record<string, KernelFunc> = {
  // x [M, in], weight [out, in], bias? [out] → y [M, out]
  [LINEAR]: ({ inputs: { x, weight, bias }, backend }) => {
    const [m, inF] = x!.shape;
    const outF = weight!.shape[0];
    const [xo, wo, bo] = [offsetOf(backend, x!), offsetOf(backend, weight!), bias ? offsetOf(backend, bias) : NONE];
    return withOutputs(backend, [[m, outF]], (mem, [y]) => loadedNativeKernels().linearForward(mem, xo, wo, bo, y, m, inF, outF))[0];
  },
  [LINEAR_NO_BIAS]: (args) => kernelFuncs[LINEAR](args),
  // dy [M, out], x [M, in], weight [out, in] → dx [M, in], dW [out, in], db [out] (when hasBias)
  [LINEAR_GRAD]: ({ inputs: { dy, x, weight }, backend, attrs }) => {
    const [m, inF] = x!.shape;
    const outF = weight!.shape[0];
    const shapes = attrs.hasBias ? [[m, inF], [outF, inF], [outF]] : [[m, inF], [outF, inF]];
    const [dyo, xo, wo] = [offsetOf(backend, dy!), offsetOf(backend, x!), offsetOf(backend, weight!)];
    return withOutputs(backend, shapes, (mem, [dx, dw, db]) =>
      loadedNativeKernels().linearBackward(mem, dyo, xo, wo, dx, dw, db ?? NONE, m, inF, outF),
    );
  },
  // x [..., D], weight? [D], bias? [D] → y [..., D]
  [LAYER_NORM]: ({ inputs: { x, weight, bias }, backend, attrs }) => {
    const d = x!.shape[x!.shape.length - 1];
    const rows = size(x!.shape) / d;
    const [xo, wo, bo] = [offsetOf(backend, x!), weight ? offsetOf(backend, weight) : NONE, bias ? offsetOf(backend, bias) : NONE];
    return withOutputs(backend, [[...x!.shape]], (mem, [y]) =>
      loadedNativeKernels().layerNormForward(mem, xo, wo, bo, y, rows, d, attrs.eps as number),
    )[0];
  },
  [LAYER_NORM_PLAIN]: (args) => kernelFuncs[LAYER_NORM](args),
  // dy, x [..., D], weight? [D] → dx [..., D], dW? [D], db? [D]
  [LAYER_NORM_GRAD]: ({ inputs: { dy, x, weight }, backend, attrs }) => {
    const d = x!.shape[x!.shape.length - 1];
    const rows = size(x!.shape) / d;
    const shapes = [[...x!.shape]];
    if (attrs.hasWeight) shapes.push([d]);
    if (attrs.hasBias) shapes.push([d]);
    const [dyo, xo, wo] = [offsetOf(backend, dy!), offsetOf(backend, x!), weight ? offsetOf(backend, weight) : NONE];
    return withOutputs(backend, shapes, (mem, outs) => {
      const dw = attrs.hasWeight ? outs[1] : NONE;
      const db = attrs.hasBias ? outs[attrs.hasWeight ? 2 : 1] : NONE;
      loadedNativeKernels().layerNormBackward(mem, dyo, xo, wo, outs[0], dw, db, rows, d, attrs.eps as number);
    });
  },
  [GELU]: ({ inputs: { x }, backend }) => {
    const xo = offsetOf(backend, x!);
    return withOutputs(backend, [[...x!.shape]], (mem, [y]) => loadedNativeKernels().geluForward(mem, xo, y, size(x!.shape)))[0];
  },
  [GELU_GRAD]: ({ inputs: { dy, x }, backend }) => {
    const [dyo, xo] = [offsetOf(backend, dy!), offsetOf(backend, x!)];
    return withOutputs(backend, [[...x!.shape]], (mem, [dx]) => loadedNativeKernels().geluBackward(mem, dyo, xo, dx, size(x!.shape)))[0];
  },
  // qkv [B, N, 3D] (rows [q | k | v], heads contiguous in each) → out [B, N, D]
  [SELF_ATTENTION]: ({ inputs: { qkv }, backend, attrs }) => {
    const [b, n, threeD] = qkv!.shape;
    const d = threeD / 3;
    const heads = attrs.heads as number;
    const base = offsetOf(backend, qkv!);
    return withOutputs(backend, [[b, n, d]], (mem, [out]) =>
      loadedNativeKernels().attentionForward(mem, base, base + 4 * d, base + 8 * d, out, b, n, n, heads, d / heads, threeD, threeD, threeD, d, 1 / Math.sqrt(d / heads)),
    )[0];
  },
  // qkv [B, N, 3D], dy [B, N, D] → dqkv [B, N, 3D]
  [SELF_ATTENTION_GRAD]: ({ inputs: { qkv, dy }, backend, attrs }) => {
    const [b, n, threeD] = qkv!.shape;
    const d = threeD / 3;
    const heads = attrs.heads as number;
    const [base, dyo] = [offsetOf(backend, qkv!), offsetOf(backend, dy!)];
    return withOutputs(backend, [[b, n, threeD]], (mem, [g]) =>
      loadedNativeKernels().attentionBackward(mem, base, base + 4 * d, base + 8 * d, dyo, g, g + 4 * d, g + 8 * d, b, n, n, heads, d / heads, threeD, threeD, threeD, d, 1 / Math.sqrt(d / heads)),
    )[0];
  },
  // param, m, v, grad (same shape) → param', m', v'
  [ADAMW]: ({ inputs: { param, m, v, grad }, backend, attrs }) => {
    const shape = [...param!.shape];
    const offsets = [param!, m!, v!, grad!].map((t) => offsetOf(backend, t));
    const a = attrs as Record<string, number>;
    return withOutputs(backend, [shape, shape, shape], (mem, [po, mo, vo]) =>
      loadedNativeKernels().adamw(mem, offsets[0], offsets[1], offsets[2], offsets[3], po, mo, vo, size(shape), a.decayFactor, a.beta1, a.beta2, a.sqrtBias2, a.eps, a.negStepSize, a.gradScale),
    );
  },
  // target, online → m·target + (1 − m)·online
  [EMA]: ({ inputs: { target, online }, backend, attrs }) => {
    const [to, oo] = [offsetOf(backend, target!), offsetOf(backend, online!)];
    return withOutputs(backend, [[...target!.shape]], (mem, [out]) =>
      loadedNativeKernels().ema(mem, to, oo, out, size(target!.shape), attrs.momentum as number, attrs.keep as number),
    )[0];
  },
};

function registerGradients(): void {
  for (const [kernelName, hasBias] of [[LINEAR, true], [LINEAR_NO_BIAS, false]] as const) {
    tf.registerGradient({
      kernelName,
      inputsToSave: ['x', 'weight'],
      gradFunc: (dy, [x, weight]) => {
        const grads = tf.engine().runKernel(LINEAR_GRAD, { dy: dy as tf.Tensor, x, weight }, { hasBias }) as tf.Tensor[];
        return { x: () => grads[0], weight: () => grads[1], bias: () => grads[2] };
      },
    });
  }
  tf.registerGradient({
    kernelName: LAYER_NORM,
    inputsToSave: ['x', 'weight'],
    gradFunc: (dy, [x, weight], attrs) => {
      const eps = (attrs as Attrs).eps as number;
      const grads = tf.engine().runKernel(LAYER_NORM_GRAD, { dy: dy as tf.Tensor, x, weight }, { eps, hasWeight: true, hasBias: true }) as tf.Tensor[];
      return { x: () => grads[0], weight: () => grads[1], bias: () => grads[2] };
    },
  });
  tf.registerGradient({
    kernelName: LAYER_NORM_PLAIN,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const eps = (attrs as Attrs).eps as number;
      const [dx] = tf.engine().runKernel(LAYER_NORM_GRAD, { dy: dy as tf.Tensor, x }, { eps, hasWeight: false, hasBias: false }) as tf.Tensor[];
      return { x: () => dx };
    },
  });
  tf.registerGradient({
    kernelName: GELU,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.engine().runKernel(GELU_GRAD, { dy: dy as tf.Tensor, x }) as tf.Tensor }),
  });
  tf.registerGradient({
    kernelName: SELF_ATTENTION,
    inputsToSave: ['qkv'],
    gradFunc: (dy, [qkv], attrs) => ({
      qkv: () => tf.engine().runKernel(SELF_ATTENTION_GRAD, { qkv, dy: dy as tf.Tensor }, { heads: (attrs as Attrs).heads as number }) as tf.Tensor,
    }),
  });
}

let registered = false;

/** Registers the fused kernels on the wasm backend and their gradients, once. */
export function registerNativeKernels(): void {
  if (registered) return;
  for (const [kernelName, kernelFunc] of Object.entries(kernelFuncs)) {
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  registerGradients();
  registerBatchMatMul();
  registerGather();
  registered = true;
}

/**
 * Replaces wasm's BatchMatMul with cblas_sgemm on the heap (transpose flags passed to the BLAS, batch
 * dimensions equal or broadcast from 1). Anything else, and every call while the native kernels are
 * off, goes to the kernel it replaces.
 */
function registerBatchMatMul(): void {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (original === undefined) return;
  const fallback = original.kernelFunc as unknown as KernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs;
    const native = activeNativeKernels();
    if (native === null || a!.dtype !== 'float32' || b!.dtype !== 'float32' || a!.shape.length < 2 || b!.shape.length < 2) return fallback(args);
    const transA = Boolean(args.attrs.transposeA);
    const transB = Boolean(args.attrs.transposeB);
    const ra = a!.shape.length, rb = b!.shape.length;
    const m = transA ? a!.shape[ra - 1] : a!.shape[ra - 2];
    const k = transA ? a!.shape[ra - 2] : a!.shape[ra - 1];
    const n = transB ? b!.shape[rb - 2] : b!.shape[rb - 1];
    const batchA = size(a!.shape.slice(0, -2));
    const batchB = size(b!.shape.slice(0, -2));
    const outerA = a!.shape.slice(0, -2);
    const outerB = b!.shape.slice(0, -2);
    const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
    if (!(sameOuter || batchA === 1 || batchB === 1)) return fallback(args);
    const outer = batchA >= batchB ? outerA : outerB;
    const batch = Math.max(batchA, batchB);
    const [ao, bo] = [offsetOf(args.backend, a!), offsetOf(args.backend, b!)];
    return withOutputs(args.backend, [[...outer, m, n]], (mem, [c]) => {
      for (let i = 0; i < batch; i++) {
        const pa = ao + 4 * (batchA === 1 ? 0 : i) * m * k;
        const pb = bo + 4 * (batchB === 1 ? 0 : i) * k * n;
        native.gemm(mem, +transA, +transB, m, n, k, 1, pa, transA ? m : k, pb, transB ? k : n, 0, c + 4 * i * m * n, n);
      }
    })[0];
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/**
 * Replaces wasm's GatherV2 (a scalar loop per element) for float32 rows along axis 0 — the token gather of
 * the encoder, predictor and targets — with row copies. Other gathers, out-of-range indices and calls
 * while the native kernels are off go to the kernel it replaces.
 */
function registerGather(): void {
  const original = tf.getKernel('GatherV2', 'wasm');
  if (original === undefined) return;
  const fallback = original.kernelFunc as unknown as KernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const { x, indices } = args.inputs;
    const native = activeNativeKernels();
    const axis = Number(args.attrs.axis ?? 0);
    if (native === null || x!.dtype !== 'float32' || indices!.dtype !== 'int32' || axis !== 0 || Number(args.attrs.batchDims ?? 0) !== 0 || x!.shape.length < 1) {
      return fallback(args);
    }
    const rows = x!.shape[0];
    const rowSize = size(x!.shape.slice(1));
    const count = size(indices!.shape);
    const [xo, io] = [offsetOf(args.backend, x!), offsetOf(args.backend, indices!, 'int32')];
    const out = args.backend.makeOutput([...indices!.shape, ...x!.shape.slice(1)], 'float32');
    if (native.gatherRows(args.backend.wasm.HEAPU8, xo, io, offsetOf(args.backend, out), count, rowSize, rows)) return out;
    tf.engine().backend.disposeData(out.dataId);
    return fallback(args);
  };
  tf.unregisterKernel('GatherV2', 'wasm');
  tf.registerKernel({ ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}
