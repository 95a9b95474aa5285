// Output paths refused before any work, naming the path and the real cause; a read-only mount (EROFS) is
// injected into node:fs, since a test cannot mount one.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from './errors';
import { checkOutputPath } from './output-path';

const fault = vi.hoisted(() => ({ readOnly: '' }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const accessSync = (path: string, mode?: number) => {
    if (fault.readOnly !== '' && String(path).startsWith(fault.readOnly)) {
      throw Object.assign(new Error(`EROFS: read-only file system, access '${path}'`), { code: 'EROFS' });
    }
    return fs.accessSync(path, mode);
  };
  const patched = { ...fs, accessSync };
  return { ...patched, default: patched };
});

const dir = mkdtempSync(join(tmpdir(), 'vjepa-out-'));
writeFileSync(join(dir, 'file'), 'x');
mkdirSync(join(dir, 'folder'));

describe('checkOutputPath', () => {
  afterEach(() => {
    fault.readOnly = '';
  });

  it('accepts a new or existing file in a folder, and a new or existing folder (nothing created)', () => {
    for (const [path, kind] of [
      [join(dir, 'new.safetensors'), 'file'],
      [join(dir, 'file'), 'file'],
      [join(dir, 'folder'), 'folder'],
      [join(dir, 'a', 'b', 'c'), 'folder'],
    ] as const) {
      expect(() => checkOutputPath('--out', path, kind)).not.toThrow();
    }
    expect(() => checkOutputPath('--out', join(dir, 'a', 'x.safetensors'), 'file')).toThrow(`(the folder ${join(dir, 'a')} does not exist)`);
  });

  it.each([
    ['a directory where a file goes', 'folder', 'file', '--out: expected a file to write, received "<p>" (a directory). Name a file inside it'],
    ['a file where a folder goes', 'file', 'folder', '--out: expected a folder to write into, received "<p>" (a file, not a directory)'],
    ['a folder under a file', 'file/run', 'folder', `--out: expected a folder path, received "<p>" (${join(dir, 'file')} is a file, not a directory)`],
    ['a file under a file', 'file/x.pth.tar', 'file', `--out: expected a file in a folder, received "<p>" (${join(dir, 'file')} is a file, not a directory)`],
    ['a file in a missing folder', 'nope/x.pth.tar', 'file', `--out: expected a file in an existing folder, received "<p>" (the folder ${join(dir, 'nope')} does not exist). Create it first`],
  ] as const)('refuses %s, naming it', (_, name, kind, message) => {
    const path = join(dir, name);
    expect(() => checkOutputPath('--out', path, kind)).toThrow(UsageError);
    expect(() => checkOutputPath('--out', path, kind)).toThrow(message.replace('<p>', path));
  });

  it('names a read-only file system (EROFS), not ENOENT, for a new folder and a file', () => {
    fault.readOnly = dir;
    expect(() => checkOutputPath('--out', join(dir, 'run', 'deeper'), 'folder')).toThrow(
      `--out: expected a writable location, received "${join(dir, 'run', 'deeper')}" (${dir} is on a read-only file system: EROFS)`,
    );
    expect(() => checkOutputPath('OUT', join(dir, 'folder', 'x.safetensors'), 'file')).toThrow(`(${join(dir, 'folder')} is on a read-only file system: EROFS)`);
  });
});
