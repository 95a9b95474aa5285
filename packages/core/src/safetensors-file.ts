/**
 * Reading and writing safetensors files with Node's file system; the format itself (parse, serialize,
 * validation) is bytes only and lives in `@vjepa/base`, which browsers use too.
 *
 * @packageDocumentation
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  decodeSafetensorData,
  decodeSafetensors,
  IoError,
  parseSafetensors,
  parseSafetensorsHeader,
  safetensorsHeaderLength,
  serializeSafetensors,
  type SafeDtype,
  type SafeTensor,
  type SafetensorsFile,
  type SafetensorsLayout,
  type SafeTensorsInput,
} from '@vjepa/base';
import { writeFileAtomic, writeFileAtomicSync } from '@vjepa/base/node';

/** Bytes per read call; Node refuses single reads of 2 GiB or more. */
const READ_CHUNK = 1 << 30;

/**
 * Reads a safetensors file with the validation of {@link parseSafetensors}: the header first, then each
 * tensor into its own buffer (so files larger than 2 GB, which `fs.readFile` refuses, load too).
 *
 * @param path - the file, as a path or a `file:` URL.
 * @throws VjepaError naming the file and the problem; Node's own error when the file cannot be opened.
 */
export async function readSafetensors(path: string | URL): Promise<SafetensorsFile> {
  const source = displayPath(path);
  const handle = await open(path, 'r');
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return parseSafetensors(await handle.readFile(), source);
    const readAt = async (position: number, length: number) => {
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        const { bytesRead } = await handle.read(out, done, Math.min(length - done, READ_CHUNK), position + done);
        done += bytesRead || failShortRead(source, position + done);
      }
      return out;
    };
    const headerLength = safetensorsHeaderLength(await readAt(0, Math.min(8, stats.size)), stats.size, source);
    const dataStart = 8 + headerLength;
    const layout = parseSafetensorsHeader(await readAt(8, headerLength), stats.size - dataStart, source);
    const tensors = new Map<string, SafeTensor>();
    for (const { name, dtype, shape, begin, end } of layout.entries) {
      const bytes = await readAt(dataStart + begin, end - begin);
      tensors.set(name, { dtype, shape, data: decodeSafetensorData(bytes, 0, bytes.length, dtype) });
    }
    return { tensors, metadata: layout.metadata };
  } finally {
    await handle.close();
  }
}

/** Synchronous {@link readSafetensors}. */
export function readSafetensorsSync(path: string | URL): SafetensorsFile {
  const source = displayPath(path);
  const fd = openSync(path, 'r');
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return parseSafetensors(readFileSync(fd), source);
    const readAt = (position: number, length: number) => {
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        const bytesRead = readSync(fd, out, done, Math.min(length - done, READ_CHUNK), position + done);
        done += bytesRead || failShortRead(source, position + done);
      }
      return out;
    };
    const headerLength = safetensorsHeaderLength(readAt(0, Math.min(8, stats.size)), stats.size, source);
    const dataStart = 8 + headerLength;
    const layout = parseSafetensorsHeader(readAt(8, headerLength), stats.size - dataStart, source);
    return decodeSafetensors(layout, ({ begin, end, dtype }) => {
      const bytes = readAt(dataStart + begin, end - begin);
      return decodeSafetensorData(bytes, 0, bytes.length, dtype);
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * The validated header of a safetensors file, without its data: the tensors' names, dtypes, shapes and
 * offsets, and the metadata, with every check of {@link readSafetensorsSync} that needs no data (header
 * length and JSON, dtypes, shapes, byte counts, offsets against the file's length: a truncated file fails).
 * Every dtype of the format is accepted (F64, U8, BOOL …: what `vjepa convert` keeps of a PyTorch file);
 * the entries' `dtype` is then any of them, not only the decodable {@link SafeDtype}s.
 *
 * @param path - the file, as a path or a `file:` URL.
 * @throws VjepaError naming the file and the problem; Node's own error when the file cannot be opened.
 */
export function readSafetensorsHeaderSync(path: string | URL): SafetensorsLayout {
  const source = displayPath(path);
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const readAt = (position: number, length: number) => {
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) done += readSync(fd, out, done, length - done, position + done) || failShortRead(source, position + done);
      return out;
    };
    const headerLength = safetensorsHeaderLength(readAt(0, Math.min(8, size)), size, source);
    return parseSafetensorsHeader(readAt(8, headerLength), size - 8 - headerLength, source, { anyDtype: true });
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a safetensors file atomically: a temporary file in the same directory is written and fsynced,
 * renamed over `path`, then the directory is fsynced. A process killed at any point leaves either the
 * previous file or the new one, never a partial file (at worst a stray `.name.*.tmp`). Nothing is
 * written when validation fails.
 *
 * @param path - the target file, as a path or a `file:` URL.
 * @param tensors - the tensors by name; see {@link serializeSafetensors}.
 * @param metadata - optional `__metadata__` strings.
 */
export async function writeSafetensors(
  path: string | URL,
  tensors: SafeTensorsInput,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(displayPath(path), serializeSafetensors(tensors, metadata));
}

/** Synchronous {@link writeSafetensors}, with the same atomicity. */
export function writeSafetensorsSync(
  path: string | URL,
  tensors: SafeTensorsInput,
  metadata?: Record<string, string>,
): void {
  writeFileAtomicSync(displayPath(path), serializeSafetensors(tensors, metadata));
}

function displayPath(path: string | URL): string {
  return path instanceof URL ? fileURLToPath(path) : path;
}

function failShortRead(source: string, position: number): never {
  const problem = `the file ended at byte ${position} while being read`;
  throw new IoError(`${source}: ${problem}; was it truncated or rewritten meanwhile? Read it again.`);
}
