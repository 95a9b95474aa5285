import { crc32 as zlibCrc32 } from 'node:zlib';

/** CRC-32 (zip's) of `bytes`, continuing from `value` (Node's `zlib.crc32`; the browser build has its own). */
export function crc32(bytes: Uint8Array, value = 0): number {
  return zlibCrc32(bytes, value) >>> 0;
}
