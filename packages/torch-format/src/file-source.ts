import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { checkRange, type ByteSource } from './byte-source';
import { fail, IoError, UsageError } from '@vjepa/base';

/** Bytes per read call; Node refuses single reads of 2 GiB or more. */
const READ_CHUNK = 1 << 30;

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
      if (!open) throw new UsageError(`${path}: the file was closed; open it again to read tensors`);
      checkRange(source, position, length);
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        const n = readSync(fd, out, done, Math.min(length - done, READ_CHUNK), position + done);
        if (n === 0) throw new IoError(`${path}: the file ended at byte ${position + done} while being read; was it truncated meanwhile?`);
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
