/**
 * The element types of PyTorch tensors this package reads and writes, their sizes, the legacy storage
 * class names that name them inside pickles (`torch.FloatStorage` …), and the typed array of each.
 *
 * @packageDocumentation
 */
import { bfloat16ToFloat32, float16ToFloat32 } from '@vjepa/base';

/** A tensor element type, by its safetensors name. */
export type TorchDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/**
 * The elements of a tensor, row-major: Float64Array (F64), Float32Array (F32), Uint16Array of raw bits
 * (F16, BF16 — widen with {@link toFloat32}), BigInt64Array (I64), Int32Array, Int16Array, Int8Array,
 * Uint8Array (U8, and BOOL as 0/1).
 */
export type TorchTensorData = Float64Array | Float32Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** Bytes per element. */
export const DTYPE_BYTES: Readonly<Record<TorchDtype, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** The dtypes, in the order of the table above. */
export const TORCH_DTYPES = Object.keys(DTYPE_BYTES) as TorchDtype[];

/** `torch.<Name>Storage` → dtype, as `torch.save` names storages in pickles. */
export const STORAGE_DTYPES: Readonly<Record<string, TorchDtype>> = {
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** dtype → `torch.<Name>Storage`. */
export const DTYPE_STORAGES: Readonly<Record<TorchDtype, string>> = Object.fromEntries(
  Object.entries(STORAGE_DTYPES).map(([name, dtype]) => [dtype, name]),
) as Record<TorchDtype, string>;

/** A typed array of `dtype` viewing `byteLength / size` elements of `buffer` at `byteOffset` (which must be aligned). */
export function typedView(dtype: TorchDtype, buffer: ArrayBufferLike, byteOffset: number, count: number): TorchTensorData {
  switch (dtype) {
    case 'F64':
      return new Float64Array(buffer, byteOffset, count);
    case 'F32':
      return new Float32Array(buffer, byteOffset, count);
    case 'F16':
    case 'BF16':
      return new Uint16Array(buffer, byteOffset, count);
    case 'I64':
      return new BigInt64Array(buffer, byteOffset, count);
    case 'I32':
      return new Int32Array(buffer, byteOffset, count);
    case 'I16':
      return new Int16Array(buffer, byteOffset, count);
    case 'I8':
      return new Int8Array(buffer, byteOffset, count);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buffer, byteOffset, count);
  }
}

/** Whether `data` is the typed array {@link TorchTensorData} names for `dtype`. */
export function fitsDtype(dtype: TorchDtype, data: unknown): boolean {
  switch (dtype) {
    case 'F64':
      return data instanceof Float64Array;
    case 'F32':
      return data instanceof Float32Array;
    case 'F16':
    case 'BF16':
      return data instanceof Uint16Array;
    case 'I64':
      return data instanceof BigInt64Array;
    case 'I32':
      return data instanceof Int32Array;
    case 'I16':
      return data instanceof Int16Array;
    case 'I8':
      return data instanceof Int8Array;
    case 'U8':
    case 'BOOL':
      return data instanceof Uint8Array;
  }
}

/**
 * Widens any tensor data to float32, as tfjs needs: F16 through a table, BF16 exactly (its bits are the top
 * half of float32's), integers and F64 by `Number` (F64 rounds to nearest). F32 data is returned as is.
 *
 * @param dtype - the stored element type.
 * @param data - the elements, as {@link TorchTensorData} of that dtype.
 */
export function toFloat32(dtype: TorchDtype, data: TorchTensorData): Float32Array {
  if (dtype === 'F32') return data as Float32Array;
  if (dtype === 'BF16') return bfloat16ToFloat32(data as Uint16Array);
  if (dtype === 'F16') return float16ToFloat32(data as Uint16Array);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}
