import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { fail } from './errors';
import { pickleTorch } from './pickler';
import { checkOptions, writeArchive, type SaveTorchOptions } from './save';

/**
 * Writes `value` to `path` in the zip format of `torch.save`, streaming one tensor at a time (tensors of
 * an open file are read as they are written), to a temporary file that is fsynced and renamed over `path`.
 *
 * @param path - the output file (`.pth`, `.pt`, `.pth.tar`).
 * @param value - see {@link serializeTorchFile}.
 * @param options - see {@link SaveTorchOptions}.
 * @example
 * saveTorchFile('tiny.pth', new Map([['weight', { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) }]]));
 */
export function saveTorchFile(path: string, value: unknown, options: SaveTorchOptions = {}): void {
  if (typeof path !== 'string' || path === '') fail('path', 'a file path', path);
  checkOptions(options);
  const prefix = options.prefix ?? (basename(path).replace(/\.[^.]*$/, '').replace(/[^\w.-]/g, '_') || 'archive');
  const pickled = pickleTorch(value); // validates everything before a file is created
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeArchive({ write: (bytes) => writeAll(fd, bytes) }, pickled, prefix, options.forceZip64 ?? false);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, path);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(temporary, { force: true });
    throw error;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
}
