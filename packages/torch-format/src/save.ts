import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { fail } from './errors';
import { pickleTorch, type PickledTensor } from './pickler';
import { TorchTensor } from './tensor';
import { ZipWriter, type ByteSink } from './zip-writer';

/** Options of {@link saveTorchFile} and {@link serializeTorchFile}. */
export interface SaveTorchOptions {
  /** The archive's top folder (default: the file name without its last extension, as torch names it; `archive` in memory). */
  prefix?: string;
  /** Write Zip64 records even when no size needs them (for testing readers). */
  forceZip64?: boolean;
}

const OPTION_KEYS = ['prefix', 'forceZip64'];

function checkOptions(options: SaveTorchOptions): void {
  if (options === null || typeof options !== 'object') fail('options', 'an object', options);
  for (const key of Object.keys(options)) if (!OPTION_KEYS.includes(key)) fail(`options.${key}`, `one of ${OPTION_KEYS.join(', ')}`, key);
  if (options.prefix !== undefined && !/^[\w.-]{1,200}$/.test(options.prefix)) fail('options.prefix', 'a folder name of letters, digits, _ . -', options.prefix);
}

function tensorBytes(tensor: PickledTensor['tensor']): Uint8Array {
  if (tensor instanceof TorchTensor) return tensor.readBytes();
  const data = tensor.data;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function writeArchive(sink: ByteSink, { pickle, tensors }: ReturnType<typeof pickleTorch>, prefix: string, forceZip64: boolean): void {
  const zip = new ZipWriter(sink, forceZip64);
  zip.add(`${prefix}/data.pkl`, [pickle]);
  zip.add(`${prefix}/byteorder`, [new TextEncoder().encode('little')]);
  for (const { key, tensor } of tensors) zip.add(`${prefix}/data/${key}`, [tensorBytes(tensor)]);
  zip.add(`${prefix}/version`, [new TextEncoder().encode('3\n')]);
  zip.finish();
}

/**
 * Serialises `value` in the zip format of `torch.save` (what `torch.load`, with `weights_only=True` too,
 * reads): see `pickleTorch` for how values map to Python.
 *
 * @param value - tensors (`{dtype, shape, data}` or TorchTensor), nested Maps/objects/arrays/tuples, numbers, strings, null.
 * @param options - see {@link SaveTorchOptions}.
 */
export function serializeTorchFile(value: unknown, options: SaveTorchOptions = {}): Uint8Array {
  checkOptions(options);
  const parts: Uint8Array[] = [];
  writeArchive({ write: (bytes) => parts.push(Uint8Array.prototype.slice.call(bytes)) }, pickleTorch(value), options.prefix ?? 'archive', options.forceZip64 ?? false);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

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
