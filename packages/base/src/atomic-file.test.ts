import { fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { syncDirectory, writeFileAtomic, writeFileAtomicSync } from './atomic-file';

// Pass-through mocks, so a test can see the order of the calls.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return { ...actual, fsyncSync: vi.fn(actual.fsyncSync), openSync: vi.fn(actual.openSync), renameSync: vi.fn(actual.renameSync) };
});

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'vjepa-atomic-'));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
  vi.mocked(fsyncSync).mockClear();
  vi.mocked(openSync).mockClear();
  vi.mocked(renameSync).mockClear();
});

describe('writeFileAtomic', () => {
  it('replaces the file with bytes or text and leaves no temporary file', async () => {
    const path = join(directory, 'state.json');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, Uint8Array.of(1, 2, 3));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    await writeFileAtomic(path, '{"step":7}');
    expect(readFileSync(path, 'utf8')).toBe('{"step":7}');
    expect(readdirSync(directory)).toEqual(['state.json']);
  });

  it('fails onto a directory without a temporary file left', async () => {
    mkdirSync(join(directory, 'taken', 'child'), { recursive: true });
    await expect(writeFileAtomic(join(directory, 'taken'), 'x')).rejects.toThrow();
    expect(readdirSync(directory)).toEqual(['taken']);
  });
});

describe('writeFileAtomicSync', () => {
  it('writes bytes, text or pieces, then renames, then fsyncs the directory', () => {
    const path = join(directory, 'model.pth');
    writeFileAtomicSync(path, 'text');
    expect(readFileSync(path, 'utf8')).toBe('text');
    vi.mocked(fsyncSync).mockClear();
    vi.mocked(openSync).mockClear();
    writeFileAtomicSync(path, (write) => {
      write(Uint8Array.of(1, 2));
      write(new Uint8Array(0));
      write(Uint8Array.of(3));
    });
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    expect(readdirSync(directory)).toEqual(['model.pth']);
    // The temporary file (opened 'wx', hidden, beside the target) is fsynced, renamed, then the directory is fsynced.
    const opened = vi.mocked(openSync).mock.calls.map(([where, flags]) => [String(where), flags]);
    expect(opened[0][0]).toMatch(new RegExp(`^${directory}/\\.model\\.pth\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`));
    expect(opened[0][1]).toBe('wx');
    expect(opened[1]).toEqual([directory, 'r']);
    const renamed = vi.mocked(renameSync).mock.invocationCallOrder.at(-1)!;
    const [fileSync, directorySync] = vi.mocked(fsyncSync).mock.invocationCallOrder;
    expect(fileSync).toBeLessThan(renamed);
    expect(directorySync).toBeGreaterThan(renamed);
  });

  it('an error while writing the pieces leaves the previous file and no temporary file', () => {
    const path = join(directory, 'model.pth');
    writeFileSync(path, 'previous');
    expect(() =>
      writeFileAtomicSync(path, (write) => {
        write(Uint8Array.of(1));
        throw new Error('a tensor could not be read');
      }),
    ).toThrow('a tensor could not be read');
    expect(readFileSync(path, 'utf8')).toBe('previous');
    expect(readdirSync(directory)).toEqual(['model.pth']);
    expect(vi.mocked(renameSync)).not.toHaveBeenCalled();
  });
});

describe('syncDirectory', () => {
  it('fsyncs a folder and refuses one that does not exist', () => {
    expect(() => syncDirectory(directory)).not.toThrow();
    expect(() => syncDirectory(join(directory, 'missing'))).toThrow(/ENOENT/);
  });
});
