import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckpointError, int64ToInt32, parseSafetensors, serializeSafetensors, type SafeTensorInput } from '@vjepa/base';
import { headerText, MALFORMED_FILES, sample } from '../../base/src/safetensors.test-util';
import { readSafetensors, readSafetensorsSync, writeSafetensors, writeSafetensorsSync } from './safetensors-file';

// Pass-through mocks, so a test can look at the disk at the moment of the rename.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, rename: vi.fn(actual.rename) };
});
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return { ...actual, renameSync: vi.fn(actual.renameSync) };
});

const FIXTURE = new URL('../../../fixtures/reference/tiny.safetensors', import.meta.url);

describe('the reference fixture', () => {
  const raw = readFileSync(FIXTURE);
  const header = JSON.parse(headerText(raw)) as Record<string, { dtype: string; shape: number[] }>;
  const names = Object.keys(header).filter((name) => name !== '__metadata__');

  it('parses every tensor with its shape, dtype and values', async () => {
    const { tensors, metadata } = await readSafetensors(FIXTURE);
    expect(metadata).toEqual({ case: 'tiny' });
    expect(names.length).toBe(293);
    expect(tensors.size).toBe(names.length);
    for (const name of names) {
      const tensor = tensors.get(name)!;
      expect(tensor.dtype).toBe(header[name].dtype);
      expect(tensor.shape).toEqual(header[name].shape);
      expect(tensor.data.length).toBe(header[name].shape.reduce((a, b) => a * b, 1));
    }
    const posEmbed = tensors.get('encoder/pos_embed')!;
    expect(posEmbed.shape).toEqual([1, 36, 48]);
    expect(posEmbed.data).toBeInstanceOf(Float32Array);
    expect(posEmbed.data[35 * 48]).toBeCloseTo(Math.sin(3), 6); // sin-cos table: temporal position 3
    expect(posEmbed.data[47]).toBe(1); // cos(0)
    expect(Array.from(tensors.get('out/loss')!.data as Float32Array)).toEqual([Math.fround(1.3543587)]);
    const mask = tensors.get('masks/enc0')!;
    expect(mask.dtype).toBe('I64');
    expect(mask.shape).toEqual([2, 28]);
    const indices = int64ToInt32(mask.data as BigInt64Array, 'masks/enc0');
    expect(Array.from(indices.slice(0, 8))).toEqual([0, 1, 4, 5, 6, 7, 8, 9]);
    expect(indices.every((index) => index >= 0 && index < 36)).toBe(true);
  });

  it('reads the same synchronously, and re-serialises to an equivalent file', () => {
    const file = readSafetensorsSync(fileURLToPath(FIXTURE));
    const bytesOf = ({ data }: { data: ArrayBufferView }) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    for (const again of [parseSafetensors(raw), parseSafetensors(serializeSafetensors(file.tensors, file.metadata))]) {
      expect(again.metadata).toEqual(file.metadata);
      expect(again.tensors.size).toBe(file.tensors.size);
      for (const [name, tensor] of file.tensors) {
        const copy = again.tensors.get(name)!;
        expect([copy.dtype, copy.shape, copy.data.constructor]).toEqual([tensor.dtype, tensor.shape, tensor.data.constructor]);
        expect(bytesOf(copy).equals(bytesOf(tensor))).toBe(true);
      }
    }
  });
});

describe('malformed files read from disk', () => {
  it.each(MALFORMED_FILES)('%s, read from disk (async and sync)', async (_, bytes, message) => {
    const directory = mkdtempSync(join(tmpdir(), 'vjepa-st-'));
    const path = join(directory, 'bad.st');
    writeFileSync(path, bytes);
    const expected = message.replace('bad.st', path);
    await expect(readSafetensors(path)).rejects.toThrow(expected);
    await expect(readSafetensors(path)).rejects.toBeInstanceOf(CheckpointError);
    expect(() => readSafetensorsSync(path)).toThrow(expected);
    rmSync(directory, { recursive: true });
  });

  it('names the file path when reading from disk', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'vjepa-st-'));
    const path = join(directory, 'short.safetensors');
    writeFileSync(path, new Uint8Array(3));
    await expect(readSafetensors(path)).rejects.toThrow(`${path}: file length: expected at least 8 bytes`);
    expect(() => readSafetensorsSync(path)).toThrow(`${path}: file length`);
    rmSync(directory, { recursive: true });
  });
});

describe('writing files', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'vjepa-st-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
    vi.mocked(rename).mockClear();
    vi.mocked(renameSync).mockClear();
  });

  const next = { w: { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) } } satisfies Record<string, SafeTensorInput>;
  const previous = serializeSafetensors({ w: { dtype: 'F32', shape: [1], data: Float32Array.of(-1) } });

  it('writes atomically: the old file stays intact until the rename, no temporary file remains', async () => {
    const path = join(directory, 'ckpt.safetensors');
    writeFileSync(path, previous);
    const actualRename = (await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises')).rename;
    vi.mocked(rename).mockImplementationOnce(async (from, to) => {
      expect(to).toBe(path);
      expect(readFileSync(path)).toEqual(Buffer.from(previous)); // not yet replaced
      expect(parseSafetensors(readFileSync(from)).tensors.get('w')!.data).toEqual(Float32Array.of(1, 2)); // complete
      expect(readdirSync(directory)).toHaveLength(2);
      return actualRename(from, to);
    });
    await writeSafetensors(path, next, { step: '7' });
    expect(vi.mocked(rename)).toHaveBeenCalledTimes(1);
    expect(readdirSync(directory)).toEqual(['ckpt.safetensors']);
    const { tensors, metadata } = await readSafetensors(path);
    expect(metadata).toEqual({ step: '7' });
    expect(tensors.get('w')!.data).toEqual(Float32Array.of(1, 2));
  });

  it('a failure before the rename (a crash) leaves the previous file and no temporary file', async () => {
    const path = join(directory, 'ckpt.safetensors');
    writeFileSync(path, previous);
    vi.mocked(rename).mockImplementationOnce(async () => {
      throw new Error('simulated crash');
    });
    await expect(writeSafetensors(path, next)).rejects.toThrow('simulated crash');
    expect(readdirSync(directory)).toEqual(['ckpt.safetensors']);
    expect(readFileSync(path)).toEqual(Buffer.from(previous));
  });

  it('the synchronous writer is atomic too', () => {
    const path = join(directory, 'ckpt.safetensors');
    writeFileSync(path, previous);
    vi.mocked(renameSync).mockImplementationOnce(() => {
      expect(readFileSync(path)).toEqual(Buffer.from(previous));
      throw new Error('simulated crash');
    });
    expect(() => writeSafetensorsSync(path, next)).toThrow('simulated crash');
    expect(readdirSync(directory)).toEqual(['ckpt.safetensors']);
    writeSafetensorsSync(path, next);
    expect(readdirSync(directory)).toEqual(['ckpt.safetensors']);
    expect(readSafetensorsSync(path).tensors.get('w')!.data).toEqual(Float32Array.of(1, 2));
  });

  it('a rename onto a directory fails without leaving a temporary file', async () => {
    const path = join(directory, 'taken');
    mkdirSync(join(path, 'child'), { recursive: true });
    await expect(writeSafetensors(path, next)).rejects.toThrow();
    expect(readdirSync(directory)).toEqual(['taken']);
  });

  it('validates names, dtypes, shapes and data before writing anything', async () => {
    const path = join(directory, 'ckpt.safetensors');
    writeFileSync(path, previous);
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ w: { dtype: 'F32', shape: [3], data: Float32Array.of(1, 2) } }, 'tensors["w"].data: expected 3 elements (shape [3]), received Float32Array(2)'],
      [{ w: { dtype: 'F64', shape: [2], data: Float32Array.of(1, 2) } }, 'tensors["w"].dtype: expected one of F32, F16, BF16, I64, I32, received "F64"'],
      [{ w: { dtype: 'I32', shape: [2], data: Float32Array.of(1, 2) } }, 'tensors["w"].data: expected a Int32Array for dtype I32, received Float32Array(2)'],
      [{ w: { dtype: 'I64', shape: [2], data: [1, 2] } }, 'tensors["w"].data: expected a BigInt64Array or Int32Array for dtype I64, received [1, 2]'],
      [{ w: { dtype: 'F32', shape: [-2], data: Float32Array.of(1, 2) } }, 'tensors["w"].shape: expected an array of non-negative integers, received [-2]'],
      [{ __metadata__: next.w }, 'tensor name: expected a non-empty string other than "__metadata__", received "__metadata__"'],
      [{ '': next.w }, 'tensor name: expected a non-empty string other than "__metadata__", received ""'],
      [{ w: null }, 'tensors["w"]: expected an object {dtype, shape, data}, received null'],
    ];
    for (const [tensors, message] of bad) {
      await expect(writeSafetensors(path, tensors as never)).rejects.toThrow(message);
      expect(() => writeSafetensorsSync(path, tensors as never)).toThrow(message);
    }
    await expect(writeSafetensors(path, next, { epoch: 3 } as never)).rejects.toThrow('metadata["epoch"]: expected a string, received 3');
    expect(() => serializeSafetensors(null as never)).toThrow('tensors: expected a Map or a record of name → {dtype, shape, data}, received null');
    expect(readdirSync(directory)).toEqual(['ckpt.safetensors']);
    expect(readFileSync(path)).toEqual(Buffer.from(previous));
    expect(vi.mocked(rename)).not.toHaveBeenCalled();
  });

  it('accepts file URLs, and reads each tensor into its own buffer', async () => {
    const url = new URL(`file://${join(directory, 'url.safetensors')}`);
    await writeSafetensors(url, sample);
    writeSafetensorsSync(url, sample);
    expect(readdirSync(directory)).toEqual(['url.safetensors']);
    for (const { tensors } of [await readSafetensors(url), readSafetensorsSync(url)]) {
      const buffers = new Set([...tensors.values()].map((tensor) => tensor.data.buffer));
      expect(buffers.size).toBe(tensors.size);
      expect(tensors.get('idx/i64')!.data).toEqual(sample['idx/i64'].data);
    }
  });
});
