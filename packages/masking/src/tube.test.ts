import { describe, expect, it } from 'vitest';
import { Mt19937 } from './mt19937';
import { RandomTubeMaskGenerator, numKeepSpatial } from './tube';

describe('RandomTubeMaskGenerator (spec §3.5)', () => {
  it('keeps int(G²·(1 − ratio)) positions: 19 of 196 at ratio 0.9, the default', () => {
    expect(numKeepSpatial(0.9, { depth: 8, height: 14, width: 14 })).toBe(19);
    const masks = new RandomTubeMaskGenerator().sample(3);
    expect(masks.context.shape).toEqual([3, 19 * 8]);
    expect(masks.target.shape).toEqual([3, 177 * 8]);
    expect(masks.blockSize).toBeNull();
  });

  it('shuffles zeros-then-ones with a Fisher–Yates from the stream and tiles it over time', () => {
    const grid = { depth: 3, height: 2, width: 3 };
    const masks = new RandomTubeMaskGenerator({ ratio: 0.5 }, grid, { seed: 4 }).sample(1);
    const pattern = [0, 0, 0, 1, 1, 1]; // int(6·0.5) = 3 kept
    const stream = new Mt19937(4);
    for (let i = 5; i > 0; i--) {
      const j = stream.randint(0, i + 1);
      [pattern[i], pattern[j]] = [pattern[j], pattern[i]];
    }
    const kept = [0, 1, 2].flatMap((t) => pattern.flatMap((one, p) => (one ? [t * 6 + p] : [])));
    const masked = [0, 1, 2].flatMap((t) => pattern.flatMap((one, p) => (one ? [] : [t * 6 + p])));
    expect(Array.from(masks.context.data)).toEqual(kept);
    expect(Array.from(masks.target.data)).toEqual(masked);
  });

  it('gives sorted, disjoint, complete, time-repeated rows; deterministic; resumable', () => {
    const grid = { depth: 4, height: 5, width: 5 };
    const generator = new RandomTubeMaskGenerator({ ratio: 0.7 }, grid, { seed: 9 });
    const first = generator.sample(6);
    const saved = generator.getState();
    const second = generator.sample(6);
    const { context, target } = first;
    expect(context.shape).toEqual([6, 7 * 4]); // int(25·0.3) = 7
    for (let b = 0; b < 6; b++) {
      const row = Array.from(context.data.subarray(b * 28, b * 28 + 28));
      const hidden = Array.from(target.data.subarray(b * 72, b * 72 + 72));
      expect([...row, ...hidden].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(row).toEqual([...row].sort((x, y) => x - y));
      for (let i = 7; i < 28; i++) expect(row[i]).toBe(row[i % 7] + 25 * Math.floor(i / 7));
    }
    expect(new RandomTubeMaskGenerator({ ratio: 0.7 }, grid, { seed: 9 }).sample(6)).toEqual(first);
    const resumed = new RandomTubeMaskGenerator({ ratio: 0.7 }, grid);
    resumed.setState(saved);
    expect(resumed.sample(6)).toEqual(second);
  });
});
