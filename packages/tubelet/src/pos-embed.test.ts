import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sincos1d, sincosAxisDims, sincosPosEmbed3d } from './pos-embed';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/reference/tiny.safetensors', import.meta.url));

/** Minimal safetensors reader for F32 tensors: u64 LE header length, JSON header, offsets relative to the data. */
function readF32(path: string, name: string): { shape: number[]; data: Float32Array } {
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const entry = header[name];
  if (!entry || entry.dtype !== 'F32') throw new Error(`fixture has no F32 tensor ${name}`);
  const [begin, end] = entry.data_offsets;
  const raw = bytes.subarray(8 + headerLength + begin, 8 + headerLength + end);
  const data = new Float32Array(raw.byteLength / 4);
  for (let i = 0; i < data.length; i++) data[i] = raw.readFloatLE(4 * i);
  return { shape: entry.shape, data };
}

/** Float64 sum and sum of squares of a float32 table, as in spec §17.1. */
function sums(table: Float32Array): { sum: number; sumSquares: number } {
  let sum = 0;
  let sumSquares = 0;
  for (const v of table) {
    sum += v;
    sumSquares += v * v;
  }
  return { sum, sumSquares };
}

function row(table: Float32Array, dim: number, index: number): Float32Array {
  return table.subarray(index * dim, (index + 1) * dim);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > tolerance) {
      throw new Error(`entry ${i}: ${actual[i]} differs from ${expected[i]} by more than ${tolerance}`);
    }
  }
}

describe('sincos1d', () => {
  it('puts all sines first, then all cosines, with ω_i = 1/10000^(i/(dim/2))', () => {
    const out = sincos1d(8, [0, 1, 2]); // (3, 8), ω = 1, 0.1, 0.01, 0.001
    expectClose(out.subarray(0, 8), [0, 0, 0, 0, 1, 1, 1, 1], 0);
    const omega = [1, 0.1, 0.01, 0.001];
    for (const x of [1, 2]) {
      const expected = [...omega.map((w) => Math.sin(x * w)), ...omega.map((w) => Math.cos(x * w))];
      expectClose(out.subarray(x * 8, x * 8 + 8), expected, 1e-15);
    }
  });

  it.each([
    [3, [0], 'dim must be even'],
    [0, [0], 'dim must be a positive integer; received 0'],
    [2.5, [0], 'dim must be a positive integer; received 2.5'],
    [4, [0, Number.NaN], 'positions[1] must be a finite number; received NaN'],
  ])('rejects dim %s, positions %j', (dim, positions, message) => {
    expect(() => sincos1d(dim, positions)).toThrow(message);
  });
});

describe('sincosAxisDims', () => {
  it.each([
    [192, true, [64, 64, 64]],
    [1024, true, [342, 342, 342]],
    [1280, true, [428, 428, 428]],
    [1408, true, [470, 470, 470]],
    [1024, false, [512, 256, 256]],
  ])('D=%i uniformPower=%s → %j', (dim, uniform, expected) => {
    expect(sincosAxisDims(dim, uniform)).toEqual(expected);
  });
});

describe('sincosPosEmbed3d: spec §17.1 small exact cases', () => {
  const A0 = [0, 0, 1, 1];
  const A1 = [0.841471, 0.01, 0.540302, 0.99995];
  const A = (x: number) => (x === 0 ? A0 : A1);

  it('D=12, G=2, T\'=2, uniform: row 4d+2h+w = [A(d), A(h), A(w)], every entry', () => {
    const table = sincosPosEmbed3d({ dim: 12, gridDepth: 2, gridHeight: 2, gridWidth: 2, uniformPower: true });
    expect(table).toBeInstanceOf(Float32Array);
    expect(table.length).toBe(8 * 12);
    for (let d = 0; d < 2; d++)
      for (let h = 0; h < 2; h++)
        for (let w = 0; w < 2; w++) {
          expectClose(row(table, 12, 4 * d + 2 * h + w), [...A(d), ...A(h), ...A(w)], 1e-6);
        }
  });

  it('D=16, G=2, T\'=2, non-uniform: 8 time dims, then 4 + 4, every entry', () => {
    const table = sincosPosEmbed3d({ dim: 16, gridDepth: 2, gridHeight: 2, gridWidth: 2, uniformPower: false });
    const T0 = [0, 0, 0, 0, 1, 1, 1, 1];
    const T1 = [0.841471, 0.099833, 0.01, 0.001, 0.540302, 0.995004, 0.99995, 1];
    for (let d = 0; d < 2; d++)
      for (let h = 0; h < 2; h++)
        for (let w = 0; w < 2; w++) {
          expectClose(row(table, 16, 4 * d + 2 * h + w), [...(d ? T1 : T0), ...A(h), ...A(w)], 1e-6);
        }
  });

  it('is the float32 rounding of the float64 values', () => {
    const table = sincosPosEmbed3d({ dim: 12, gridDepth: 2, gridHeight: 2, gridWidth: 2, uniformPower: true });
    // Token (1,1,1) = 7: every part is A(1) computed in float64, then rounded once.
    const a1 = [Math.sin(1), Math.sin(0.01), Math.cos(1), Math.cos(0.01)].map(Math.fround);
    expect(Array.from(row(table, 12, 7))).toEqual([...a1, ...a1, ...a1]);
  });
});

describe('sincosPosEmbed3d: spec §17.1 full tables (G=14, T\'=8)', () => {
  it.each([
    [192, true, 140436.373046, 150527.999933, [0.84147096, 0.68156135, 0.53316844]],
    [384, true, 282557.421731, 301056.000037, [0.84147096, 0.76172042, 0.68156135]],
    [1024, true, 754948.136587, 801248.002149, [0.84147096, 0.81199563, 0.78200483]],
    [1280, true, 942925.32072, 1000384.005496, [0.84147096, 0.81797045, 0.79409838]],
    [1024, false, 763796.829925, 802815.999649, [0.84147096, 0.82185620, 0.80196178]],
  ])('D=%i uniformPower=%s: sum %f, sum of squares %f, row 227', (dim, uniformPower, sum, sumSquares, first3) => {
    const table = sincosPosEmbed3d({ dim, gridDepth: 8, gridHeight: 14, gridWidth: 14, uniformPower });
    expect(table.length).toBe(1568 * dim);
    const got = sums(table);
    // The spec prints these to 1e-6; ours agree to better than 1e-6 (a 1-ulp sin/pow difference would stay far below).
    expect(Math.abs(got.sum - sum)).toBeLessThan(1e-5);
    expect(Math.abs(got.sumSquares - sumSquares)).toBeLessThan(1e-5);
    expectClose(row(table, dim, 227).subarray(0, 3), first3, 1e-6);
  });

  it('ViT-L (D=1024, uniform): token 0 row and the named columns of token 227 (t=1, h=2, w=3)', () => {
    const table = sincosPosEmbed3d({ dim: 1024, gridDepth: 8, gridHeight: 14, gridWidth: 14, uniformPower: true });
    const zeros = (n: number) => new Array<number>(n).fill(0);
    const ones = (n: number) => new Array<number>(n).fill(1);
    const token0 = [...zeros(171), ...ones(171), ...zeros(171), ...ones(171), ...zeros(171), ...ones(169)];
    expect(Array.from(row(table, 1024, 0))).toEqual(token0);
    expect(sums(row(table, 1024, 0)).sum).toBe(511);
    const token227 = row(table, 1024, 227);
    expectClose(token227.subarray(342, 346), [0.90929743, 0.94786443, 0.97480399, 0.99145888], 1e-7);
    expectClose(token227.subarray(684, 688), [0.14112001, 0.29447207, 0.43313185, 0.55570425], 1e-7);
  });

  it('ViT-H 384 px (D=1280, G=24, T\'=8): shape (4608, 1280) and sum', () => {
    const table = sincosPosEmbed3d({ dim: 1280, gridDepth: 8, gridHeight: 24, gridWidth: 24, uniformPower: true });
    expect(table.length).toBe(4608 * 1280);
    expect(Math.abs(sums(table).sum - 2661198.392755)).toBeLessThan(1e-5);
  });
});

describe('sincosPosEmbed3d: official tables in the reference fixture', () => {
  it.each([
    ['encoder/pos_embed', 48],
    ['predictor/predictor_pos_embed', 32],
  ])('%s (1, 36, %i) equals ours for T\'=4, G=3, uniform', (name, dim) => {
    const reference = readF32(FIXTURE, name);
    expect(reference.shape).toEqual([1, 36, dim]);
    const table = sincosPosEmbed3d({ dim, gridDepth: 4, gridHeight: 3, gridWidth: 3, uniformPower: true });
    expectClose(table, reference.data, 1e-5);
  });
});

describe('sincosPosEmbed3d: defaults and argument checks', () => {
  it('defaults to uniformPower true (every released config)', () => {
    const grid = { dim: 24, gridDepth: 2, gridHeight: 3, gridWidth: 2 };
    expect(sincosPosEmbed3d(grid)).toEqual(sincosPosEmbed3d({ ...grid, uniformPower: true }));
  });

  it('handles non-square grids in token order (column fastest)', () => {
    const table = sincosPosEmbed3d({ dim: 12, gridDepth: 1, gridHeight: 2, gridWidth: 3 });
    // Token 5 = (t=0, h=1, w=2): the width part starts at column 8 with sin(2).
    expect(table[5 * 12 + 4]).toBe(Math.fround(Math.sin(1)));
    expect(table[5 * 12 + 8]).toBe(Math.fround(Math.sin(2)));
  });

  it.each([
    [{ dim: 0 }, 'dim must be a positive integer; received 0'],
    [{ dim: 12.5 }, 'dim must be a positive integer; received 12.5'],
    [{ gridDepth: -1 }, 'gridDepth must be a positive integer; received -1'],
    [{ gridHeight: 2.5 }, 'gridHeight must be a positive integer; received 2.5'],
    [{ gridWidth: '3' }, 'gridWidth must be a positive integer; received "3"'],
    [{ uniformPower: 1 }, 'uniformPower must be a boolean; received 1'],
    [{ dim: 12, uniformPower: false }, 'dim must be a multiple of 8 when uniformPower is false'],
    [{ dim: 9, uniformPower: false }, 'received 9'],
  ])('rejects %j', (override, message) => {
    const options = { dim: 16, gridDepth: 2, gridHeight: 2, gridWidth: 2, uniformPower: true, ...override };
    expect(() => sincosPosEmbed3d(options as never)).toThrow(message);
    expect(() => sincosPosEmbed3d(options as never)).toThrow(/^sincosPosEmbed3d: /);
  });
});
