/**
 * The safetensors format, read and written by hand with strict validation (no dependency, no tfjs):
 * an 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`, then the data
 * buffer, which the tensors must cover exactly (offsets are relative to its start).
 *
 * It is bytes only, so it runs in browsers; `@vjepa/core` reads and writes the files (`readSafetensors`,
 * `writeSafetensors`) with these functions.
 *
 * @packageDocumentation
 */
import { CheckpointError, fail } from './errors';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './half-float';

/** The element types this module reads and writes. */
export type SafeDtype = 'F32' | 'F16' | 'BF16' | 'I64' | 'I32';

/** A tensor's elements: Float32Array for F32/F16/BF16, Int32Array for I32, BigInt64Array for I64. */
export type SafeTensorData = Float32Array | Int32Array | BigInt64Array;

/** One tensor read from a file. F16 and BF16 arrive widened to a Float32Array; `dtype` keeps the stored type. */
export interface SafeTensor {
  /** The element type stored in the file. */
  dtype: SafeDtype;
  /** The dimensions, row-major; `[]` for a scalar. */
  shape: number[];
  /** The elements, row-major. May share memory with the parsed bytes when they were aligned. */
  data: SafeTensorData;
}

/**
 * One tensor to write. `data` must be a Float32Array for F32/F16/BF16 (F16/BF16 rounded to nearest even),
 * an Int32Array for I32, a BigInt64Array (or an Int32Array, widened) for I64.
 */
export interface SafeTensorInput {
  /** The element type to store. */
  dtype: SafeDtype;
  /** The dimensions, row-major; `data.length` must equal their product. */
  shape: readonly number[];
  /** The elements, row-major. */
  data: SafeTensorData;
}

/** The tensors to write, by name: a Map or a plain record. */
export type SafeTensorsInput = ReadonlyMap<string, SafeTensorInput> | Readonly<Record<string, SafeTensorInput>>;

/** A parsed file: the tensors in header order and the `__metadata__` strings. */
export interface SafetensorsFile {
  /** The tensors by name. */
  tensors: Map<string, SafeTensor>;
  /** The `__metadata__` entries; empty when the file has none. */
  metadata: Record<string, string>;
}

/** The largest header accepted, as in the reference implementation (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

const DTYPE_BYTES: Readonly<Record<SafeDtype, number>> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 };
const DTYPES = Object.keys(DTYPE_BYTES).join(', ');
/** Every dtype of the safetensors format and its element size: what a header may name when only listed, not decoded. */
const FORMAT_DTYPE_BYTES: Readonly<Record<string, number>> = { F64: 8, ...DTYPE_BYTES, I16: 2, I8: 1, U8: 1, BOOL: 1, U16: 2, U32: 4, U64: 8, F8_E4M3: 1, F8_E5M2: 1 };
const METADATA_KEY = '__metadata__';
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const GAP_HINT = 'The reference implementation rejects a data buffer not fully covered by tensors';

/** A validated header, for readers that fetch the data piece by piece: the tensor entries and the metadata. */
export interface SafetensorsLayout {
  /** The tensors, in header order. */
  entries: SafetensorsEntry[];
  /** The `__metadata__` entries; empty when the file has none. */
  metadata: Record<string, string>;
}

/** One tensor of a validated header. */
export interface SafetensorsEntry {
  /** The tensor's name. */
  name: string;
  /** Its stored element type. */
  dtype: SafeDtype;
  /** Its dimensions, row-major. */
  shape: number[];
  /** Where its bytes begin in the data buffer (after the 8-byte length and the header). */
  begin: number;
  /** Where they end (exclusive). */
  end: number;
}

// ---------------------------------------------------------------------------------------------------
// Reading

/**
 * Parses safetensors bytes, validating everything before decoding: header length, JSON, dtypes, shapes,
 * offsets (in range, no overlap, no gap, no trailing bytes), byte counts and metadata.
 *
 * @param bytes - the whole file.
 * @param source - the file name used in error messages.
 * @returns the tensors (their data may share memory with `bytes` where aligned) and the metadata.
 * @throws CheckpointError naming `source` and what is wrong in the file; UsageError when `bytes` is not a Uint8Array.
 */
export function parseSafetensors(bytes: Uint8Array, source = '<buffer>'): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) fail('bytes', 'a Uint8Array', bytes);
  const headerLength = safetensorsHeaderLength(bytes, bytes.length, source);
  const dataStart = 8 + headerLength;
  const layout = parseSafetensorsHeader(bytes.subarray(8, dataStart), bytes.length - dataStart, source);
  return decodeSafetensors(layout, (entry) => decodeSafetensorData(bytes, dataStart + entry.begin, entry.end - entry.begin, entry.dtype));
}

/**
 * Narrows int64 values (mask indices, labels) to an Int32Array, checking each fits.
 *
 * @param values - the int64 elements, e.g. `tensor.data` of an I64 tensor.
 * @param argument - the name used in the error message.
 * @throws VjepaError naming the first element outside [−2^31, 2^31).
 */
export function int64ToInt32(values: BigInt64Array, argument = 'values'): Int32Array {
  if (!(values instanceof BigInt64Array)) fail(argument, 'a BigInt64Array', values);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value < -2147483648n || value > 2147483647n) {
      fail(`${argument}[${i}]`, 'a value in the int32 range [-2147483648, 2147483647]', value);
    }
    out[i] = Number(value);
  }
  return out;
}

/**
 * The header length of a safetensors file from its first 8 bytes, checked against the file length: the
 * first step of a reader that fetches a large file piece by piece (then {@link parseSafetensorsHeader}).
 *
 * @param prefix - the file's first bytes (at least 8, or all of a shorter file).
 * @param fileLength - the file's length in bytes.
 * @param source - the file name used in error messages.
 * @returns N, the length of the JSON header that follows the 8 bytes.
 * @throws CheckpointError for a file shorter than 8 bytes or a header longer than the file or than {@link MAX_HEADER_BYTES}.
 */
export function safetensorsHeaderLength(prefix: Uint8Array, fileLength: number, source: string): number {
  if (fileLength < 8) {
    failFile(`${source}: file length`, 'at least 8 bytes (the little-endian u64 header length)', fileLength);
  }
  const headerLength = Number(new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) {
    const hint = 'This is not a safetensors file or it is corrupt';
    failFile(`${source}: header length`, `at most ${MAX_HEADER_BYTES} bytes`, headerLength, hint);
  }
  if (headerLength > fileLength - 8) {
    const hint = 'The file is truncated or not a safetensors file';
    failFile(`${source}: header length`, `at most the ${fileLength - 8} bytes that follow it`, headerLength, hint);
  }
  return headerLength;
}

/** Options of {@link parseSafetensorsHeader}. */
export interface SafetensorsHeaderOptions {
  /**
   * Accept every dtype of the format (F64, I16, I8, U8, BOOL, U16, U32, U64, F8_E4M3, F8_E5M2 besides the
   * decodable ones), for a header that is listed, not decoded; the entries' `dtype` is then any of them.
   */
  anyDtype?: boolean;
}

/**
 * Parses and validates the JSON header against the length of the data buffer that follows it, with every
 * check of {@link parseSafetensors}: dtypes, shapes, byte counts, offsets (no overlap, no gap, no trailing byte).
 *
 * @param headerBytes - the N header bytes (after the 8-byte length).
 * @param dataLength - the bytes of the file after the header.
 * @param source - the file name used in error messages.
 * @returns the entries, to be read at `8 + N + begin`, and the metadata.
 * @throws CheckpointError naming `source`, the tensor and the problem.
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, dataLength: number, source: string, options: SafetensorsHeaderOptions = {}): SafetensorsLayout {
  const header = parseHeaderJson(headerBytes, source);
  const metadata = parseMetadata(header[METADATA_KEY], source);
  const sizes = options.anyDtype ? FORMAT_DTYPE_BYTES : DTYPE_BYTES;
  const entries = Object.keys(header)
    .filter((name) => name !== METADATA_KEY)
    .map((name) => parseEntry(name, header[name], source, sizes));
  checkLayout(entries, dataLength, source);
  return { entries, metadata };
}

/**
 * The parsed file of a validated layout, each tensor's data given by `data` (e.g. read from disk and
 * passed through {@link decodeSafetensorData}).
 */
export function decodeSafetensors(layout: SafetensorsLayout, data: (entry: SafetensorsEntry) => SafeTensorData): SafetensorsFile {
  const tensors = new Map<string, SafeTensor>();
  for (const entry of layout.entries) {
    tensors.set(entry.name, { dtype: entry.dtype, shape: entry.shape, data: data(entry) });
  }
  return { tensors, metadata: layout.metadata };
}

function parseHeaderJson(headerBytes: Uint8Array, source: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new CheckpointError(`${source}: header: expected UTF-8 JSON, received bytes that are not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    failFile(`${source}: header`, 'valid JSON', text, `${(error as Error).message}`);
  }
  if (!isPlainObject(header)) failFile(`${source}: header`, 'a JSON object', header);
  return header;
}

function parseMetadata(metadata: unknown, source: string): Record<string, string> {
  if (metadata === undefined) return {};
  if (!isPlainObject(metadata)) failFile(`${source}: ${METADATA_KEY}`, 'an object of strings', metadata);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') failFile(`${source}: ${METADATA_KEY}[${JSON.stringify(key)}]`, 'a string', value);
  }
  return Object.fromEntries(Object.entries(metadata)) as Record<string, string>;
}

function parseEntry(name: string, info: unknown, source: string, sizes: Readonly<Record<string, number>> = DTYPE_BYTES): SafetensorsEntry {
  const where = `${source}: tensor ${JSON.stringify(name)}`;
  if (!isPlainObject(info)) failFile(where, 'an object {dtype, shape, data_offsets}', info);
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== 'string' || !Object.hasOwn(sizes, dtype)) failFile(`${where} dtype`, `one of ${Object.keys(sizes).join(', ')}`, dtype);
  if (!isShape(shape)) failFile(`${where} shape`, 'an array of non-negative integers', shape);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1]) {
    failFile(`${where} data_offsets`, 'two integers [begin, end] with 0 <= begin <= end', offsets);
  }
  const [begin, end] = offsets as [number, number];
  const size = sizes[dtype];
  const expectedBytes = elementCount(shape) * size;
  if (end - begin !== expectedBytes) {
    const expected = `a span of ${expectedBytes} bytes (shape [${shape.join(', ')}] × ${size} bytes per ${dtype})`;
    failFile(`${where} data_offsets`, expected, offsets);
  }
  return { name, dtype: dtype as SafeDtype, shape: [...shape], begin, end };
}

/** The tensors, sorted by offset, must tile the data buffer exactly: no overlap, no gap, no missing or extra byte. */
function checkLayout(entries: SafetensorsEntry[], bufferLength: number, source: string): void {
  const sorted = [...entries].sort((x, y) => x.begin - y.begin || x.end - y.end);
  let covered = 0;
  let previous = 'the start of the data buffer';
  for (const entry of sorted) {
    const where = `${source}: tensor ${JSON.stringify(entry.name)} data_offsets`;
    const received = [entry.begin, entry.end];
    if (entry.begin < covered) {
      failFile(where, `to begin at or after ${covered} (${previous})`, received, 'The tensors overlap');
    }
    if (entry.begin > covered) {
      const hint = `${GAP_HINT} (gap of ${entry.begin - covered} bytes)`;
      failFile(where, `to begin at ${covered} (${previous})`, received, hint);
    }
    covered = entry.end;
    previous = `the end of tensor ${JSON.stringify(entry.name)}`;
  }
  const truncated = sorted.find((entry) => entry.end > bufferLength);
  if (truncated) {
    const where = `${source}: tensor ${JSON.stringify(truncated.name)} data_offsets`;
    const missing = covered - bufferLength;
    const hint = `The file is truncated: the header describes ${covered} bytes of data, ${missing} are missing`;
    failFile(where, `to lie within the data buffer of ${bufferLength} bytes`, [truncated.begin, truncated.end], hint);
  }
  if (covered < bufferLength) {
    const hint = `${GAP_HINT} (${bufferLength - covered} trailing bytes)`;
    failFile(`${source}: data buffer length`, `${covered} bytes (${previous})`, bufferLength, hint);
  }
}

/**
 * Decodes `byteLength` little-endian bytes at `offset` as `dtype`; F16/BF16 are widened to float32. The
 * result views `bytes` where it can (aligned, little-endian host), else it is a copy.
 */
export function decodeSafetensorData(bytes: Uint8Array, offset: number, byteLength: number, dtype: SafeDtype): SafeTensorData {
  const size = DTYPE_BYTES[dtype];
  const { buffer, byteOffset } = hostOrderBytes(bytes, offset, byteLength, size);
  const count = byteLength / size;
  switch (dtype) {
    case 'F32':
      return new Float32Array(buffer, byteOffset, count);
    case 'I32':
      return new Int32Array(buffer, byteOffset, count);
    case 'I64':
      return new BigInt64Array(buffer, byteOffset, count);
    case 'F16':
      return float16ToFloat32(new Uint16Array(buffer, byteOffset, count));
    case 'BF16':
      return bfloat16ToFloat32(new Uint16Array(buffer, byteOffset, count));
  }
}

/** Little-endian elements in host order: the bytes themselves when aligned on a little-endian host, else a copy. */
function hostOrderBytes(
  bytes: Uint8Array,
  offset: number,
  byteLength: number,
  size: number,
): { buffer: ArrayBufferLike; byteOffset: number } {
  const absolute = bytes.byteOffset + offset;
  if (HOST_LITTLE_ENDIAN && absolute % size === 0) return { buffer: bytes.buffer, byteOffset: absolute };
  const copy = new Uint8Array(byteLength); // not bytes.slice: on a Node Buffer that is a view, not a copy
  copy.set(bytes.subarray(offset, offset + byteLength));
  if (!HOST_LITTLE_ENDIAN) reverseEachElement(copy, size);
  return { buffer: copy.buffer, byteOffset: 0 };
}

function reverseEachElement(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let start = 0; start < bytes.length; start += size) bytes.subarray(start, start + size).reverse();
}

// ---------------------------------------------------------------------------------------------------
// Writing

/**
 * Serialises tensors to safetensors bytes like the reference implementation: header keys sorted by name,
 * header padded with spaces to a multiple of 8 bytes, data contiguous and ordered by element size
 * (largest first) then name, so every tensor is naturally aligned. Everything is validated first.
 *
 * @param tensors - the tensors by name (Map or record).
 * @param metadata - optional `__metadata__` strings.
 * @throws VjepaError naming the tensor and field at fault.
 */
export function serializeSafetensors(tensors: SafeTensorsInput, metadata: Record<string, string> = {}): Uint8Array {
  const named = checkInputs(tensors, metadata);
  const bySize = (x: [string, SafeTensorInput], y: [string, SafeTensorInput]) =>
    DTYPE_BYTES[y[1].dtype] - DTYPE_BYTES[x[1].dtype] || compareNames(x[0], y[0]);
  const layout = [...named].sort(bySize);
  const offsets = new Map<string, [number, number]>();
  let end = 0;
  for (const [name, tensor] of layout) {
    const begin = end;
    end += tensor.data.length * DTYPE_BYTES[tensor.dtype];
    offsets.set(name, [begin, end]);
  }
  const headerBytes = encodeHeader(named, offsets, metadata);
  const out = new Uint8Array(8 + headerBytes.length + end);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  const dataStart = 8 + headerBytes.length;
  for (const [name, tensor] of layout) out.set(encodeData(tensor), dataStart + offsets.get(name)![0]);
  return out;
}

function checkInputs(tensors: SafeTensorsInput, metadata: Record<string, string>): Array<[string, SafeTensorInput]> {
  if (tensors === null || typeof tensors !== 'object') {
    fail('tensors', 'a Map or a record of name → {dtype, shape, data}', tensors);
  }
  const named: Array<[string, SafeTensorInput]> =
    tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors as Record<string, SafeTensorInput>);
  for (const [name, tensor] of named) checkInput(name, tensor);
  if (!isPlainObject(metadata)) fail('metadata', 'an object of strings', metadata);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') fail(`metadata[${JSON.stringify(key)}]`, 'a string', value);
  }
  return named;
}

function checkInput(name: unknown, tensor: SafeTensorInput): void {
  if (typeof name !== 'string' || name === '' || name === METADATA_KEY) {
    fail('tensor name', `a non-empty string other than "${METADATA_KEY}"`, name);
  }
  const where = `tensors[${JSON.stringify(name)}]`;
  if (!isPlainObject(tensor)) fail(where, 'an object {dtype, shape, data}', tensor);
  const { dtype, shape, data } = tensor;
  if (!isDtype(dtype)) fail(`${where}.dtype`, `one of ${DTYPES}`, dtype);
  if (!isShape(shape)) fail(`${where}.shape`, 'an array of non-negative integers', shape);
  const accepted = dtype === 'I32' ? [Int32Array] : dtype === 'I64' ? [BigInt64Array, Int32Array] : [Float32Array];
  if (!accepted.some((type) => data instanceof type)) {
    fail(`${where}.data`, `a ${accepted.map((type) => type.name).join(' or ')} for dtype ${dtype}`, data);
  }
  if (data.length !== elementCount(shape)) {
    fail(`${where}.data`, `${elementCount(shape)} elements (shape [${shape.join(', ')}])`, data);
  }
}

function encodeHeader(
  named: Array<[string, SafeTensorInput]>,
  offsets: Map<string, [number, number]>,
  metadata: Record<string, string>,
): Uint8Array {
  // Built by hand: JSON.stringify of an object would put integer-like names first, out of sorted order.
  const fields: string[] = [];
  const metadataKeys = Object.keys(metadata).sort(compareNames);
  if (metadataKeys.length > 0) {
    const pairs = metadataKeys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(metadata[key])}`);
    fields.push(`${JSON.stringify(METADATA_KEY)}:{${pairs.join(',')}}`);
  }
  for (const [name, tensor] of [...named].sort((x, y) => compareNames(x[0], y[0]))) {
    const info = { dtype: tensor.dtype, shape: [...tensor.shape], data_offsets: offsets.get(name) };
    fields.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
  }
  const json = new TextEncoder().encode(`{${fields.join(',')}}`);
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20); // spaces, as the reference
  padded.set(json);
  return padded;
}

/** The little-endian bytes of one tensor's data. */
function encodeData(tensor: SafeTensorInput): Uint8Array {
  const { dtype, data } = tensor;
  let elements: SafeTensorData | Uint16Array = data;
  if (dtype === 'I64' && data instanceof Int32Array) elements = BigInt64Array.from(data, (value) => BigInt(value));
  if (dtype === 'F16') elements = float32ToFloat16(data as Float32Array);
  if (dtype === 'BF16') elements = float32ToBfloat16(data as Float32Array);
  const bytes = new Uint8Array(elements.buffer, elements.byteOffset, elements.byteLength);
  if (HOST_LITTLE_ENDIAN) return bytes;
  const copy = new Uint8Array(bytes);
  reverseEachElement(copy, elements.BYTES_PER_ELEMENT);
  return copy;
}

// ---------------------------------------------------------------------------------------------------
// Shared checks

/** Throws a {@link CheckpointError}: what is wrong in a file's bytes is the file's fault, not the caller's. */
function failFile(argument: string, expected: string, received: unknown, hint?: string): never {
  fail(argument, expected, received, hint, CheckpointError);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  return !Array.isArray(value) && !ArrayBuffer.isView(value) && !(value instanceof Map);
}

function isDtype(value: unknown): value is SafeDtype {
  return typeof value === 'string' && Object.hasOwn(DTYPE_BYTES, value);
}

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.every(isIndex);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

function compareNames(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
