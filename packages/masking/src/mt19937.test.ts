import { describe, expect, it } from 'vitest';
import { Mt19937 } from './mt19937';

describe('Mt19937', () => {
  it('gives torch.rand values for seed 0 (spec §3.3, §17.2)', () => {
    const stream = new Mt19937(0);
    const draws = [stream.nextFloat32(), stream.nextFloat32(), stream.nextFloat32()];
    expect(draws[0]).toBeCloseTo(0.4962566, 7);
    expect(draws[1]).toBeCloseTo(0.7682218, 7);
    expect(draws[2]).toBeCloseTo(0.0884774, 7);
  });

  it('is the reference MT19937: seed 5489 starts 3499211612, 581869302, 3890346734; output 10000 is 4123659995', () => {
    const stream = new Mt19937(5489);
    expect([stream.nextUint32(), stream.nextUint32(), stream.nextUint32()]).toEqual([3499211612, 581869302, 3890346734]);
    for (let i = 4; i < 10000; i++) stream.nextUint32();
    expect(stream.nextUint32()).toBe(4123659995);
  });

  it('makes a float from the low 24 bits of one output', () => {
    const raw = new Mt19937(7);
    const floats = new Mt19937(7);
    for (let i = 0; i < 100; i++) {
      expect(floats.nextFloat32()).toBe((raw.nextUint32() & 0xffffff) / 2 ** 24);
    }
  });

  it('draws randint as low + (u32 mod range) from one output', () => {
    const raw = new Mt19937(3);
    const ints = new Mt19937(3);
    for (const [low, high] of [[0, 7], [5, 6], [-3, 10], [0, 2 ** 32]]) {
      const u = raw.nextUint32();
      expect(ints.randint(low, high)).toBe(low + (u % (high - low)));
    }
    expect(() => ints.randint(4, 4)).toThrow(/randint\(low, high\): expected integers with 1 ≤ high − low ≤ 2\^32, received \[4, 4\]/);
  });

  it('uses the low 32 bits of a large seed, as torch does', () => {
    expect(new Mt19937(2 ** 32 + 5).nextUint32()).toBe(new Mt19937(5).nextUint32());
  });

  it('repeats the same draws after getState/setState, also through JSON', () => {
    const stream = new Mt19937(42);
    for (let i = 0; i < 700; i++) stream.nextUint32(); // cross a twist
    const saved = JSON.parse(JSON.stringify(stream.getState()));
    const expected = Array.from({ length: 1000 }, () => stream.nextUint32());
    const restored = new Mt19937(0);
    restored.setState(saved);
    expect(Array.from({ length: 1000 }, () => restored.nextUint32())).toEqual(expected);
    const copy = restored.clone();
    expect(copy.nextUint32()).toBe(restored.nextUint32());
  });

  it('refuses a malformed state or seed', () => {
    const stream = new Mt19937(1);
    expect(() => stream.setState({ words: [1, 2, 3], index: 0 })).toThrow(
      /invalid state\.words: expected an array of 624 unsigned 32-bit integers, received \[1, 2, 3\]/,
    );
    expect(() => stream.setState({ words: new Array(624).fill(0), index: 625 })).toThrow(
      /invalid state\.index: expected an integer in \[0, 624\], received 625/,
    );
    expect(() => new Mt19937(1.5)).toThrow(/invalid seed: expected a safe integer, received 1\.5/);
  });
});
