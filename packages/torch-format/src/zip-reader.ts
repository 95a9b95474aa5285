import type { ByteSource } from './byte-source';
import { crc32 } from '#crc32';
import { verbatim } from '@vjepa/base';
import { failFile } from './errors';

/** One record of a zip archive, found through the central directory. */
export interface ZipEntry {
  /** The full name inside the archive (`tiny-pretrain.pth/data/0`). */
  readonly name: string;
  /** Bytes of the record (stored: compressed and uncompressed sizes agree). */
  readonly size: number;
  /** Offset of the local header. */
  readonly headerOffset: number;
  /** The CRC-32 the central directory records. */
  readonly crc: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const U32_MAX = 0xffffffff;
/** The end record is 22 bytes plus a comment of at most 65535. */
const EOCD_SEARCH = 22 + 0xffff;

function u64(view: DataView, at: number, where: string): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) failFile(where, 'a value below 2^53', value);
  return Number(value);
}

/**
 * Reads the central directory of a zip archive (Zip64 included) and checks every entry: stored (not
 * compressed), not encrypted, inside the file, no duplicate names. Local headers are not trusted for sizes
 * (torch writes zeros there); they are read only to find where each record's data start.
 *
 * @param source - the archive.
 * @throws TorchFormatError naming the archive and the problem.
 */
export function readZipDirectory(source: ByteSource): Map<string, ZipEntry> {
  const name = source.name;
  const tailLength = Math.min(source.size, EOCD_SEARCH);
  const tailStart = source.size - tailLength;
  const tail = source.read(tailStart, tailLength);
  const tailView = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let at = tail.length - 22; at >= 0; at--) {
    if (tailView.getUint32(at, true) === EOCD && at + 22 + tailView.getUint16(at + 20, true) <= tail.length) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) failFile(`${name}: zip end record`, 'an end-of-central-directory record in the last 64 KiB', 'none', 'The file is truncated or not a zip archive');
  let count = tailView.getUint16(eocd + 10, true);
  let cdSize = tailView.getUint32(eocd + 12, true);
  let cdOffset = tailView.getUint32(eocd + 16, true);
  const eocdPosition = tailStart + eocd;
  if (count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
    if (eocdPosition < 20) failFile(`${name}: zip64 locator`, 'a locator before the end record', 'none');
    const locator = source.read(eocdPosition - 20, 20);
    const lv = new DataView(locator.buffer, locator.byteOffset, 20);
    if (lv.getUint32(0, true) !== ZIP64_LOCATOR) failFile(`${name}: zip64 locator`, 'signature 0x07064b50', lv.getUint32(0, true));
    const recordAt = u64(lv, 8, `${name}: zip64 end record offset`);
    if (recordAt + 56 > eocdPosition - 20) failFile(`${name}: zip64 end record offset`, `at most ${eocdPosition - 76}`, recordAt);
    const record = source.read(recordAt, 56);
    const rv = new DataView(record.buffer, record.byteOffset, 56);
    if (rv.getUint32(0, true) !== ZIP64_EOCD) failFile(`${name}: zip64 end record`, 'signature 0x06064b50', rv.getUint32(0, true));
    count = u64(rv, 32, `${name}: zip64 entry count`);
    cdSize = u64(rv, 40, `${name}: zip64 central directory size`);
    cdOffset = u64(rv, 48, `${name}: zip64 central directory offset`);
  }
  if (cdOffset + cdSize > eocdPosition) failFile(`${name}: central directory`, `to end before the end record at ${eocdPosition}`, `${cdOffset} + ${cdSize} bytes`, 'The file is truncated or corrupt');
  if (count * 46 > cdSize) failFile(`${name}: central directory`, `room for ${count} entries (46 bytes each at least)`, `${cdSize} bytes`);
  const cd = source.read(cdOffset, cdSize);
  const view = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder('utf-8');
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cd.length || view.getUint32(at, true) !== CENTRAL) failFile(`${name}: central directory entry ${i}`, 'signature 0x02014b50', at + 4 <= cd.length ? view.getUint32(at, true) : 'the end of the directory');
    const flags = view.getUint16(at + 8, true);
    const crc = view.getUint32(at + 16, true);
    const method = view.getUint16(at + 10, true);
    let compressed = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let headerOffset = view.getUint32(at + 42, true);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > cd.length) failFile(`${name}: central directory entry ${i}`, `to fit in the ${cd.length}-byte directory`, `${next} bytes`);
    const entryName = decoder.decode(cd.subarray(at + 46, at + 46 + nameLength));
    // Zip64 extended information: 8-byte fields for those that are 0xFFFFFFFF, in this order.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = view.getUint16(e, true);
      const length = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let f = e + 4;
        const field = (what: string) => {
          if (f + 8 > e + 4 + length) failFile(`${name}: zip64 field of '${entryName}'`, `a ${what}`, 'a short field');
          const value = u64(view, f, `${name}: zip64 ${what} of '${entryName}'`);
          f += 8;
          return value;
        };
        if (size === U32_MAX) size = field('size');
        if (compressed === U32_MAX) compressed = field('compressed size');
        if (headerOffset === U32_MAX) headerOffset = field('header offset');
      }
      e += 4 + length;
    }
    if (flags & 1) failFile(`${name}: entry '${entryName}'`, 'an unencrypted entry', 'an encrypted one');
    if (method !== 0) {
      failFile(`${name}: entry '${entryName}'`, 'a stored (uncompressed) entry, as torch.save writes them', `compression method ${method}${method === 8 ? ' (deflate)' : ''}`, 'Re-save the file with torch.save, or unzip and re-zip it with `zip -0`');
    }
    if (compressed !== size) failFile(`${name}: entry '${entryName}' compressed size`, `its size ${size} (a stored entry)`, compressed);
    if (headerOffset + 30 + size > cdOffset) failFile(`${name}: entry '${entryName}'`, `to lie before the central directory at ${cdOffset}`, `header at ${headerOffset}, ${size} bytes`, 'The file is truncated or corrupt');
    if (entries.has(entryName)) failFile(`${name}: entry '${entryName}'`, 'a name used once', 'a duplicate');
    entries.set(entryName, { name: entryName, size, headerOffset, crc });
    at = next;
  }
  return entries;
}

/**
 * Where the data of `entry` begin: after its local header, name and extra field (whose lengths may differ
 * from the central directory's; torch pads the local extra field so data are 64-byte aligned).
 */
export function entryDataOffset(source: ByteSource, entry: ZipEntry, limit: number): number {
  const header = source.read(entry.headerOffset, 30);
  const view = new DataView(header.buffer, header.byteOffset, 30);
  if (view.getUint32(0, true) !== LOCAL) failFile(`${source.name}: local header of '${entry.name}'`, 'signature 0x04034b50', view.getUint32(0, true));
  const start = entry.headerOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
  if (start + entry.size > limit) failFile(`${source.name}: data of '${entry.name}'`, `to end before byte ${limit}`, `${start} + ${entry.size} bytes`, 'The file is truncated or corrupt');
  return start;
}

/** Checks the bytes of a whole record against the CRC-32 of the central directory. */
export function checkCrc(source: ByteSource, entry: ZipEntry, bytes: Uint8Array): void {
  const crc = crc32(bytes) >>> 0;
  if (crc !== entry.crc) {
    failFile(`${source.name}: record '${entry.name}'`, `CRC-32 0x${entry.crc.toString(16).padStart(8, '0')}`, verbatim(`0x${crc.toString(16).padStart(8, '0')}`), 'The file is corrupt; download or copy it again');
  }
}
