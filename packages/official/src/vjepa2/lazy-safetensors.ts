import { CheckpointError, fail, parseSafetensorsHeader, safetensorsHeaderLength, verbatim, type SafetensorsEntry } from '@vjepa/core';
import { lazyTensor, type LazyTensor, type WeightDtype } from './lazy-tensor';

/** An open safetensors file whose tensors are read one at a time, on demand. */
export interface LazySafetensors {
  /** The weight tensors (F32, F16, BF16) in header order, lazy. */
  readonly tensors: Map<string, LazyTensor>;
  /** Every tensor's name, dtype and shape (integer tensors too), in header order. */
  readonly entries: readonly SafetensorsEntry[];
  /** The `__metadata__` strings. */
  readonly metadata: Record<string, string>;
  /** Closes the file; tensors cannot be read afterwards. */
  close(): void;
}

/** Positioned reads of a file's bytes (a `ByteSource` of `@vjepa/torch-format`). */
export interface SafetensorsBytes {
  /** The name used in messages. */
  readonly name: string;
  /** Total length in bytes. */
  readonly size: number;
  /** `length` bytes at `position`. */
  read(position: number, length: number): Uint8Array;
  /** Releases the file. */
  close(): void;
}

/**
 * A safetensors file validated whole by `@vjepa/base`'s header parser (a truncated file, overlapping or
 * missing bytes are refused here, before anything is read), each tensor reading only its own bytes when
 * asked. Tensors of other dtypes than F32, F16, BF16 are listed in `entries` only.
 *
 * @param source - the bytes (kept until `close`).
 * @throws CheckpointError for a malformed file.
 */
export function lazySafetensors(source: SafetensorsBytes): LazySafetensors {
  const path = source.name;
  try {
    const headerLength = safetensorsHeaderLength(source.read(0, Math.min(8, source.size)), source.size, path);
    const dataStart = 8 + headerLength;
    const layout = parseSafetensorsHeader(source.read(8, headerLength), source.size - dataStart, path);
    const tensors = new Map<string, LazyTensor>();
    for (const entry of layout.entries) if (isWeight(entry.dtype)) tensors.set(entry.name, entryTensor(entry, dataStart, source));
    return { tensors, entries: layout.entries, metadata: layout.metadata, close: () => source.close() };
  } catch (error) {
    source.close();
    throw error;
  }
}

/** {@link lazySafetensors} over bytes in memory (tensors read as views of them). */
export function parseLazySafetensors(bytes: Uint8Array, name: string): LazySafetensors {
  let open = true;
  return lazySafetensors({
    name,
    size: bytes.length,
    read(position, length) {
      if (!open) fail(name, 'an open file (read the tensors before closing it)', verbatim('a closed file'));
      if (position + length > bytes.length) fail(`${name}: read of ${length} bytes at ${position}`, `a range inside the ${bytes.length} bytes`, position + length, 'The file is truncated', CheckpointError);
      return bytes.subarray(position, position + length);
    },
    close() {
      open = false;
    },
  });
}

function isWeight(dtype: string): dtype is WeightDtype {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

function entryTensor(entry: SafetensorsEntry, dataStart: number, source: SafetensorsBytes): LazyTensor {
  const { dtype, shape, begin, end } = entry;
  return lazyTensor(shape, dtype as WeightDtype, () => source.read(dataStart + begin, end - begin));
}
