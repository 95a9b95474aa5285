import { fail } from '@vjepa/base';
import { failFile } from './errors';

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

/** Throws unless `length` bytes at `position` lie inside `source`. */
export function checkRange(source: ByteSource, position: number, length: number): void {
  if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0 || position + length > source.size) {
    failFile(`${source.name}: read of ${length} bytes at ${position}`, `a range inside the ${source.size} bytes of the file`, `${position}..${position + length}`, 'The file is truncated or corrupt');
  }
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
