/**
 * Atomic file writes (Node only; `@vjepa/base/node`): a file is written beside its target, fsynced,
 * renamed over it, and the directory is fsynced, so a process killed at any point leaves the previous
 * file or the new one, never a partial one.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The content of a large file written piece by piece: called once with `write`, it passes each piece in
 * order (a checkpoint streams one tensor at a time and never holds the whole file in memory).
 */
export type WritePieces = (write: (bytes: Uint8Array) => void) => void;

/** Bytes per write call; Node refuses single writes of 2 GiB or more. */
const WRITE_CHUNK = 1 << 30;

/** A hidden temporary name beside `path`, unique to this process and call. */
function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Makes a rename in `directory` durable by fsyncing the directory. Windows cannot open a directory, and
 * some filesystems refuse the fsync (EINVAL, ENOTSUP, EISDIR, EPERM): skipped there.
 *
 * @param directory - the folder that holds the renamed file.
 */
export function syncDirectory(directory: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR' && code !== 'EPERM') throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a file atomically: a temporary file in the same directory is written and fsynced, renamed over
 * `path`, then the directory is fsynced. A process killed at any point leaves either the previous file
 * or the new one, never a partial file (at worst a stray `.name.*.tmp`).
 *
 * @param path - the file to write.
 * @param bytes - its content (a string is written as UTF-8).
 * @example
 * await writeFileAtomic('run/state.json', JSON.stringify(state));
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const temporary = temporaryPath(path);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  syncDirectory(dirname(path));
}

/**
 * Synchronous {@link writeFileAtomic}, with the same atomicity; the content may also be written piece by
 * piece ({@link WritePieces}). An error thrown by `content` removes the temporary file and leaves `path` as it was.
 *
 * @param path - the file to write.
 * @param content - its bytes, a string (UTF-8), or a function that writes the pieces in order.
 * @example
 * writeFileAtomicSync('model.pth', (write) => { for (const piece of pieces) write(piece); });
 */
export function writeFileAtomicSync(path: string, content: Uint8Array | string | WritePieces): void {
  const temporary = temporaryPath(path);
  try {
    const fd = openSync(temporary, 'wx');
    try {
      if (typeof content === 'function') content((bytes) => writeAll(fd, bytes));
      else writeFileSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // The temporary file was never created.
    }
    throw error;
  }
  syncDirectory(dirname(path));
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, Math.min(bytes.length - done, WRITE_CHUNK));
}
