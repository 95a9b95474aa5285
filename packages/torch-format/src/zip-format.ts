import { checkpointBuild, checkpointGlobals, parseStoragePid, storageRef } from './allow-list';
import type { ByteSource } from './byte-source';
import { DTYPE_BYTES } from './dtypes';
import { failFile } from './errors';
import type { StorageReader } from './storage-reader';
import { unpickle } from './unpickler';
import { checkCrc, entryDataOffset, readZipDirectory, type ZipEntry } from './zip-reader';

/** The largest `data.pkl` read (a ViT-H checkpoint's is well under 1 MB). */
const MAX_PICKLE_BYTES = 1 << 30;

/** What a zip-format file gives: the unpickled object and the archive's top folder. */
export interface ZipLoad {
  root: unknown;
  prefix: string;
  records: string[];
}

/**
 * Loads the zip format of `torch.save` (torch ≥ 1.6): `<prefix>/data.pkl` unpickled with the allow-list,
 * storages resolved to `<prefix>/data/<key>` records, which are read only when a tensor is.
 */
export function loadZipFormat(source: ByteSource): ZipLoad {
  const entries = readZipDirectory(source);
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n) || n === 'data.pkl');
  if (pickles.length !== 1) failFile(`${source.name}: archive`, 'one <folder>/data.pkl record', pickles.length === 0 ? 'none' : pickles);
  const pickleName = pickles[0];
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder) {
    const order = new TextDecoder().decode(readEntry(source, byteorder, 16)).trim();
    if (order !== 'little') failFile(`${source.name}: ${prefix}byteorder`, "'little' (big-endian files are not supported)", order);
  }
  const dataEnd = source.size;
  const offsets = new Map<string, number>();
  const reader: StorageReader = {
    name: source.name,
    read(storage, byteOffset, byteLength) {
      const entry = entries.get(`${prefix}data/${storage.key}`)!;
      let start = offsets.get(entry.name);
      if (start === undefined) offsets.set(entry.name, (start = entryDataOffset(source, entry, dataEnd)));
      const bytes = source.read(start + storage.recordOffset * DTYPE_BYTES[storage.dtype] + byteOffset, byteLength);
      // A read of the whole record (a contiguous tensor owning its storage) is checked against its CRC-32.
      if (storage.recordOffset === 0 && byteOffset === 0 && byteLength === entry.size) checkCrc(source, entry, bytes);
      return bytes;
    },
  };
  const pickle = readEntry(source, entries.get(pickleName)!, MAX_PICKLE_BYTES);
  const { value } = unpickle(pickle, {
    source: `${source.name} (${pickleName})`,
    findGlobal: checkpointGlobals(reader),
    build: checkpointBuild,
    persistentLoad(pid) {
      const { type, key, location, numel } = parseStoragePid(pid, source.name);
      const entry = entries.get(`${prefix}data/${key}`);
      if (!entry) failFile(`${source.name}: storage '${key}'`, `a record ${prefix}data/${key}`, 'none');
      const bytes = numel * DTYPE_BYTES[type.dtype];
      if (bytes > entry.size) failFile(`${source.name}: storage '${key}'`, `a record of at least ${bytes} bytes (${numel} × ${type.dtype})`, entry.size);
      return storageRef(key, type.dtype, numel, location);
    },
  });
  return { root: value, prefix: prefix.replace(/\/$/, ''), records: [...entries.keys()] };
}

function readEntry(source: ByteSource, entry: ZipEntry, limit: number): Uint8Array {
  if (entry.size > limit) failFile(`${source.name}: record '${entry.name}'`, `at most ${limit} bytes`, entry.size);
  const bytes = source.read(entryDataOffset(source, entry, source.size), entry.size);
  checkCrc(source, entry, bytes);
  return bytes;
}
