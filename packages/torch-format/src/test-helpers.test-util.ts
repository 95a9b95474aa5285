// Helpers shared by the tests of this package (not exported from the package).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSafetensorsHeader, safetensorsHeaderLength } from '@vjepa/base';
import { ZipWriter } from './zip-writer';

/** A file of the repository's fixtures/ folder. */
export function fixture(path: string): string {
  return fileURLToPath(new URL(`../../../fixtures/${path}`, import.meta.url));
}

/** The raw bytes of every tensor of a safetensors file, by name, with the header read by `@vjepa/base`. */
export function readSafetensorsBytes(path: string): Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }> {
  const file = readFileSync(path);
  const dataStart = 8 + safetensorsHeaderLength(file, file.length, path);
  const { entries } = parseSafetensorsHeader(file.subarray(8, dataStart), file.length - dataStart, path);
  return new Map(entries.map(({ name, dtype, shape, begin, end }) => [name, { dtype, shape, bytes: new Uint8Array(file.subarray(dataStart + begin, dataStart + end)) }]));
}

/** Pickle bytes assembled by hand: strings are opcodes/ASCII, numbers single bytes, arrays byte lists. */
export function bytesOf(...parts: (string | number | number[] | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'string') for (const c of part) out.push(c.charCodeAt(0));
    else if (typeof part === 'number') out.push(part);
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

/** BINUNICODE of `text`. */
export function str(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [0x58, bytes.length & 0xff, (bytes.length >> 8) & 0xff, 0, 0, ...bytes];
}

/** A zip archive of stored records, as torch writes it. */
export function zipOf(records: [string, Uint8Array][]): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new ZipWriter({ write: (b) => parts.push(b.slice()) });
  for (const [name, bytes] of records) zip.add(name, [bytes]);
  zip.finish();
  return Buffer.concat(parts);
}

/** The pickle of one tensor `_rebuild_tensor_v2(storage(key, dtype, numel), offset, size, stride)` as the whole object. */
export function tensorPickle(storage: string, numel: number, offset: number, size: number[], stride: number[]): Uint8Array {
  const tuple = (items: number[]) => ['(', ...items.map((n) => ['K', n] as [string, number]).flat(), 't'];
  return bytesOf(
    0x80, 2,
    'ctorch._utils\n_rebuild_tensor_v2\n',
    '(',
    '(', str('storage'), `ctorch\n${storage}\n`, str('0'), str('cpu'), 'J', [numel & 0xff, (numel >> 8) & 0xff, (numel >> 16) & 0xff, numel >>> 24], 't', 'Q',
    'K', offset,
    ...(tuple(size) as (string | number)[]),
    ...(tuple(stride) as (string | number)[]),
    0x89,
    'ccollections\nOrderedDict\n', ')', 'R',
    't', 'R', '.',
  );
}
