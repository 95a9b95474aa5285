import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { fail, IoError, parseSafetensorsHeader, safetensorsHeaderLength, type SafetensorsEntry } from '@vjepa/core';
import { lazyTensor, type LazyTensor, type WeightDtype } from './lazy-tensor';

/** Bytes per read call; Node refuses single reads of 2 GiB or more. */
const READ_CHUNK = 1 << 30;

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
  const fd = openSync(path, 'r');
  let open = true;
  const readAt = (position: number, length: number): Uint8Array => {
    if (!open) fail(path, 'an open file (read the tensors before closing it)', 'a closed file');
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const n = readSync(fd, out, done, Math.min(length - done, READ_CHUNK), position + done);
      if (n === 0) throw new IoError(`${path}: the file ended at byte ${position + done} while being read; was it truncated meanwhile?`);
      done += n;
    }
    return out;
  };
  try {
    const size = fstatSync(fd).size;
    const headerLength = safetensorsHeaderLength(readAt(0, Math.min(8, size)), size, path);
    const dataStart = 8 + headerLength;
    const layout = parseSafetensorsHeader(readAt(8, headerLength), size - dataStart, path);
    const tensors = new Map<string, LazyTensor>();
    for (const entry of layout.entries) if (isWeight(entry.dtype)) tensors.set(entry.name, entryTensor(entry, dataStart, readAt));
    return {
      tensors,
      entries: layout.entries,
      metadata: layout.metadata,
      close() {
        if (open) closeSync(fd);
        open = false;
      },
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function isWeight(dtype: string): dtype is WeightDtype {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

function entryTensor(entry: SafetensorsEntry, dataStart: number, readAt: (position: number, length: number) => Uint8Array): LazyTensor {
  const { dtype, shape, begin, end } = entry;
  return lazyTensor(shape, dtype as WeightDtype, () => readAt(dataStart + begin, end - begin));
}
