import * as tf from '@tensorflow/tfjs-core';
import type { AcceleratorInfo } from '../backend';

/**
 * The subset of `@vjepa/accelerate`'s `NativeKernels` that core calls. Declared here so that core
 * needs the optional package only at run time (it is loaded with a dynamic import).
 */
export interface NativeKernelSet {
  gemm(mem: Uint8Array, transA: number, transB: number, m: number, n: number, k: number, alpha: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): void;
  linearForward(mem: Uint8Array, x: number, w: number, bias: number, y: number, m: number, inFeatures: number, outFeatures: number): void;
  linearBackward(mem: Uint8Array, dy: number, x: number, w: number, dx: number, dw: number, db: number, m: number, inFeatures: number, outFeatures: number): void;
  layerNormForward(mem: Uint8Array, x: number, w: number, b: number, y: number, rows: number, d: number, eps: number): void;
  layerNormBackward(mem: Uint8Array, dy: number, x: number, w: number, dx: number, dw: number, db: number, rows: number, d: number, eps: number): void;
  geluForward(mem: Uint8Array, x: number, y: number, n: number): void;
  geluBackward(mem: Uint8Array, dy: number, x: number, dx: number, n: number): void;
  attentionForward(mem: Uint8Array, q: number, k: number, v: number, out: number, batch: number, nq: number, nk: number, heads: number, dh: number, qs: number, ks: number, vs: number, os: number, scale: number): void;
  attentionBackward(mem: Uint8Array, q: number, k: number, v: number, dout: number, dq: number, dk: number, dv: number, batch: number, nq: number, nk: number, heads: number, dh: number, qs: number, ks: number, vs: number, os: number, scale: number): void;
  adamw(mem: Uint8Array, p: number, m: number, v: number, g: number, pOut: number, mOut: number, vOut: number, n: number, decayFactor: number, beta1: number, beta2: number, sqrtBias2: number, eps: number, negStepSize: number, gradScale: number): void;
  ema(mem: Uint8Array, target: number, online: number, out: number, n: number, momentum: number, keep: number): void;
  gatherRows(mem: Uint8Array, x: number, idx: number, out: number, count: number, rowSize: number, rows: number): boolean;
  sumSquares(mem: Uint8Array, x: number, n: number): number;
  setThreads(threads: number): number;
  blasInfo(): string;
}

/** The wasm backend's internals a kernel needs: its heap and the heap offset of each tensor. */
export interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

let kernels: NativeKernelSet | null = null;
let enabled = true;
let info: AcceleratorInfo = { name: 'none', reason: 'selectBackend() has not been called' };

/** Installs (or removes, with null) the native kernels that the fused ops run on wasm. */
export function setNativeKernels(next: NativeKernelSet | null, why: AcceleratorInfo): void {
  kernels = next;
  info = why;
}

/** The accelerator state as `selectBackend` reports it. */
export function acceleratorInfo(): AcceleratorInfo {
  return info;
}

/**
 * Turns the native kernels off (false) or back on (true, when loaded) for the ops that follow: the
 * fused ops then run their plain tfjs reference. For tests and `vjepa parity --accelerator none`.
 */
export function useNativeKernels(on: boolean): void {
  enabled = on;
}

/** The native kernels when they are loaded, enabled and the active backend is wasm; else null. */
export function activeNativeKernels(): NativeKernelSet | null {
  return kernels !== null && enabled && tf.getBackend() === 'wasm' ? kernels : null;
}

/** The loaded kernels regardless of the active backend (for kernel functions, which run on wasm). */
export function loadedNativeKernels(): NativeKernelSet {
  if (kernels === null) throw new Error('vjepa: a native kernel ran without native kernels loaded');
  return kernels;
}

/** Heap byte offset of a float32 tensor on the wasm backend. */
export function offsetOf(backend: WasmBackendInternals, tensor: tf.TensorInfo, dtype: 'float32' | 'int32' = 'float32'): number {
  if (tensor.dtype !== dtype) throw new Error(`vjepa native kernel: expected a ${dtype} tensor, received ${tensor.dtype}`);
  const data = backend.dataIdMap.get(tensor.dataId);
  if (data === undefined) throw new Error('vjepa native kernel: a tensor is not on the wasm backend');
  return data.memoryOffset;
}
