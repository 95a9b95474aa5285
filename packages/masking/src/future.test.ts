import { describe, expect, it } from 'vitest';
import { MaskCollator } from './collator';
import { FutureMaskGenerator, contextSteps } from './future';
import { Mt19937 } from './mt19937';

describe('FutureMaskGenerator', () => {
  it('default 16 frames at 224 px: context = the 4 · 196 tokens of the first half, target = round(0.9 · 784) = 706 of the second', () => {
    const masks = new FutureMaskGenerator().sample(2);
    expect(masks.context.shape).toEqual([2, 784]);
    expect(masks.target.shape).toEqual([2, 706]);
    expect(Array.from(masks.context.data.subarray(0, 784))).toEqual(Array.from({ length: 784 }, (_, k) => k));
    expect(masks.tokenCount).toBe(1568);
    expect(masks.blockSize).toBeNull();
  });

  it('rows are sorted, in the future half only, disjoint from the context, distinct, and differ between samples', () => {
    const grid = { depth: 8, height: 4, width: 4 };
    const generator = new FutureMaskGenerator({}, grid, { seed: 3 });
    const { context, target } = generator.sample(4);
    expect(contextSteps(0.5, grid)).toBe(4);
    expect(target.shape).toEqual([4, Math.round(0.9 * 64)]); // 58 of the 64 future tokens
    const rows: number[][] = [];
    for (let b = 0; b < 4; b++) {
      const row = Array.from(target.data.subarray(b * 58, (b + 1) * 58));
      const ctx = Array.from(context.data.subarray(b * 64, (b + 1) * 64));
      expect(row).toEqual([...row].sort((x, y) => x - y));
      expect(new Set(row).size).toBe(58);
      expect(Math.min(...row)).toBeGreaterThanOrEqual(64);
      expect(Math.max(...row)).toBeLessThan(128);
      expect(Math.max(...ctx)).toBe(63);
      expect(row.filter((k) => ctx.includes(k))).toEqual([]);
      rows.push(row);
    }
    expect(rows[1]).not.toEqual(rows[0]);
  });

  it('draws the target with a partial Fisher–Yates from the position stream (hand-replayed), and resumes exactly', () => {
    const grid = { depth: 2, height: 1, width: 4 };
    const masks = new FutureMaskGenerator({ targetRatio: 0.5 }, grid, { seed: 9 }).sample(1);
    const pool = [4, 5, 6, 7];
    const stream = new Mt19937(9);
    for (let i = 0; i < 2; i++) {
      const j = i + stream.randint(0, 4 - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    expect(Array.from(masks.target.data)).toEqual(pool.slice(0, 2).sort((a, b) => a - b));
    expect(Array.from(masks.context.data)).toEqual([0, 1, 2, 3]);

    const a = new FutureMaskGenerator({}, { depth: 4, height: 3, width: 3 }, { seed: 1 });
    a.sample(2);
    const saved = a.getState();
    const next = a.sample(2);
    const b = new FutureMaskGenerator({}, { depth: 4, height: 3, width: 3 }, { seed: 5 });
    b.setState(saved);
    expect(b.sample(2)).toEqual(next);
  });

  it('works inside the collator and names a bad config', () => {
    const collator = new MaskCollator({ grid: { depth: 4, height: 2, width: 2 }, generators: [{ type: 'future', contextFraction: 0.25 }] });
    const [masks] = collator.sample(3);
    expect(masks.context.shape).toEqual([3, 4]);
    expect(masks.target.shape).toEqual([3, Math.round(0.9 * 12)]);
    expect(() => new FutureMaskGenerator({ contextFraction: 0.05 }, { depth: 4, height: 2, width: 2 })).toThrow(/contextFraction: expected a fraction leaving between 1 and 3 of the 4 time steps/);
    expect(() => new MaskCollator({ generators: [{ type: 'future', targetRatio: 0 }] })).toThrow(/generators\[0\]\.targetRatio: expected a number in \(0, 1\]/);
  });
});
