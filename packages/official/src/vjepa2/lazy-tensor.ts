import { CheckpointError, decodeSafetensorData, fail, type HostTensor } from '@vjepa/core';
import type { TorchTensor } from '@vjepa/torch-format';

/** The element types of V-JEPA 2 weights: float32, float16 and bfloat16 (their safetensors names). */
export type WeightDtype = 'F32' | 'F16' | 'BF16';

/** Bytes per element of each {@link WeightDtype}. */
export const WEIGHT_DTYPE_BYTES: Readonly<Record<WeightDtype, number>> = { F32: 4, F16: 2, BF16: 2 };

/**
 * A weight tensor of an open file, not yet read: its shape and stored dtype are known, its elements are
 * read from disk only when {@link LazyTensor.read} (widened to float32) or {@link LazyTensor.readBytes}
 * (as stored) is called, and nothing is cached — so a state dict of lazy tensors costs no memory until
 * each tensor is read, one at a time.
 */
export interface LazyTensor {
  /** The dimensions, row-major. */
  readonly shape: readonly number[];
  /** The stored element type. */
  readonly dtype: WeightDtype;
  /** Bytes of the stored elements. */
  readonly byteLength: number;
  /** The stored elements: contiguous little-endian bytes, row-major. */
  readBytes(): Uint8Array;
  /** The elements widened to float32 (exact for F16 and BF16). */
  read(): Float32Array;
}

/** A state dict of lazy tensors by official key, in the official order. */
export type LazyStateDict = Map<string, LazyTensor>;

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A {@link LazyTensor} from a shape, a dtype and a function reading the stored bytes. */
export function lazyTensor(shape: readonly number[], dtype: WeightDtype, readBytes: () => Uint8Array): LazyTensor {
  const byteLength = numel(shape) * WEIGHT_DTYPE_BYTES[dtype];
  return {
    shape: [...shape],
    dtype,
    byteLength,
    readBytes,
    read: () => decodeSafetensorData(readBytes(), 0, byteLength, dtype) as Float32Array,
  };
}

function isWeightDtype(dtype: string): dtype is WeightDtype {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

/**
 * The lazy form of a tensor of a `torch.save` file (which must stay open while it is read).
 *
 * @param tensor - the tensor.
 * @param where - `file: entry[key]`, for errors.
 * @throws CheckpointError when the tensor is not float32, float16 or bfloat16.
 */
export function lazyFromTorch(tensor: TorchTensor, where: string): LazyTensor {
  if (!isWeightDtype(tensor.dtype)) fail(`${where} dtype`, 'F32, F16 or BF16 weights', tensor.dtype, undefined, CheckpointError);
  return lazyTensor(tensor.shape, tensor.dtype, () => tensor.readBytes());
}

/** A tensor given in memory (float32), as a {@link LazyTensor} (what the writer takes). */
export function lazyFromHost(tensor: HostTensor, where: string): LazyTensor {
  if (!(tensor.data instanceof Float32Array)) fail(`${where}.data`, 'a Float32Array', tensor.data);
  if (tensor.data.length !== numel(tensor.shape)) fail(`${where}.data`, `${numel(tensor.shape)} elements (shape [${tensor.shape.join(', ')}])`, tensor.data.length);
  const data = tensor.data;
  return {
    shape: [...tensor.shape],
    dtype: 'F32',
    byteLength: data.byteLength,
    readBytes: () => new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    read: () => data,
  };
}

/**
 * Tensors of one dtype concatenated along their first axis (HF's q, k, v back into the official qkv).
 *
 * @param parts - the tensors, equal in every dimension but the first.
 * @param where - for errors.
 */
export function concatRows(parts: readonly LazyTensor[], where: string): LazyTensor {
  const [first] = parts;
  const rest = first.shape.slice(1);
  for (const part of parts) {
    if (part.dtype !== first.dtype) fail(`${where} dtype`, `one dtype for every part (${first.dtype})`, part.dtype, undefined, CheckpointError);
    if (part.shape.length !== first.shape.length || part.shape.slice(1).some((d, i) => d !== rest[i])) {
      fail(`${where} shape`, `parts of shape [*, ${rest.join(', ')}]`, [...part.shape], undefined, CheckpointError);
    }
  }
  const rows = parts.reduce((n, p) => n + p.shape[0], 0);
  return lazyTensor([rows, ...rest], first.dtype, () => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part.readBytes(), at);
      at += part.byteLength;
    }
    return out;
  });
}

/**
 * Rows `[begin, end)` of the first axis of `tensor`, with a new shape of the same element count (the
 * official qkv split into HF's q, k, v; a mask token out of HF's stacked `[10, 1, 1, P]`).
 *
 * @param tensor - the whole tensor.
 * @param begin - the first row.
 * @param end - one past the last row.
 * @param shape - the shape of the slice.
 */
export function sliceRows(tensor: LazyTensor, begin: number, end: number, shape: readonly number[]): LazyTensor {
  const rowBytes = tensor.byteLength / tensor.shape[0];
  if (numel(shape) * WEIGHT_DTYPE_BYTES[tensor.dtype] !== (end - begin) * rowBytes) {
    fail('shape', `${((end - begin) * rowBytes) / WEIGHT_DTYPE_BYTES[tensor.dtype]} elements`, [...shape]);
  }
  return lazyTensor(shape, tensor.dtype, () => tensor.readBytes().subarray(begin * rowBytes, end * rowBytes));
}

/** Reads every tensor of a lazy state dict, one at a time, into float32 host tensors. */
export function readAll(state: LazyStateDict): Map<string, HostTensor & { data: Float32Array }> {
  const out = new Map<string, HostTensor & { data: Float32Array }>();
  for (const [key, tensor] of state) out.set(key, { shape: [...tensor.shape], data: tensor.read() });
  return out;
}
