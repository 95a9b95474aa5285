import { failFile, TorchFormatError } from './errors';

/** Thrown when the pickle runs past the end of the bytes given (so a caller may retry with more). */
export class PickleTruncatedError extends TorchFormatError {}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const utf8 = new TextDecoder('utf-8');

/**
 * Reads the arguments of pickle opcodes, checking every length against what remains: a length past the
 * end is a {@link PickleTruncatedError}, never an allocation.
 */
export class PickleCursor {
  private pos: number;
  private opStart: number;
  private readonly view: DataView;

  /** @param bytes - the pickle; @param start - offset of its first opcode; @param source - for errors. */
  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly source: string,
  ) {
    this.pos = this.opStart = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Offset of the next byte. */
  get position(): number {
    return this.pos;
  }

  /** The byte just read. */
  get previousByte(): number {
    return this.bytes[this.pos - 1];
  }

  /** Marks the start of an opcode, for error messages. */
  startOpcode(): void {
    this.opStart = this.pos;
  }

  /** Throws `<source>: pickle opcode at byte N: expected …, received …`. */
  error(expected: string, received: unknown): never {
    failFile(`${this.source}: pickle opcode at byte ${this.opStart}`, expected, received);
  }

  /** Advances over `length` bytes, returning where they start. */
  take(length: number): number {
    if (!Number.isSafeInteger(length) || length < 0) this.error('a non-negative length', length);
    if (length > this.bytes.length - this.pos) {
      throw new PickleTruncatedError(`${this.source}: pickle opcode at byte ${this.opStart}: expected ${length} more bytes, received ${this.bytes.length - this.pos} (the pickle is truncated)`);
    }
    const at = this.pos;
    this.pos += length;
    return at;
  }

  u8(): number {
    return this.bytes[this.take(1)];
  }
  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }
  i32(): number {
    return this.view.getInt32(this.take(4), true);
  }
  /** A little-endian u64 length, refused beyond 2^53. */
  u64(): number {
    const value = this.view.getBigUint64(this.take(8), true);
    if (value > MAX_SAFE) this.error('a length below 2^53', value);
    return Number(value);
  }
  /** BINFLOAT's big-endian double. */
  f64(): number {
    return this.view.getFloat64(this.take(8), false);
  }
  /** A newline-terminated argument of the text opcodes. */
  line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new PickleTruncatedError(`${this.source}: pickle opcode at byte ${this.opStart}: expected a newline-terminated argument, received the end of the data`);
    const text = this.latin1(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }
  /** `length` bytes of UTF-8. */
  text(length: number): string {
    const at = this.take(length);
    return utf8.decode(this.bytes.subarray(at, at + length));
  }
  /** A copy of `length` bytes. */
  blob(length: number): Uint8Array {
    const at = this.take(length);
    return this.bytes.slice(at, at + length);
  }
  /** Bytes as Latin-1 text (Python 2 `str`). */
  latin1(bytes: Uint8Array): string {
    let out = '';
    for (let i = 0; i < bytes.length; i += 4096) out += String.fromCharCode(...bytes.subarray(i, i + 4096));
    return out;
  }
  /** LONG1/LONG4: little-endian two's complement; a number when within ±2^53, else a BigInt. */
  long(length: number): number | bigint {
    if (length === 0) return 0;
    const at = this.take(length);
    let value = 0n;
    for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.bytes[at + i]);
    if (this.bytes[at + length - 1] & 0x80) value -= 1n << BigInt(8 * length);
    return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
  }
  /** INT/LONG text: a decimal integer (`01`/`00` are True/False for INT). */
  textInt(text: string, boolAllowed: boolean): number | bigint | boolean {
    if (boolAllowed && text === '01') return true;
    if (boolAllowed && text === '00') return false;
    if (!/^[-+]?\d{1,1200}$/.test(text)) this.error('a decimal integer', text);
    const value = BigInt(text);
    return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
  }
  /** GET/PUT text: a decimal memo index. */
  textIndex(text: string): number {
    if (!/^\d{1,10}$/.test(text)) this.error('a decimal memo index', text);
    return Number(text);
  }
}
