import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { DTYPE_BYTES, type TorchDtype } from '@vjepa/torch-format';

/** One tensor to stream into a safetensors file: its bytes are asked for only when it is written. */
export interface StreamedTensor {
  name: string;
  dtype: TorchDtype;
  shape: readonly number[];
  /** Contiguous little-endian bytes, row-major. */
  bytes(): Uint8Array;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
}

/**
 * Writes a safetensors file one tensor at a time (a multi-GB checkpoint never sits in memory whole), with
 * every dtype of a PyTorch file kept as it is (F64 … BOOL), the header padded to 8 bytes, data ordered by
 * element size so each tensor is aligned; to a temporary file that is fsynced and renamed over `path`.
 *
 * @param path - the output `.safetensors`.
 * @param tensors - the tensors, names unique.
 * @param metadata - `__metadata__` strings.
 * @param layout - where `__metadata__` goes in the header: `first` (default) or `last` (as the Hugging Face
 *   files of transformers' converters have it).
 */
export function writeSafetensorsStreaming(path: string, tensors: readonly StreamedTensor[], metadata: Record<string, string>, layout: { metadata: 'first' | 'last' } = { metadata: 'first' }): void {
  const ordered = [...tensors].sort((a, b) => DTYPE_BYTES[b.dtype] - DTYPE_BYTES[a.dtype]);
  const header: Record<string, unknown> = layout.metadata === 'first' ? { __metadata__: metadata } : {};
  let end = 0;
  for (const t of ordered) {
    const length = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [end, end + length] };
    end += length;
  }
  if (layout.metadata === 'last') header.__metadata__ = metadata;
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeAll(fd, prefix);
    writeAll(fd, headerBytes);
    for (const t of ordered) writeAll(fd, t.bytes());
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
}
