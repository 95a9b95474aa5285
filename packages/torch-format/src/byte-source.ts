import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { fail, TorchFormatError } from './errors';

/**
 * Random access to the bytes of a file or a buffer: every read is positioned, so a file of any size is
 * never held in one Buffer (Node refuses single reads of 2 GiB or more).
 */
export interface ByteSource {
  /** The name used in error messages. */
  readonly name: string;
  /** Total length in bytes. */
  readonly size: number;
  /** `length` bytes at `position`, in a fresh (or, for a buffer, shared) array; throws past the end. */
  read(position: number, length: number): Uint8Array;
  /** Releases the file; later reads throw. */
  close(): void;
}

/** Bytes per read call; Node refuses single reads of 2 GiB or more. */
const READ_CHUNK = 1 << 30;

function checkRange(source: ByteSource, position: number, length: number): void {
  if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0 || position + length > source.size) {
    fail(`${source.name}: read of ${length} bytes at ${position}`, `a range inside the ${source.size} bytes of the file`, `${position}..${position + length}`, 'The file is truncated or corrupt');
  }
}

/** A {@link ByteSource} over a file, read with positioned `readSync` calls. */
export function fileSource(path: string): ByteSource {
  const fd = openSync(path, 'r');
  let open = true;
  let size: number;
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) fail('path', 'a regular file', path);
    size = stats.size;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  const source: ByteSource = {
    name: path,
    size,
    read(position, length) {
      if (!open) throw new TorchFormatError(`${path}: the file was closed; open it again to read tensors`);
      checkRange(source, position, length);
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        const n = readSync(fd, out, done, Math.min(length - done, READ_CHUNK), position + done);
        if (n === 0) throw new TorchFormatError(`${path}: the file ended at byte ${position + done} while being read; was it truncated meanwhile?`);
        done += n;
      }
      return out;
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
  return source;
}

/** A {@link ByteSource} over bytes in memory (reads are views, not copies). */
export function bufferSource(bytes: Uint8Array, name = '<buffer>'): ByteSource {
  if (!(bytes instanceof Uint8Array)) fail('bytes', 'a Uint8Array', bytes);
  const source: ByteSource = {
    name,
    size: bytes.length,
    read(position, length) {
      checkRange(source, position, length);
      return bytes.subarray(position, position + length);
    },
    close() {},
  };
  return source;
}
