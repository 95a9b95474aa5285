import { DTYPE_BYTES, toFloat32, typedView, type TorchDtype, type TorchTensorData } from './dtypes';
import { failFile } from './errors';
import type { StorageReader } from './storage-reader';
import type { StorageRef } from './values';

/** A tensor read into memory: contiguous, row-major. */
export interface TensorValue {
  dtype: TorchDtype;
  /** `[]` for a scalar. */
  shape: number[];
  data: TorchTensorData;
}

/**
 * A tensor of a loaded file, not yet read: `_rebuild_tensor_v2(storage, storageOffset, shape, stride, …)`.
 * Its elements are read (positioned reads of only the bytes it spans) when {@link TorchTensor.read} is
 * called, and materialised contiguous whatever the offset and strides (views, transposes, expands).
 */
export class TorchTensor {
  /** Elements (product of the shape; 1 for a scalar). */
  readonly numel: number;

  /**
   * @param storage - the storage record the elements live in.
   * @param storageOffset - index of element (0, …, 0) in the storage, in elements.
   * @param shape - the dimensions.
   * @param stride - elements to step per index of each dimension.
   * @param requiresGrad - as saved (a `Parameter`'s flag).
   * @param reader - reads storage bytes from the open file.
   * @throws TorchFormatError when any index the tensor can reach lies outside its storage.
   */
  constructor(
    readonly storage: StorageRef,
    readonly storageOffset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
    readonly requiresGrad: boolean,
    private readonly reader: StorageReader,
  ) {
    const where = `${reader.name}: tensor on storage '${storage.key}'`;
    if (stride.length !== shape.length) failFile(`${where} stride`, `${shape.length} strides (one per dimension of [${shape.join(', ')}])`, [...stride]);
    let numel = 1;
    let last = storageOffset;
    for (let d = 0; d < shape.length; d++) {
      numel *= shape[d];
      if (shape[d] > 0) last += (shape[d] - 1) * stride[d];
    }
    this.numel = numel;
    if (!Number.isSafeInteger(numel) || !Number.isSafeInteger(last)) failFile(`${where} shape`, 'a size below 2^53 elements', [...shape]);
    if (numel > 0 && last >= storage.numel) {
      failFile(`${where}`, `element indices below the storage's ${storage.numel} elements`, `offset ${storageOffset}, shape [${shape.join(', ')}], stride [${stride.join(', ')}] reaching index ${last}`);
    }
  }

  /** The same tensor with `requiresGrad` set (what `_rebuild_parameter` does). */
  withRequiresGrad(requiresGrad: boolean): TorchTensor {
    return new TorchTensor(this.storage, this.storageOffset, this.shape, this.stride, requiresGrad, this.reader);
  }

  /** The stored element type. */
  get dtype(): TorchDtype {
    return this.storage.dtype;
  }

  /** Bytes of the tensor's own elements (`numel` × element size). */
  get byteLength(): number {
    return this.numel * DTYPE_BYTES[this.dtype];
  }

  /** Whether the elements are one run of the storage in row-major order. */
  get isContiguous(): boolean {
    let expected = 1;
    for (let d = this.shape.length - 1; d >= 0; d--) {
      if (this.shape[d] !== 1 && this.stride[d] !== expected) return false;
      expected *= this.shape[d];
    }
    return true;
  }

  /** Reads the elements: contiguous little-endian bytes, row-major. */
  readBytes(): Uint8Array {
    const size = DTYPE_BYTES[this.dtype];
    if (this.numel === 0) return new Uint8Array(0);
    if (this.isContiguous) return this.reader.read(this.storage, this.storageOffset * size, this.numel * size);
    // Read the span the view covers once, then gather element by element.
    let last = this.storageOffset;
    for (let d = 0; d < this.shape.length; d++) last += (this.shape[d] - 1) * this.stride[d];
    const span = this.reader.read(this.storage, this.storageOffset * size, (last - this.storageOffset + 1) * size);
    const out = new Uint8Array(this.numel * size);
    gather(span, out, size, this.shape, this.stride);
    return out;
  }

  /** Reads the elements as a typed array of the stored dtype (F16/BF16 as raw bits), contiguous row-major. */
  read(): TensorValue {
    const bytes = this.readBytes();
    const size = DTYPE_BYTES[this.dtype];
    // A copy when unaligned (not bytes.slice(): on a Node Buffer that is a view, not a copy).
    const aligned = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes);
    return { dtype: this.dtype, shape: [...this.shape], data: typedView(this.dtype, aligned.buffer, aligned.byteOffset, this.numel) };
  }

  /** Reads the elements widened to float32 (for tfjs): exact for F16, BF16 and small integers. */
  readFloat32(): Float32Array {
    const { data } = this.read();
    return toFloat32(this.dtype, data);
  }
}

/** Copies the strided elements of `span` (whose element 0 is the view's element (0, …, 0)) into `out`, row-major. */
function gather(span: Uint8Array, out: Uint8Array, size: number, shape: readonly number[], stride: readonly number[]): void {
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  const total = out.length / size;
  let source = 0;
  for (let i = 0; i < total; i++) {
    const from = source * size;
    for (let b = 0; b < size; b++) out[i * size + b] = span[from + b];
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      source += stride[d];
      if (index[d] < shape[d]) break;
      source -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
}
