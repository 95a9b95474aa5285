import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TorchFormatError } from './errors';
import { flattenTorch } from './flatten';
import { parseTorchFile } from './load';
import { fixture, zipOf } from './test-helpers.test-util';
import { bufferSource } from './byte-source';
import { entryDataOffset, readZipDirectory } from './zip-reader';

/** Runs per fixture: a fast variant in the normal suite; `TORCH_FUZZ_RUNS=5000` for a long one. */
const RUNS = Number(process.env.TORCH_FUZZ_RUNS ?? 200);
/** No single parse of a mutated 1.6 MB file may take longer than this (a hang or a runaway loop fails). */
const MAX_MS_PER_CASE = 2000;

const FILES = ['tiny-probe.pth.tar', 'tiny-pretrain.pth.tar', 'tiny-pretrain-legacy.pth.tar', 'malicious.pth', 'views-protocol4.pth', 'views-legacy.pth'];

type Mutation = { kind: 'flip'; at: number[]; xor: number[] } | { kind: 'cut'; keep: number } | { kind: 'extend'; bytes: number[]; at: number };

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  if (m.kind === 'cut') return bytes.slice(0, Math.floor(m.keep * bytes.length));
  if (m.kind === 'extend') {
    const at = Math.floor(m.at * bytes.length);
    return Buffer.concat([bytes.subarray(0, at), Uint8Array.from(m.bytes), bytes.subarray(at)]);
  }
  const out = bytes.slice();
  // Flips concentrated where the structure is (the pickle at the front, the directory at the end) and anywhere.
  m.at.forEach((p, i) => {
    const region = i % 3;
    const index = region === 0 ? Math.floor(p * Math.min(4096, out.length)) : region === 1 ? out.length - 1 - Math.floor(p * Math.min(8192, out.length)) : Math.floor(p * out.length);
    out[index] ^= m.xor[i] || 1;
  });
  return out;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.double({ min: 0, max: 0.9999, noNaN: true }), { minLength: 1, maxLength: 12 }), xor: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 12, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('cut' as const), keep: fc.double({ min: 0, max: 0.9999, noNaN: true }) }),
  fc.record({ kind: fc.constant('extend' as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 64 }), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

/** Opens the file and reads every tensor; the only acceptable failure is a TorchFormatError. */
function consume(bytes: Uint8Array): void {
  try {
    const file = parseTorchFile(bytes, 'fuzzed.pth');
    for (const tensor of flattenTorch(file.root).tensors.values()) tensor.read();
  } catch (error) {
    if (!(error instanceof TorchFormatError)) throw error;
  }
}

describe('fuzzing the fixtures (bytes flipped, cut, extended)', () => {
  it.each(FILES)('%s: never crashes, hangs or allocates without bound', (name) => {
    const original = new Uint8Array(readFileSync(fixture(`pytorch/${name}`)));
    const heapBefore = process.memoryUsage().heapUsed;
    let slowest = 0;
    fc.assert(
      fc.property(mutation, (m) => {
        const started = performance.now();
        consume(mutate(original, m));
        slowest = Math.max(slowest, performance.now() - started);
        expect(process.memoryUsage().arrayBuffers).toBeLessThan(512 * 1024 * 1024);
      }),
      { numRuns: RUNS, seed: 42 },
    );
    expect(slowest).toBeLessThan(MAX_MS_PER_CASE);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024);
  });
});

/** The records of a zip fixture, to re-zip with a mutated pickle (and a CRC that matches it). */
function records(name: string): [string, Uint8Array][] {
  const source = bufferSource(new Uint8Array(readFileSync(fixture(`pytorch/${name}`))));
  return [...readZipDirectory(source).values()].map((e) => [e.name, source.read(entryDataOffset(source, e, source.size), e.size)]);
}

describe('fuzzing the pickles (mutated data.pkl, re-zipped with a valid CRC)', () => {
  it.each(['tiny-probe.pth.tar', 'tiny-pretrain.pth.tar', 'malicious.pth', 'views-protocol4.pth'])('%s: the unpickler never crashes, hangs or allocates without bound', (name) => {
    const all = records(name);
    const index = all.findIndex(([n]) => n.endsWith('/data.pkl'));
    const pickle = all[index][1];
    let slowest = 0;
    fc.assert(
      fc.property(mutation, (m) => {
        const mutated = all.slice();
        mutated[index] = [all[index][0], mutate(pickle, m)];
        const started = performance.now();
        consume(zipOf(mutated));
        slowest = Math.max(slowest, performance.now() - started);
      }),
      { numRuns: RUNS, seed: 7 },
    );
    expect(slowest).toBeLessThan(MAX_MS_PER_CASE);
  });
});
