import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointError, UsageError } from './errors';
import { int64ToInt32, parseSafetensors, serializeSafetensors, type SafeTensorInput } from './safetensors';
import { decodeSafetensorData, decodeSafetensors, parseSafetensorsHeader, safetensorsHeaderLength } from './safetensors';
import { build, headerText, MALFORMED_FILES, sample } from './safetensors.test-util';

/** Little-endian bytes of 16-bit words. */
function words16(...words: number[]): number[] {
  return words.flatMap((word) => [word & 0xff, word >> 8]);
}

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

  it('accepts a Map of tensors', () => {
    const w = { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) } satisfies SafeTensorInput;
    const bytes = serializeSafetensors(new Map([['w', w]]));
    expect(parseSafetensors(bytes).tensors.get('w')!.data).toEqual(Float32Array.of(1, 2));
  });

  it('reads piece by piece as parseSafetensors does: header length, header, then each tensor', () => {
    const bytes = serializeSafetensors(sample, { k: 'v' });
    const headerLength = safetensorsHeaderLength(bytes.subarray(0, 8), bytes.length, 'x.st');
    expect(headerLength).toBe(headerText(bytes).length);
    const dataStart = 8 + headerLength;
    const layout = parseSafetensorsHeader(bytes.subarray(8, dataStart), bytes.length - dataStart, 'x.st');
    expect(layout.metadata).toEqual({ k: 'v' });
    expect(layout.entries.map((entry) => entry.name).sort()).toEqual(Object.keys(sample).sort());
    const f32 = layout.entries.find((entry) => entry.name === 'w/f32')!;
    expect([f32.dtype, f32.shape, f32.end - f32.begin]).toEqual(['F32', [2, 3], 24]);
    const file = decodeSafetensors(layout, (entry) => {
      const piece = bytes.slice(dataStart + entry.begin, dataStart + entry.end); // as a reader gets it: its own buffer
      return decodeSafetensorData(piece, 0, piece.length, entry.dtype);
    });
    expect(file).toEqual(parseSafetensors(bytes));
  });

  it('refuses bad arguments as usage errors, what is wrong in a file as checkpoint errors', () => {
    expect(() => parseSafetensors([1, 2] as never)).toThrow(new UsageError('bytes: expected a Uint8Array, received [1, 2]'));
    expect(() => serializeSafetensors({ w: { dtype: 'F32', shape: [3], data: Float32Array.of(1) } })).toThrow(UsageError);
    expect(() => int64ToInt32(BigInt64Array.of(2n ** 40n))).toThrow(UsageError);
    expect(() => parseSafetensors(new Uint8Array(3), 'short.st')).toThrow(CheckpointError);
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
  it.each(MALFORMED_FILES)('%s', (_, bytes, message) => {
    let caught: unknown;
    try {
      parseSafetensors(bytes, 'bad.st');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CheckpointError);
    expect((caught as Error).message).toContain(message);
  });
});

describe('fuzzing', () => {
  const valid = serializeSafetensors(sample, { k: 'v' });
  const headerEnd = 8 + headerText(valid).length;

  /** Parses or throws CheckpointError; a parse must describe a fully covered, consistent buffer. */
  function parsesConsistentlyOrThrowsCheckpointError(bytes: Uint8Array): boolean {
    let parsed;
    try {
      parsed = parseSafetensors(bytes, 'fuzz.st');
    } catch (error) {
      if (error instanceof CheckpointError) return true;
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
        return parsesConsistentlyOrThrowsCheckpointError(bytes);
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
        const ok = parsesConsistentlyOrThrowsCheckpointError(bytes);
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
      fc.property(header, fc.nat(48), (value, dataLength) => parsesConsistentlyOrThrowsCheckpointError(build(value, new Array(dataLength).fill(7)))),
      { numRuns: 3000 },
    );
  });
});

