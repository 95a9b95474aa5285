/**
 * Output paths checked before any work (Node only; `@vjepa/base/node`): a command that writes a file or a
 * folder refuses a path it could not write — a directory where a file goes, a file where a folder goes, a
 * missing parent folder, a read-only file system — naming the argument, the path and the cause, instead
 * of meeting Node's own error (ENOENT, EISDIR, ENOTDIR, EROFS) after the work. Nothing is created.
 *
 * @packageDocumentation
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fail, verbatim } from './errors';

/** What {@link checkOutputPath} is asked to check: a file to write, or a folder to write into (created when missing). */
export type OutputKind = 'file' | 'folder';

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null; // a parent that is a file is found as the nearest existing ancestor
    throw error;
  }
}

/** Why the existing directory `path` cannot be written into, or null when it can. */
function unwritable(path: string): string | null {
  try {
    accessSync(path, constants.W_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'an error';
    const cause =
      code === 'EROFS' ? 'is on a read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'is not writable (permission denied)' : 'cannot be written';
    return `${path} ${cause}: ${code}`;
  }
}

/** Refuses `path` for `argument`: `received "<path>" (<why>)`. */
function refuse(argument: string, expected: string, path: string, why: string, hint?: string): never {
  fail(argument, expected, verbatim(`${JSON.stringify(path)} (${why})`), hint);
}

/**
 * Checks, without writing anything, that `path` can be written as a `kind`:
 * - `file`: not a directory; its folder exists, is a folder and is writable (an existing file is replaced);
 * - `folder`: not a file; writable, or, when missing, its nearest existing ancestor is a writable folder (the
 *   folder is created later, by the work itself).
 *
 * @param argument - the flag or argument named in the error (`--out`, `OUT`).
 * @param path - the path given.
 * @param kind - a file to write or a folder to write into.
 * @throws UsageError `<argument>: expected …, received "<path>" (<the cause>)`, e.g.
 *   `--out: expected a writable location, received "/mnt/ro/run" (/mnt/ro is on a read-only file system: EROFS)`.
 */
export function checkOutputPath(argument: string, path: string, kind: OutputKind): void {
  if (typeof path !== 'string' || path === '') fail(argument, kind === 'file' ? 'a file path' : 'a folder path', path);
  const full = resolve(path);
  const stats = statOrNull(full);
  let writable: string;
  if (stats) {
    if (kind === 'file' && stats.isDirectory()) refuse(argument, 'a file to write', path, 'a directory', 'Name a file inside it');
    if (kind === 'folder' && !stats.isDirectory()) refuse(argument, 'a folder to write into', path, 'a file, not a directory');
    writable = kind === 'file' ? dirname(full) : full;
  } else if (kind === 'file') {
    writable = dirname(full);
    const parent = statOrNull(writable);
    if (!parent) refuse(argument, 'a file in an existing folder', path, `the folder ${writable} does not exist`, 'Create it first');
    if (!parent.isDirectory()) refuse(argument, 'a file in a folder', path, `${writable} is a file, not a directory`);
  } else {
    writable = dirname(full);
    let ancestor = statOrNull(writable);
    while (!ancestor && dirname(writable) !== writable) {
      writable = dirname(writable);
      ancestor = statOrNull(writable);
    }
    if (ancestor && !ancestor.isDirectory()) refuse(argument, 'a folder path', path, `${writable} is a file, not a directory`);
  }
  const problem = unwritable(writable);
  if (problem) refuse(argument, 'a writable location', path, problem);
}
