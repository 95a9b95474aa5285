import { fail, optionKeys } from '@vjepa/base';
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

const OPTION_KEYS: readonly string[] = optionKeys<SaveTorchOptions>({ prefix: true, forceZip64: true });

/** Throws on an unknown option key or a bad prefix. */
export function checkOptions(options: SaveTorchOptions): void {
  if (options === null || typeof options !== 'object') fail('options', 'an object', options);
  for (const key of Object.keys(options)) if (!OPTION_KEYS.includes(key)) fail(`options.${key}`, `one of ${OPTION_KEYS.join(', ')}`, key);
  if (options.prefix !== undefined && !/^[\w.-]{1,200}$/.test(options.prefix)) fail('options.prefix', 'a folder name of letters, digits, _ . -', options.prefix);
}

function tensorBytes(tensor: PickledTensor['tensor']): Uint8Array {
  if (tensor instanceof TorchTensor) return tensor.readBytes();
  const data = tensor.data;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Writes the records of a pickled value as a torch zip archive to `sink`. */
export function writeArchive(sink: ByteSink, { pickle, tensors }: ReturnType<typeof pickleTorch>, prefix: string, forceZip64: boolean): void {
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
