import { parseSafetensorsHeader, safetensorsHeaderLength, type SafetensorsEntry } from '@vjepa/core';
import { fileSource, type ByteSource } from '@vjepa/torch-format';
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

/**
 * Opens a safetensors file with the whole validation of `@vjepa/base`'s header parser (a truncated file,
 * overlapping or missing bytes are refused here, before anything is read), keeping it open so that each
 * tensor reads only its own bytes when asked.
 *
 * @param path - the file.
 * @throws CheckpointError for a malformed file. Tensors of other dtypes are listed in `entries` only.
 */
export function openLazySafetensors(path: string): LazySafetensors {
  const source = fileSource(path);
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

function isWeight(dtype: string): dtype is WeightDtype {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

function entryTensor(entry: SafetensorsEntry, dataStart: number, source: ByteSource): LazyTensor {
  const { dtype, shape, begin, end } = entry;
  return lazyTensor(shape, dtype as WeightDtype, () => source.read(dataStart + begin, end - begin));
}
