import { checkpointBuild, checkpointGlobals, parseStoragePid, storageRef, type BrandedStorage } from './allow-list';
import type { ByteSource } from './byte-source';
import { DTYPE_BYTES, type TorchDtype } from './dtypes';
import { failFile } from './errors';
import type { StorageReader } from './storage-reader';
import { PickleTruncatedError, unpickle, type UnpickleOptions } from './unpickler';
import { PyTuple } from './values';

/** The magic number the legacy format starts with. */
export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** The protocol version of the legacy format. */
export const LEGACY_PROTOCOL = 1001;
/** The longest run of pickles read before the raw storages (they are small; storages are not in them). */
const MAX_PICKLES_BYTES = 1 << 30;

interface Storage {
  dtype: TorchDtype;
  numel: number;
}

/**
 * Loads the legacy format (`_use_new_zipfile_serialization=False`, torch < 1.6): magic, protocol and
 * sys-info pickles, the object pickle, the storage-key list pickle, then each storage as a little-endian
 * int64 element count and its raw bytes. The pickles are read in growing windows from the start; the
 * storages only when a tensor is read.
 */
export function loadLegacyFormat(source: ByteSource): { root: unknown; records: string[] } {
  const name = source.name;
  const starts = new Map<string, number>();
  const storages = new Map<string, Storage>();
  const reader: StorageReader = {
    name,
    read(storage, byteOffset, byteLength) {
      return source.read(starts.get(storage.key)! + storage.recordOffset * DTYPE_BYTES[storage.dtype] + byteOffset, byteLength);
    },
  };
  const options: UnpickleOptions = {
    source: name,
    findGlobal: checkpointGlobals(reader),
    build: checkpointBuild,
    persistentLoad(pid): BrandedStorage {
      const { type, key, location, numel, view } = parseStoragePid(pid, name);
      const known = storages.get(key);
      if (known && known.dtype !== type.dtype) failFile(`${name}: storage '${key}'`, `one dtype (${known.dtype})`, type.dtype);
      storages.set(key, { dtype: type.dtype, numel: Math.max(known?.numel ?? 0, numel) });
      if (view === null || view === undefined) return storageRef(key, type.dtype, numel, location);
      // (view_key, offset, view_size): a view into the root storage, as torch < 1.0 wrote shared storages.
      if (!(view instanceof PyTuple) || view.length !== 3) failFile(`${name}: storage view of '${key}'`, '(view_key, offset, size)', view);
      const [, offset, size] = view as unknown as [unknown, number, number];
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0 || offset + size > numel) {
        failFile(`${name}: storage view of '${key}'`, `offset and size within its ${numel} elements`, [offset, size]);
      }
      return storageRef(key, type.dtype, size, location, offset);
    },
  };
  let window = Math.min(source.size, 1 << 20);
  for (;;) {
    const bytes = source.read(0, window);
    try {
      return readPickles(bytes, options, source, storages, starts);
    } catch (error) {
      if (!(error instanceof PickleTruncatedError) || window >= Math.min(source.size, MAX_PICKLES_BYTES)) throw error;
      window = Math.min(source.size, MAX_PICKLES_BYTES, window * 8);
      storages.clear();
    }
  }
}

function readPickles(bytes: Uint8Array, options: UnpickleOptions, source: ByteSource, storages: Map<string, Storage>, starts: Map<string, number>) {
  const name = source.name;
  const plain: UnpickleOptions = { source: name, findGlobal: options.findGlobal };
  const magic = unpickle(bytes, plain, 0);
  if (magic.value !== LEGACY_MAGIC) failFile(`${name}: magic number`, `0x${LEGACY_MAGIC.toString(16)} (a torch.save file)`, magic.value);
  const protocol = unpickle(bytes, plain, magic.end);
  if (protocol.value !== LEGACY_PROTOCOL) failFile(`${name}: protocol version`, String(LEGACY_PROTOCOL), protocol.value);
  const sysInfo = unpickle(bytes, plain, protocol.end);
  if (!(sysInfo.value instanceof Map) || sysInfo.value.get('little_endian') !== true) {
    failFile(`${name}: sys info`, 'a dict with little_endian True (big-endian files are not supported)', sysInfo.value);
  }
  const object = unpickle(bytes, options, sysInfo.end);
  const keys = unpickle(bytes, plain, object.end);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) failFile(`${name}: storage keys`, 'a list of strings', keys.value);
  let at = keys.end;
  for (const key of keys.value as string[]) {
    const storage = storages.get(key);
    if (!storage) failFile(`${name}: storage '${key}'`, 'a storage the object pickle refers to', 'an unknown key');
    if (at + 8 > source.size) failFile(`${name}: storage '${key}'`, `an element count at byte ${at}`, 'the end of the file', 'The file is truncated');
    const head = source.read(at, 8);
    const count = new DataView(head.buffer, head.byteOffset, 8).getBigInt64(0, true);
    if (count < BigInt(storage.numel) || count > BigInt(Number.MAX_SAFE_INTEGER)) failFile(`${name}: storage '${key}' element count`, `at least ${storage.numel}`, count);
    const bytesLength = Number(count) * DTYPE_BYTES[storage.dtype];
    if (at + 8 + bytesLength > source.size) failFile(`${name}: storage '${key}'`, `${bytesLength} bytes at ${at + 8}`, `${source.size - at - 8} bytes left`, 'The file is truncated');
    starts.set(key, at + 8);
    at += 8 + bytesLength;
  }
  for (const key of storages.keys()) if (!starts.has(key)) failFile(`${name}: storage '${key}'`, 'to be listed in the storage keys', 'missing');
  return { root: object.value, records: keys.value as string[] };
}
