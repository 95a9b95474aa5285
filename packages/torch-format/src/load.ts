import { fileSource } from '#file-source';
import { bufferSource, type ByteSource } from './byte-source';
import { fail, verbatim } from '@vjepa/base';
import { failFile } from './errors';
import { loadLegacyFormat } from './legacy-format';
import { loadZipFormat } from './zip-format';

/** The serialisation a file uses. */
export type TorchFileFormat = 'zip' | 'legacy';

/** An opened `torch.save` file: the unpickled object, whose tensors read their bytes on demand. */
export interface TorchFile {
  /** `zip` (torch ≥ 1.6) or `legacy`. */
  readonly format: TorchFileFormat;
  /** The saved object (see `values.ts` for the JavaScript forms of Python values). */
  readonly root: unknown;
  /** The top folder of a zip archive (`archive`, `tiny-pretrain.pth`, …); empty for the legacy format. */
  readonly prefix: string;
  /** Zip record names, or the legacy storage keys. */
  readonly records: readonly string[];
  /** The file name used in messages. */
  readonly source: string;
  /** Closes the file; tensors cannot be read afterwards. */
  close(): void;
}

function detect(source: ByteSource): TorchFileFormat {
  const head = source.read(0, Math.min(source.size, 512));
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6)) return 'zip';
  if (head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar') {
    failFile(`${source.name}: format`, 'the zip or legacy format of torch.save', verbatim('a tar archive (the format of torch < 0.4, not supported)'), 'Load it once with an old PyTorch and save it again');
  }
  if (head.length >= 2 && head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) return 'legacy';
  failFile(`${source.name}: format`, 'a torch.save file (zip archive "PK\\x03\\x04" or legacy pickle "\\x80\\x02")', verbatim(`bytes ${[...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`));
}

function open(source: ByteSource): TorchFile {
  try {
    const format = detect(source);
    const loaded = format === 'zip' ? loadZipFormat(source) : { ...loadLegacyFormat(source), prefix: '' };
    return { format, root: loaded.root, prefix: loaded.prefix, records: loaded.records, source: source.name, close: () => source.close() };
  } catch (error) {
    source.close();
    throw error;
  }
}

/**
 * Opens a `torch.save` file (zip or legacy format) and unpickles its object with the allow-list; tensors
 * are {@link TorchTensor}s that read only their own bytes, with positioned reads, when asked. Close the
 * file when done.
 *
 * @param path - the file.
 * @throws TorchFormatError (or its subclass UnsafeGlobalError) naming the file and the problem; UsageError for a bad `path`.
 * @example
 * const file = openTorchFile('vitl16.pth.tar');
 * const encoder = (file.root as Map<string, unknown>).get('target_encoder') as Map<string, TorchTensor>;
 * const posEmbed = encoder.get('module.backbone.pos_embed')!.readFloat32();
 * file.close();
 */
export function openTorchFile(path: string): TorchFile {
  if (typeof path !== 'string' || path === '') fail('path', 'a file path', path);
  return open(fileSource(path));
}

/**
 * {@link openTorchFile} over bytes in memory: what a browser uses (`new Uint8Array(await file.arrayBuffer())`
 * of a dropped `File`). Tensors read from the bytes; nothing is copied until a tensor is read.
 *
 * @param bytes - the whole file, a Uint8Array (a Node Buffer too) or an ArrayBuffer.
 * @param name - the name used in messages.
 * @throws TorchFormatError (or its subclass UnsafeGlobalError) naming `name` and the problem; UsageError for bad arguments.
 * @example
 * const file = parseTorchFile(new Uint8Array(await dropped.arrayBuffer()), dropped.name);
 * const { state } = readPretrainedStateDict(file);
 */
export function parseTorchFile(bytes: Uint8Array | ArrayBuffer, name = '<buffer>'): TorchFile {
  if (typeof name !== 'string' || name === '') fail('name', 'a non-empty file name', name);
  if (bytes instanceof ArrayBuffer) return open(bufferSource(new Uint8Array(bytes), name));
  if (!(bytes instanceof Uint8Array)) fail(`${name}: bytes`, 'a Uint8Array or an ArrayBuffer', bytes);
  return open(bufferSource(bytes, name));
}
