/**
 * Files for the safetensors tests of `@vjepa/base` (bytes) and `@vjepa/core` (the same bytes read from
 * disk): a builder of raw files, the sample tensors and the malformed files with their messages.
 */
import type { SafeTensorInput } from './safetensors';
import { MAX_HEADER_BYTES, serializeSafetensors } from './safetensors';

/** A file from a header (object or raw text) and data bytes, with an optional forged header length. */
export function build(header: unknown, data: ArrayLike<number> = [], headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(Array.from(data), 8 + json.length);
  return out;
}

/** The JSON header text of a file. */
export function headerText(bytes: Uint8Array): string {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return new TextDecoder().decode(bytes.subarray(8, 8 + length));
}

/** One tensor of every dtype, a scalar and an empty tensor. */
export const sample: Record<string, SafeTensorInput> = {
  'w/f32': { dtype: 'F32', shape: [2, 3], data: Float32Array.of(1, -2.5, 3e-8, Infinity, -0, 65504) },
  'w/f16': { dtype: 'F16', shape: [5], data: Float32Array.of(1, -2, 65504, 2 ** -24, -Infinity) },
  'w/bf16': { dtype: 'BF16', shape: [1, 3], data: Float32Array.of(1, 3.140625, -(2 ** 100)) },
  'idx/i64': { dtype: 'I64', shape: [3], data: BigInt64Array.of(0n, -5n, 9007199254740993n) },
  'idx/i32': { dtype: 'I32', shape: [2, 2], data: Int32Array.of(0, -1, 2147483647, -2147483648) },
  scalar: { dtype: 'F32', shape: [], data: Float32Array.of(0.25) },
  empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
};

const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });
/**
 * Malformed files and the message each must be refused with (naming the file `bad.st`): every check of the
 * header length, JSON, entries, offsets and metadata.
 */
export const MALFORMED_FILES: Array<[string, Uint8Array, string]> = [
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
