import * as tf from '@tensorflow/tfjs-core';

/** The wasm backend's internals a kernel needs: its heap and the heap offset of each tensor. */
export interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/** A wasm kernel function with typed inputs and attrs (tfjs types both loosely). */
export type WasmKernelFunc<Inputs, Attrs = Record<string, never>> = (args: {
  inputs: Inputs;
  backend: WasmBackendInternals;
  attrs: Attrs;
}) => tf.TensorInfo | tf.TensorInfo[];

/** The heap offset the native kernels read as "no operand" (an absent bias, weight or gradient). */
export const NONE = -1;

/** The number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Heap byte offset of a float32 (or int32) tensor on the wasm backend. */
export function offsetOf(backend: WasmBackendInternals, tensor: tf.TensorInfo, dtype: 'float32' | 'int32' = 'float32'): number {
  if (tensor.dtype !== dtype) throw new Error(`vjepa native kernel: expected a ${dtype} tensor, received ${tensor.dtype}`);
  const data = backend.dataIdMap.get(tensor.dataId);
  if (data === undefined) throw new Error('vjepa native kernel: a tensor is not on the wasm backend');
  return data.memoryOffset;
}

/** Allocates float32 outputs first (allocation may grow the heap), then hands the current heap to `run`. */
export function withOutputs(backend: WasmBackendInternals, shapes: number[][], run: (mem: Uint8Array, outs: number[]) => void): tf.TensorInfo[] {
  const outputs = shapes.map((shape) => backend.makeOutput(shape, 'float32'));
  run(backend.wasm.HEAPU8, outputs.map((o) => offsetOf(backend, o)));
  return outputs;
}

/** The tfjs config of a kernel of ours on the wasm backend. */
export function wasmKernel<Inputs, Attrs>(kernelName: string, kernelFunc: WasmKernelFunc<Inputs, Attrs>): tf.KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/**
 * A kernel that replaces one of tfjs's own on wasm (`BatchMatMul`, `GatherV2`): `wrap` gets the kernel it
 * replaces, which is the reference it must equal and where every call it does not take goes.
 */
export interface KernelOverride {
  kernelName: string;
  wrap(original: WasmKernelFunc<tf.NamedTensorInfoMap, tf.NamedAttrMap>): WasmKernelFunc<tf.NamedTensorInfoMap, tf.NamedAttrMap>;
}
