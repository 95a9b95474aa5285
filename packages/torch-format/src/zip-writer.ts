import { crc32 } from 'node:zlib';

/** Where archive bytes go, in order. */
export interface ByteSink {
  write(bytes: Uint8Array): void;
}

const U32_MAX = 0xffffffff;
/** Data start on 64-byte boundaries, as torch writes them (so they can be memory-mapped). */
const ALIGNMENT = 64;
/** 1980-01-01, the earliest DOS date. */
const DOS_DATE = (1 << 5) | 1;

interface Written {
  name: Uint8Array;
  crc: number;
  size: number;
  offset: number;
}

/**
 * Writes a zip archive of stored records the way PyTorch's writer does: data 64-byte aligned through a
 * padding extra field, CRC-32 of each record, Zip64 records when an offset, a size or the entry count
 * needs them (or always, with `forceZip64`, to test readers).
 */
export class ZipWriter {
  private offset = 0;
  private readonly entries: Written[] = [];

  /** @param sink - receives the bytes; @param forceZip64 - write Zip64 fields even when not needed. */
  constructor(
    private readonly sink: ByteSink,
    private readonly forceZip64 = false,
  ) {}

  private emit(bytes: Uint8Array): void {
    this.sink.write(bytes);
    this.offset += bytes.length;
  }

  /** Adds one record; `parts` are its bytes in order (a tensor may come in several pieces). */
  add(name: string, parts: readonly Uint8Array[]): void {
    const nameBytes = new TextEncoder().encode(name);
    let crc = 0;
    let size = 0;
    for (const part of parts) {
      crc = crc32(part, crc);
      size += part.length;
    }
    const zip64 = this.forceZip64 || size >= U32_MAX || this.offset >= U32_MAX;
    const zip64Length = zip64 ? 20 : 0;
    const base = this.offset + 30 + nameBytes.length + zip64Length + 4;
    const padding = (ALIGNMENT - (base % ALIGNMENT)) % ALIGNMENT;
    const header = new Uint8Array(30 + nameBytes.length + zip64Length + 4 + padding);
    const view = new DataView(header.buffer);
    view.setUint32(0, 0x04034b50, true);
    view.setUint16(4, zip64 ? 45 : 20, true);
    view.setUint16(12, DOS_DATE, true);
    view.setUint32(14, crc >>> 0, true);
    view.setUint32(18, zip64 ? U32_MAX : size, true);
    view.setUint32(22, zip64 ? U32_MAX : size, true);
    view.setUint16(26, nameBytes.length, true);
    view.setUint16(28, zip64Length + 4 + padding, true);
    header.set(nameBytes, 30);
    let at = 30 + nameBytes.length;
    if (zip64) {
      view.setUint16(at, 0x0001, true);
      view.setUint16(at + 2, 16, true);
      view.setBigUint64(at + 4, BigInt(size), true);
      view.setBigUint64(at + 12, BigInt(size), true);
      at += 20;
    }
    view.setUint16(at, 0x4246, true); // 'FB': PyTorch's padding field
    view.setUint16(at + 2, padding, true);
    this.entries.push({ name: nameBytes, crc: crc >>> 0, size, offset: this.offset });
    this.emit(header);
    for (const part of parts) this.emit(part);
  }

  /** Writes the central directory and the end records. */
  finish(): void {
    const cdOffset = this.offset;
    for (const entry of this.entries) {
      const zip64 = this.forceZip64 || entry.size >= U32_MAX || entry.offset >= U32_MAX;
      const extra = zip64 ? 28 : 0;
      const record = new Uint8Array(46 + entry.name.length + extra);
      const view = new DataView(record.buffer);
      view.setUint32(0, 0x02014b50, true);
      view.setUint16(4, 45, true);
      view.setUint16(6, zip64 ? 45 : 20, true);
      view.setUint16(14, DOS_DATE, true);
      view.setUint32(16, entry.crc, true);
      view.setUint32(20, zip64 ? U32_MAX : entry.size, true);
      view.setUint32(24, zip64 ? U32_MAX : entry.size, true);
      view.setUint16(28, entry.name.length, true);
      view.setUint16(30, extra, true);
      view.setUint32(42, zip64 ? U32_MAX : entry.offset, true);
      record.set(entry.name, 46);
      if (zip64) {
        const at = 46 + entry.name.length;
        view.setUint16(at, 0x0001, true);
        view.setUint16(at + 2, 24, true);
        view.setBigUint64(at + 4, BigInt(entry.size), true);
        view.setBigUint64(at + 12, BigInt(entry.size), true);
        view.setBigUint64(at + 20, BigInt(entry.offset), true);
      }
      this.emit(record);
    }
    const cdSize = this.offset - cdOffset;
    const count = this.entries.length;
    const zip64 = this.forceZip64 || count >= 0xffff || cdOffset >= U32_MAX || cdSize >= U32_MAX;
    if (zip64) {
      const recordAt = this.offset;
      const end = new Uint8Array(56 + 20);
      const view = new DataView(end.buffer);
      view.setUint32(0, 0x06064b50, true);
      view.setBigUint64(4, 44n, true);
      view.setUint16(12, 45, true);
      view.setUint16(14, 45, true);
      view.setBigUint64(24, BigInt(count), true);
      view.setBigUint64(32, BigInt(count), true);
      view.setBigUint64(40, BigInt(cdSize), true);
      view.setBigUint64(48, BigInt(cdOffset), true);
      view.setUint32(56, 0x07064b50, true);
      view.setBigUint64(64, BigInt(recordAt), true);
      view.setUint32(72, 1, true);
      this.emit(end);
    }
    const end = new Uint8Array(22);
    const view = new DataView(end.buffer);
    view.setUint32(0, 0x06054b50, true);
    view.setUint16(8, zip64 ? 0xffff : count, true);
    view.setUint16(10, zip64 ? 0xffff : count, true);
    view.setUint32(12, zip64 ? U32_MAX : cdSize, true);
    view.setUint32(16, zip64 ? U32_MAX : cdOffset, true);
    this.emit(end);
  }
}
