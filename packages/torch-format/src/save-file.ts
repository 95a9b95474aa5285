import { basename } from 'node:path';
import { fail } from '@vjepa/base';
import { writeFileAtomicSync } from '@vjepa/base/node';
import { pickleTorch } from './pickler';
import { checkOptions, writeArchive, type SaveTorchOptions } from './save';

/**
 * Writes `value` to `path` in the zip format of `torch.save`, streaming one tensor at a time (tensors of
 * an open file are read as they are written), atomically: to a temporary file beside `path` that is
 * fsynced and renamed over it, then the directory is fsynced (`writeFileAtomicSync` of `@vjepa/base/node`).
 * A process killed at any point leaves the previous file or the new one.
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
  writeFileAtomicSync(path, (write) => writeArchive({ write }, pickled, prefix, options.forceZip64 ?? false));
}
