import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VjepaError } from '@vjepa/base';
import {
  int64ToInt32,
  MAX_HEADER_BYTES,
  parseSafetensors,
  serializeSafetensors,
  type SafeTensorInput,
} from './safetensors.js';
import { readSafetensors, readSafetensorsSync, writeSafetensors, writeSafetensorsSync } from './safetensors-file.js';

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

/** A file from a header (object or raw text) and data bytes, with an optional forged header length. */
function build(header: unknown, data: ArrayLike<number> = [], headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(Array.from(data), 8 + json.length);
  return out;
}

/** Little-endian bytes of 16-bit words. */
function words16(...words: number[]): number[] {
  return words.flatMap((word) => [word & 0xff, word >> 8]);
}

function headerText(bytes: Uint8Array): string {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return new TextDecoder().decode(bytes.subarray(8, 8 + length));
}

const sample: Record<string, SafeTensorInput> = {
  'w/f32': { dtype: 'F32', shape: [2, 3], data: Float32Array.of(1, -2.5, 3e-8, Infinity, -0, 65504) },
  'w/f16': { dtype: 'F16', shape: [5], data: Float32Array.of(1, -2, 65504, 2 ** -24, -Infinity) },
  'w/bf16': { dtype: 'BF16', shape: [1, 3], data: Float32Array.of(1, 3.140625, -(2 ** 100)) },
  'idx/i64': { dtype: 'I64', shape: [3], data: BigInt64Array.of(0n, -5n, 9007199254740993n) },
  'idx/i32': { dtype: 'I32', shape: [2, 2], data: Int32Array.of(0, -1, 2147483647, -2147483648) },
  scalar: { dtype: 'F32', shape: [], data: Float32Array.of(0.25) },
  empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
};

describe('serialize and parse', () => {
  it('round-trips every dtype, scalars, empty tensors and metadata', () => {
    const bytes = serializeSafetensors(sample, { format: 'pt', note: 'é' });
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt', note: 'é' });
    expect([...tensors.keys()].sort()).toEqual(Object.keys(sample).sort());
    for (const [name, input] of Object.entries(sample)) {
      const tensor = tensors.get(name)!;
      expect(tensor.dtype).toBe(input.dtype);
      expect(tensor.shape).toEqual(input.shape);
      expect(tensor.data).toEqual(input.data);
    }
    expect(tensors.get('w/f16')!.data).toBeInstanceOf(Float32Array);
    expect(tensors.get('w/bf16')!.data).toBeInstanceOf(Float32Array);
  });

  it('writes the reference layout: sorted keys, space-padded header, aligned contiguous data', () => {
    const bytes = serializeSafetensors(
      {
        b: { dtype: 'F32', shape: [1], data: Float32Array.of(2) },
        '10': { dtype: 'I64', shape: [1], data: BigInt64Array.of(7n) },
        a: { dtype: 'F16', shape: [1], data: Float32Array.of(1) },
      },
      { z: '1' },
    );
    const text = headerText(bytes);
    const json =
      '{"__metadata__":{"z":"1"},"10":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},' +
      '"a":{"dtype":"F16","shape":[1],"data_offsets":[12,14]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}';
    expect(text.trimEnd()).toBe(json);
    expect(text.length % 8).toBe(0);
    expect(text.length - json.length).toBeLessThan(8);
    expect(bytes.length).toBe(8 + text.length + 14);
    const data = bytes.subarray(8 + text.length);
    expect(Array.from(data)).toEqual([7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 60]);
  });

  it('widens Int32Array data for I64', () => {
    const bytes = serializeSafetensors({ m: { dtype: 'I64', shape: [2], data: Int32Array.of(-3, 4) } });
    expect(parseSafetensors(bytes).tensors.get('m')!.data).toEqual(BigInt64Array.of(-3n, 4n));
  });

  it('decodes F16 bits to hand-computed values', () => {
    const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x3555];
    const file = build({ h: { dtype: 'F16', shape: [bits.length], data_offsets: [0, 2 * bits.length] } }, words16(...bits));
    const values = Array.from(parseSafetensors(file).tensors.get('h')!.data as Float32Array);
    expect(values.slice(0, 6)).toEqual([1, -2, 65504, 5.960464477539063e-8, 6.097555160522461e-5, 6.103515625e-5]);
    expect(Object.is(values[6], -0)).toBe(true);
    expect(values.slice(7, 9)).toEqual([Infinity, -Infinity]);
    expect(values[9]).toBeNaN();
    expect(values[10]).toBe(0.333251953125);
  });

  it('decodes BF16 bits to hand-computed values', () => {
    const bits = [0x3f80, 0x4049, 0xc000, 0x7f80, 0x0001, 0x7fc0];
    const file = build({ h: { dtype: 'BF16', shape: [bits.length], data_offsets: [0, 2 * bits.length] } }, words16(...bits));
    const values = Array.from(parseSafetensors(file).tensors.get('h')!.data as Float32Array);
    expect(values.slice(0, 5)).toEqual([1, 3.140625, -2, Infinity, 2 ** -133]);
    expect(values[5]).toBeNaN();
  });

  it('rounds F16 and BF16 to nearest even when writing', () => {
    const f16 = [65519, 65520, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -25, 3 * 2 ** -25, 2 ** -14 - 2 ** -25, NaN, 1e-10];
    const bf16 = [1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.14159, 3.4e38, NaN];
    const bytes = serializeSafetensors({
      h: { dtype: 'F16', shape: [f16.length], data: Float32Array.from(f16) },
      b: { dtype: 'BF16', shape: [bf16.length], data: Float32Array.from(bf16) },
    });
    const { tensors } = parseSafetensors(bytes);
    const half = Array.from(tensors.get('h')!.data as Float32Array);
    expect(half.slice(0, 7)).toEqual([65504, Infinity, 1, 1 + 2 ** -9, 0, 2 ** -23, 2 ** -14]);
    expect(half[7]).toBeNaN();
    expect(half[8]).toBe(0);
    const brain = Array.from(tensors.get('b')!.data as Float32Array);
    expect(brain.slice(0, 4)).toEqual([1, 1 + 2 ** -6, 3.140625, Infinity]);
    expect(brain[4]).toBeNaN();
  });

  it('reads tensors at unaligned offsets (copying them)', () => {
    const i8 = [1, 0, 0, 0, 0, 0, 0, 0];
    const f = Array.from(new Uint8Array(Float32Array.of(1.5, -2).buffer));
    const header = {
      h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
      l: { dtype: 'I64', shape: [1], data_offsets: [2, 10] },
      f: { dtype: 'F32', shape: [2], data_offsets: [10, 18] },
    };
    const file = build(header, [...words16(0x3c00), ...i8, ...f]);
    // Also shift the whole file by one byte inside a larger buffer.
    const shifted = new Uint8Array(file.length + 1).subarray(1);
    shifted.set(file);
    for (const bytes of [file, shifted, Buffer.from(file), Buffer.from(shifted)]) {
      const { tensors } = parseSafetensors(bytes);
      expect(tensors.get('h')!.data).toEqual(Float32Array.of(1));
      expect(tensors.get('l')!.data).toEqual(BigInt64Array.of(1n));
      expect(tensors.get('f')!.data).toEqual(Float32Array.of(1.5, -2));
    }
  });

  it('accepts an empty file header with no data', () => {
    expect(parseSafetensors(build({}))).toEqual({ tensors: new Map(), metadata: {} });
    expect(parseSafetensors(serializeSafetensors({})).tensors.size).toBe(0);
  });
});

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

describe('int64ToInt32', () => {
  it('narrows in-range values and names the first one out of range', () => {
    expect(int64ToInt32(BigInt64Array.of(-2147483648n, 0n, 2147483647n))).toEqual(Int32Array.of(-2147483648, 0, 2147483647));
    expect(() => int64ToInt32(BigInt64Array.of(1n, 2147483648n), 'labels')).toThrow(
      'labels[1]: expected a value in the int32 range [-2147483648, 2147483647], received 2147483648n',
    );
    expect(() => int64ToInt32([1n] as never)).toThrow('values: expected a BigInt64Array, received [1n]');
  });
});

describe('malformed files are rejected with a specific message', () => {
  const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });
  const cases: Array<[string, Uint8Array, string]> = [
    ['shorter than 8 bytes', new Uint8Array(5), 'bad.st: file length: expected at least 8 bytes (the little-endian u64 header length), received 5'],
    ['header longer than the file', build({}, [], 100n), 'bad.st: header length: expected at most the 2 bytes that follow it, received 100. The file is truncated'],
    ['absurd header length', build({}, [], 2n ** 63n), `bad.st: header length: expected at most ${MAX_HEADER_BYTES} bytes, received 9223372036854776000`],
    ['header not UTF-8', build('{"\xff"}').map((b, i) => (i === 10 ? 0xff : b)), 'bad.st: header: expected UTF-8 JSON, received bytes that are not valid UTF-8'],
    ['header not JSON', build('{"a": 1'), 'bad.st: header: expected valid JSON, received "{\\"a\\": 1". '],
    ['header an array', build('[1, 2]'), 'bad.st: header: expected a JSON object, received [1, 2]'],
    ['header null', build('null'), 'bad.st: header: expected a JSON object, received null'],
    ['entry not an object', build({ w: 3 }), 'bad.st: tensor "w": expected an object {dtype, shape, data_offsets}, received 3'],
    ['unknown dtype', build({ w: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, new Array(8).fill(0)), 'bad.st: tensor "w" dtype: expected one of F32, F16, BF16, I64, I32, received "F64"'],
    ['negative dimension', build({ w: { ...f32(0, 4), shape: [-1] } }, [0, 0, 0, 0]), 'bad.st: tensor "w" shape: expected an array of non-negative integers, received [-1]'],
    ['fractional dimension', build({ w: { ...f32(0, 4), shape: [1.5] } }, [0, 0, 0, 0]), 'bad.st: tensor "w" shape: expected an array of non-negative integers, received [1.5]'],
    ['shape not an array', build({ w: { ...f32(0, 4), shape: '1' } }, [0, 0, 0, 0]), 'bad.st: tensor "w" shape: expected an array of non-negative integers, received "1"'],
    ['offsets reversed', build({ w: f32(4, 0, [1]) }, [0, 0, 0, 0]), 'bad.st: tensor "w" data_offsets: expected two integers [begin, end] with 0 <= begin <= end, received [4, 0]'],
    ['offsets of wrong arity', build({ w: { ...f32(0, 4), data_offsets: [0] } }, [0, 0, 0, 0]), 'bad.st: tensor "w" data_offsets: expected two integers [begin, end] with 0 <= begin <= end, received [0]'],
    ['byte length mismatch', build({ w: f32(0, 8, [3]) }, new Array(8).fill(0)), 'bad.st: tensor "w" data_offsets: expected a span of 12 bytes (shape [3] × 4 bytes per F32), received [0, 8]'],
    ['offsets out of range', build({ a: f32(0, 4), b: f32(4, 12) }, new Array(8).fill(0)), 'bad.st: tensor "b" data_offsets: expected to lie within the data buffer of 8 bytes, received [4, 12]. The file is truncated: the header describes 12 bytes of data, 4 are missing'],
    ['truncated file', serializeSafetensors(sample).subarray(0, -3), 'bad.st: tensor "w/f16" data_offsets: expected to lie within the data buffer of 81 bytes, received [74, 84]. The file is truncated: the header describes 84 bytes of data, 3 are missing'],
    ['overlapping tensors', build({ a: f32(0, 8), b: f32(4, 8) }, new Array(8).fill(0)), 'bad.st: tensor "b" data_offsets: expected to begin at or after 8 (the end of tensor "a"), received [4, 8]. The tensors overlap'],
    ['a gap between tensors', build({ a: f32(0, 4), b: f32(8, 12) }, new Array(12).fill(0)), 'bad.st: tensor "b" data_offsets: expected to begin at 4 (the end of tensor "a"), received [8, 12]. The reference implementation rejects a data buffer not fully covered by tensors (gap of 4 bytes)'],
    ['a gap at the start', build({ a: f32(4, 8) }, new Array(8).fill(0)), 'bad.st: tensor "a" data_offsets: expected to begin at 0 (the start of the data buffer), received [4, 8]'],
    ['trailing bytes', build({ a: f32(0, 4) }, new Array(6).fill(0)), 'bad.st: data buffer length: expected 4 bytes (the end of tensor "a"), received 6. The reference implementation rejects a data buffer not fully covered by tensors (2 trailing bytes)'],
    ['metadata not an object', build({ __metadata__: ['x'] }), 'bad.st: __metadata__: expected an object of strings, received ["x"]'],
    ['non-string metadata value', build({ __metadata__: { epoch: 3 } }), 'bad.st: __metadata__["epoch"]: expected a string, received 3'],
  ];

  it.each(cases)('%s', (_, bytes, message) => {
    let caught: unknown;
    try {
      parseSafetensors(bytes, 'bad.st');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VjepaError);
    expect((caught as Error).message).toContain(message);
  });

  it.each(cases)('%s, read from disk (async and sync)', async (_, bytes, message) => {
    const directory = mkdtempSync(join(tmpdir(), 'vjepa-st-'));
    const path = join(directory, 'bad.st');
    writeFileSync(path, bytes);
    const expected = message.replace('bad.st', path);
    await expect(readSafetensors(path)).rejects.toThrow(expected);
    await expect(readSafetensors(path)).rejects.toBeInstanceOf(VjepaError);
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

describe('fuzzing', () => {
  const valid = serializeSafetensors(sample, { k: 'v' });
  const headerEnd = 8 + headerText(valid).length;

  /** Parses or throws VjepaError; a parse must describe a fully covered, consistent buffer. */
  function parsesConsistentlyOrThrowsVjepaError(bytes: Uint8Array): boolean {
    let parsed;
    try {
      parsed = parseSafetensors(bytes, 'fuzz.st');
    } catch (error) {
      if (error instanceof VjepaError) return true;
      throw error;
    }
    const sizes = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 };
    let total = 0;
    for (const tensor of parsed.tensors.values()) {
      const count = tensor.shape.reduce((a, b) => a * b, 1);
      if (tensor.data.length !== count) return false;
      total += count * sizes[tensor.dtype];
    }
    const declared = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    return total === bytes.length - 8 - declared && Object.values(parsed.metadata).every((v) => typeof v === 'string');
  }

  it('byte mutations (mostly in the header) and truncations never escape as another error', () => {
    const mutation = fc.record({
      edits: fc.array(fc.tuple(fc.nat(headerEnd + 16), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      cut: fc.option(fc.nat(valid.length), { nil: undefined }),
    });
    fc.assert(
      fc.property(mutation, ({ edits, cut }) => {
        const bytes = valid.slice(0, cut ?? valid.length);
        for (const [index, value] of edits) if (index < bytes.length) bytes[index] = value;
        return parsesConsistentlyOrThrowsVjepaError(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('digit edits in the header (valid JSON, wrong numbers) never escape as another error', () => {
    const digitPositions = [...valid.subarray(8, headerEnd)].flatMap((byte, i) => (byte >= 0x30 && byte <= 0x39 ? [8 + i] : []));
    const edits = fc.array(fc.tuple(fc.constantFrom(...digitPositions), fc.integer({ min: 0x30, max: 0x39 })), { minLength: 1, maxLength: 3 });
    let parsed = 0;
    fc.assert(
      fc.property(edits, (changes) => {
        const bytes = valid.slice();
        for (const [index, digit] of changes) bytes[index] = digit;
        const ok = parsesConsistentlyOrThrowsVjepaError(bytes);
        if (ok && changes.every(([index, digit]) => valid[index] === digit)) parsed++;
        return ok;
      }),
      { numRuns: 3000 },
    );
    expect(parsed).toBeGreaterThan(0); // unchanged files (identity edits) still parse
  });

  it('structured header mutations never escape as another error', () => {
    const anyJson = fc.jsonValue({ maxDepth: 3 });
    const entry = fc.record({
      dtype: fc.oneof(fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'I32', 'U8'), anyJson),
      shape: fc.oneof(fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 3 }), anyJson),
      data_offsets: fc.oneof(fc.tuple(fc.integer({ min: -2, max: 40 }), fc.integer({ min: -2, max: 40 })), anyJson),
    });
    const header = fc.dictionary(fc.oneof(fc.string({ maxLength: 4 }), fc.constant('__metadata__')), fc.oneof(entry, anyJson), { maxKeys: 4 });
    fc.assert(
      fc.property(header, fc.nat(48), (value, dataLength) => parsesConsistentlyOrThrowsVjepaError(build(value, new Array(dataLength).fill(7)))),
      { numRuns: 3000 },
    );
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

  it('accepts a Map of tensors', () => {
    const bytes = serializeSafetensors(new Map([['w', next.w]]));
    expect(parseSafetensors(bytes).tensors.get('w')!.data).toEqual(Float32Array.of(1, 2));
  });
});
