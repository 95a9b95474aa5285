import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError, VjepaError } from '@vjepa/base';
import { erf, erfc, erfinv, RandomStream } from './random';

function moments(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(squares / values.length) };
}

function draws(stream: RandomStream, n: number): number[] {
  return Array.from({ length: n }, () => stream.nextUint32());
}

/** Mean and std of N(mean, std²) truncated to [a, b] (closed forms). */
function truncatedMoments(mean: number, std: number, a: number, b: number): { mean: number; std: number } {
  const density = (z: number) => Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
  const cdf = (z: number) => 0.5 * erfc(-z / Math.SQRT2);
  const alpha = (a - mean) / std;
  const beta = (b - mean) / std;
  const mass = cdf(beta) - cdf(alpha);
  const shift = (density(alpha) - density(beta)) / mass;
  const variance = 1 + (alpha * density(alpha) - beta * density(beta)) / mass - shift ** 2;
  return { mean: mean + std * shift, std: std * Math.sqrt(variance) };
}

describe('RandomStream: the generator', () => {
  it('is xoshiro128** (reference outputs for state [1, 2, 3, 4])', () => {
    const stream = RandomStream.fromState({ words: [1, 2, 3, 4], spareNormal: null });
    // Computed with an independent implementation of the reference C code.
    expect(draws(stream, 6)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('is seeded by splitmix64 (reference outputs for seeds 0 and 42)', () => {
    // splitmix64(0) = 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, split into low/high 32-bit words.
    expect(new RandomStream(0).getState().words).toEqual([0x7b1dcdaf, 0xe220a839, 0xa1b965f4, 0x6e789e6a]);
    expect(new RandomStream(42).getState().words).toEqual([803958421, 3184996902, 2993090819, 686809907]);
  });

  it('is deterministic, and different seeds give different streams', () => {
    expect(draws(new RandomStream(7), 100)).toEqual(draws(new RandomStream(7), 100));
    expect(draws(new RandomStream(7), 100)).not.toEqual(draws(new RandomStream(8), 100));
    expect(draws(new RandomStream(-1), 10)).not.toEqual(draws(new RandomStream(1), 10));
  });

  it('rejects a seed that is not a safe integer', () => {
    expect(() => new RandomStream(1.5)).toThrow(new UsageError('seed: expected a safe integer, received 1.5'));
    expect(() => new RandomStream(2 ** 60)).toThrow(VjepaError);
  });

  it('nextFloat lies in [0, 1) with mean 1/2', () => {
    const stream = new RandomStream(1);
    const values = Array.from({ length: 20000 }, () => stream.nextFloat());
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(moments(values).mean).toBeCloseTo(0.5, 2);
  });

  it('nextInt is inclusive, in bounds and uniform (chi-square)', () => {
    const stream = new RandomStream(2);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[stream.nextInt(-2, 3) + 2]++;
    const chiSquare = counts.reduce((sum, count) => sum + (count - 10000) ** 2 / 10000, 0);
    expect(chiSquare).toBeLessThan(20.5); // p ≈ 0.001 for 5 degrees of freedom
    expect(stream.nextInt(5, 5)).toBe(5);
    const full = stream.nextInt(0, 2 ** 32 - 1);
    expect(full).toBeGreaterThanOrEqual(0);
    expect(full).toBeLessThan(2 ** 32);
  });

  it('nextInt stays in any valid range (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.nat(100000), (seed, low, width) => {
        const value = new RandomStream(seed).nextInt(low, low + width);
        return Number.isInteger(value) && value >= low && value <= low + width;
      }),
    );
  });

  it('nextInt names its bad arguments', () => {
    const stream = new RandomStream(0);
    expect(() => stream.nextInt(3, 2)).toThrow('highInclusive: expected a safe integer >= low (3), received 2');
    expect(() => stream.nextInt(0.5, 2)).toThrow('low: expected a safe integer, received 0.5');
    expect(() => stream.nextInt(0, 2 ** 32)).toThrow('highInclusive - low + 1: expected at most 2^32 values, received 4294967297');
  });
});

describe('RandomStream: state', () => {
  it('round-trips through JSON mid-stream, including a cached spare normal', () => {
    const stream = new RandomStream(3);
    draws(stream, 5);
    for (let i = 0; i < 3; i++) stream.normal(); // odd count: a spare is cached
    const saved = JSON.parse(JSON.stringify(stream.getState()));
    expect(saved.spareNormal).not.toBeNull();
    const resumed = RandomStream.fromState(saved);
    const expected = [stream.normal(), stream.normal(), stream.nextUint32(), stream.normal()];
    expect([resumed.normal(), resumed.normal(), resumed.nextUint32(), resumed.normal()]).toEqual(expected);
    expect(resumed.getState()).toEqual(stream.getState());
  });

  it('setState overwrites a stream exactly (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.nat(7), (seedA, seedB, normals) => {
        const source = new RandomStream(seedA);
        for (let i = 0; i < normals; i++) source.normal();
        const target = new RandomStream(seedB);
        target.normal();
        target.setState(source.getState());
        return source.normal() === target.normal() && source.nextUint32() === target.nextUint32();
      }),
    );
  });

  it('validates a state before using it', () => {
    const stream = new RandomStream(0);
    const before = stream.getState();
    const bad = (state: unknown) => () => stream.setState(state as never);
    expect(bad({ words: [1, 2, 3], spareNormal: null })).toThrow('state.words: expected four unsigned 32-bit integers, received [1, 2, 3]');
    expect(bad({ words: [1, 2, 3, 2 ** 32], spareNormal: null })).toThrow('state.words: expected four unsigned 32-bit integers');
    expect(bad({ words: [0, 0, 0, 0], spareNormal: null })).toThrow('state.words: expected not all zero');
    expect(bad({ words: [1, 2, 3, 4], spareNormal: 'x' })).toThrow('state.spareNormal: expected a finite number or null, received "x"');
    expect(bad(null)).toThrow(VjepaError);
    expect(stream.getState()).toEqual(before);
  });
});

describe('RandomStream: child streams', () => {
  it('fork(label) is deterministic, label-dependent and leaves the parent where it was', () => {
    const parent = new RandomStream(4);
    const before = parent.getState();
    const a1 = draws(parent.fork('a'), 50);
    const a2 = draws(parent.fork('a'), 50);
    const b = draws(parent.fork('b'), 50);
    expect(parent.getState()).toEqual(before);
    expect(a1).toEqual(a2);
    expect(a1).not.toEqual(b);
    expect(a1).not.toEqual(draws(new RandomStream(4), 50));
    expect(draws(new RandomStream(5).fork('a'), 50)).not.toEqual(a1);
  });

  it('forked streams are uncorrelated', () => {
    const parent = new RandomStream(9);
    const x = parent.fork('masking').uniform(50000, -1, 1);
    const y = parent.fork('init').uniform(50000, -1, 1);
    let dot = 0;
    for (let i = 0; i < x.length; i++) dot += x[i] * y[i];
    expect(Math.abs(dot / x.length / (1 / 3))).toBeLessThan(0.02); // correlation; std error ≈ 0.0045
  });

  it('split() advances the parent and is deterministic', () => {
    const p1 = new RandomStream(6);
    const p2 = new RandomStream(6);
    const c1 = p1.split();
    const c2 = p2.split();
    expect(draws(c1, 20)).toEqual(draws(c2, 20));
    expect(p1.getState()).toEqual(p2.getState());
    expect(p1.getState()).not.toEqual(new RandomStream(6).getState());
    expect(draws(p1.split(), 20)).not.toEqual(draws(c1, 20));
  });

  it('fork requires a string label', () => {
    expect(() => new RandomStream(0).fork(3 as never)).toThrow('label: expected a string, received 3');
  });
});

describe('RandomStream: distributions', () => {
  it('normal() has mean 0 and std 1; normal(mean, std) shifts and scales', () => {
    const stream = new RandomStream(10);
    const standard = moments(Array.from({ length: 100000 }, () => stream.normal()));
    expect(Math.abs(standard.mean)).toBeLessThan(0.012); // 4 standard errors
    expect(Math.abs(standard.std - 1)).toBeLessThan(0.01);
    const scaled = moments(Array.from({ length: 100000 }, () => stream.normal(3, 0.5)));
    expect(Math.abs(scaled.mean - 3)).toBeLessThan(0.006);
    expect(Math.abs(scaled.std - 0.5)).toBeLessThan(0.005);
  });

  it('truncatedNormal to [-1, 1] with std 1 has std 0.5396 and stays in bounds', () => {
    const values = new RandomStream(11).truncatedNormal(100000, { a: -1, b: 1 });
    expect(values).toBeInstanceOf(Float32Array);
    expect(values.every((v) => v >= -1 && v <= 1)).toBe(true);
    const { mean, std } = moments(values);
    expect(truncatedMoments(0, 1, -1, 1).std).toBeCloseTo(0.5395600937548969, 12);
    expect(Math.abs(mean)).toBeLessThan(0.007);
    expect(Math.abs(std - 0.5395600937548969)).toBeLessThan(0.004);
  });

  it('truncatedNormal matches the closed-form moments on an asymmetric interval', () => {
    const options = { mean: 0.5, std: 1, a: 0, b: 3 };
    const values = new RandomStream(12).truncatedNormal(100000, options);
    expect(values.every((v) => v >= 0 && v <= 3)).toBe(true);
    const expected = truncatedMoments(0.5, 1, 0, 3);
    const { mean, std } = moments(values);
    expect(Math.abs(mean - expected.mean)).toBeLessThan(0.01);
    expect(Math.abs(std - expected.std)).toBeLessThan(0.01);
  });

  it('truncatedNormal bounds are absolute: std 0.02 with the default ±2 is effectively untruncated', () => {
    const values = new RandomStream(13).truncatedNormal(100000, { std: 0.02 });
    const { mean, std } = moments(values);
    expect(Math.abs(mean)).toBeLessThan(0.0003);
    expect(Math.abs(std - 0.02)).toBeLessThan(0.0003);
    // Bounds of mean ± 2·std would cut 4.55 % of the mass; absolute bounds ±2 cut nothing.
    const beyondTwoStd = values.filter((v) => Math.abs(v) > 0.04).length / values.length;
    expect(beyondTwoStd).toBeGreaterThan(0.04);
    expect(beyondTwoStd).toBeLessThan(0.051);
  });

  it('truncatedNormal keeps float32-rounded values within the float32 bounds (property)', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 1e-3, max: 5, noNaN: true }),
        fc.double({ min: -4, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        (seed, mean, std, a, width) => {
          const values = new RandomStream(seed).truncatedNormal(64, { mean, std, a, b: a + width });
          const low = Math.fround(a);
          const high = Math.fround(a + width);
          return values.every((v) => v >= low && v <= high);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('truncatedNormal and uniform name their bad options', () => {
    const stream = new RandomStream(0);
    expect(() => stream.truncatedNormal(-1)).toThrow('n: expected a non-negative integer, received -1');
    expect(() => stream.truncatedNormal(4, { std: 0 })).toThrow('std: expected a positive finite number, received 0');
    expect(() => stream.truncatedNormal(4, { a: 1, b: 0 })).toThrow('b: expected a number >= a (1), received 0');
    expect(() => stream.uniform(4, 1, 0)).toThrow('high: expected a finite number >= low (1), received 0');
    expect(stream.truncatedNormal(0)).toEqual(new Float32Array(0));
  });

  it('uniform(n, ±1/√fanIn) is the default Linear init: bounds, mean and variance', () => {
    const bound = 1 / Math.sqrt(48);
    const values = new RandomStream(14).uniform(100000, -bound, bound);
    expect(values.every((v) => v >= -Math.fround(bound) && v <= Math.fround(bound))).toBe(true);
    const { mean, std } = moments(values);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(Math.abs(std - bound / Math.sqrt(3))).toBeLessThan(0.001);
  });
});

describe('erf, erfc, erfinv', () => {
  // Reference values from CPython's math.erf / math.erfc.
  const table: Array<[number, number, number]> = [
    [0.1, 0.1124629160182849, 0.8875370839817152],
    [0.5, 0.5204998778130465, 0.4795001221869535],
    [1, 0.8427007929497149, 0.15729920705028513],
    [2, 0.9953222650189527, 0.004677734981047265],
    [3, 0.9999779095030014, 2.2090496998585438e-5],
    [4, 0.9999999845827421, 1.541725790028002e-8],
    [6, 1, 2.1519736712498916e-17],
  ];
  it.each(table)('erf(%d) and erfc match the reference', (x, erfValue, erfcValue) => {
    expect(Math.abs(erf(x) - erfValue)).toBeLessThan(2e-15);
    expect(Math.abs(erf(-x) + erfValue)).toBeLessThan(2e-15);
    expect(Math.abs(erfc(x) - erfcValue) / erfcValue).toBeLessThan(1e-12);
  });

  it('handles the edges', () => {
    expect(erf(0)).toBe(0);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
    expect(erfinv(0)).toBe(0);
    expect(erfinv(1)).toBe(Infinity);
    expect(erfinv(-1)).toBe(-Infinity);
    expect(erfinv(1.5)).toBeNaN();
    expect(erfinv(0.5)).toBeCloseTo(0.4769362762044699, 15);
  });

  it('erfinv(erf(x)) = x (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), (x) => Math.abs(erfinv(erf(x)) - x) <= 1e-11 + 1e-12 * Math.abs(x)),
      { numRuns: 2000 },
    );
    for (const x of [1e-300, 1e-10, 0.3, 1.7, 2.9]) expect(erfinv(erf(x)) / x).toBeCloseTo(1, 12);
  });

  it('erf(erfinv(y)) = y, including the tails (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1, max: 1, noNaN: true, noDefaultInfinity: true }), (y) => {
        if (Math.abs(y) === 1) return true;
        return Math.abs(erf(erfinv(y)) - y) <= 4e-16 + 1e-15 * Math.abs(y);
      }),
      { numRuns: 2000 },
    );
  });
});
