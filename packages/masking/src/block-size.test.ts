import { describe, expect, it } from 'vitest';
import { blockSizeFromDraws, sampleBlockSize } from './block-size';
import { resolveTokenGrid } from './grid';
import { Mt19937 } from './mt19937';
import { LONG_RANGE_MASK, SHORT_RANGE_MASK } from './multiblock-config';

const grid224 = resolveTokenGrid({ crop: 224 });
const grid384 = resolveTokenGrid({ crop: 384 });
type Size = [number, number, number];

// Spec §17.2: seed, u1, u2, u3, short 224, long 224, short 384, long 384 — all (t, h, w).
const table: [number, [number, number, number], Size, Size, Size, Size][] = [
  [0, [0.4962566, 0.7682218, 0.0884774], [8, 5, 6], [8, 11, 13], [8, 8, 10], [8, 18, 22]],
  [1, [0.7576316, 0.2793109, 0.4030693], [8, 6, 5], [8, 12, 11], [8, 10, 9], [8, 21, 20]],
  [2, [0.6146951, 0.3810129, 0.6371143], [8, 6, 5], [8, 13, 11], [8, 10, 8], [8, 22, 18]],
  [3, [0.0042635, 0.1055694, 0.2858425], [8, 5, 5], [8, 11, 12], [8, 9, 9], [8, 20, 20]],
  [4, [0.5596386, 0.5590924, 0.0914568], [8, 5, 6], [8, 11, 13], [8, 8, 10], [8, 18, 22]],
  [5, [0.8302519, 0.1261109, 0.9074697], [8, 6, 5], [8, 14, 10], [8, 11, 8], [8, 24, 17]],
  [6, [0.5721976, 0.5538755, 0.9868299], [8, 7, 4], [8, 14, 10], [8, 11, 8], [8, 24, 16]],
  [7, [0.5349225, 0.1988032, 0.6592117], [8, 6, 5], [8, 13, 10], [8, 10, 8], [8, 22, 18]],
  [8, [0.5979273, 0.8452961, 0.9464102], [8, 7, 4], [8, 14, 10], [8, 11, 8], [8, 24, 17]],
  [9, [0.6557845, 0.3020227, 0.4798964], [8, 6, 5], [8, 12, 11], [8, 10, 9], [8, 21, 19]],
];

const asTuple = ({ duration, height, width }: { duration: number; height: number; width: number }): Size => [
  duration,
  height,
  width,
];

describe('block size from the batch seed (spec §17.2)', () => {
  it.each(table)('seed %i', (seed, draws, short224, long224, short384, long384) => {
    const stream = new Mt19937(seed);
    for (const expected of draws) expect(stream.nextFloat32()).toBeCloseTo(expected, 7);
    expect(asTuple(sampleBlockSize(seed, SHORT_RANGE_MASK, grid224))).toEqual(short224);
    expect(asTuple(sampleBlockSize(seed, LONG_RANGE_MASK, grid224))).toEqual(long224);
    expect(asTuple(sampleBlockSize(seed, SHORT_RANGE_MASK, grid384))).toEqual(short384);
    expect(asTuple(sampleBlockSize(seed, LONG_RANGE_MASK, grid384))).toEqual(long384);
  });

  it('uses keep = int(H·W·scale): 29 / 137 at 224 px, 86 / 403 at 384 px (u3 = 0 gives ar 0.75)', () => {
    // h = round(√(keep·0.75)), w = round(√(keep/0.75)), worked by hand.
    expect(asTuple(blockSizeFromDraws([0, 0, 0], SHORT_RANGE_MASK, grid224))).toEqual([8, 5, 6]); // √21.75, √38.67
    expect(asTuple(blockSizeFromDraws([0, 0, 0], LONG_RANGE_MASK, grid224))).toEqual([8, 10, 14]); // √102.75, √182.67
    expect(asTuple(blockSizeFromDraws([0, 0, 0], SHORT_RANGE_MASK, grid384))).toEqual([8, 8, 11]); // √64.5, √114.67
    expect(asTuple(blockSizeFromDraws([0, 0, 0], LONG_RANGE_MASK, grid384))).toEqual([8, 17, 23]); // √302.25, √537.33
  });

  it('draws t = max(1, int(T·s_t)) and clamps h, w to the grid', () => {
    const config = { spatialScale: [1, 1], temporalScale: [0.1, 0.5], aspectRatio: [4, 4] } as const;
    const grid = { depth: 8, height: 6, width: 6 };
    expect(asTuple(blockSizeFromDraws([0, 0, 0], config, grid))).toEqual([1, 6, 3]); // √144 → 12 → 6; √9 → 3
    expect(asTuple(blockSizeFromDraws([0.99, 0, 0], config, grid))).toEqual([3, 6, 3]); // int(8·0.496) = 3
  });
});

/**
 * Every (h, w) a config can give, in draw order of u3: u3 runs over all 2^24 float32 values torch.rand
 * can produce. h never decreases and w never increases with u3 (ar = min + u3·(max − min) is monotone,
 * and so are √, round and min), so each pair holds on one run of consecutive values; a binary search
 * finds where each run ends, which visits every run exactly — a brute force over 2^24 values takes 10 s.
 */
function allBlockSizes(config: typeof SHORT_RANGE_MASK, grid: typeof grid224): [number, number][] {
  const last = 2 ** 24 - 1;
  const sizeAt = (k: number) => blockSizeFromDraws([0, 0, k / 2 ** 24], config, grid);
  const pairs: [number, number][] = [];
  let k = 0;
  while (k <= last) {
    const { height, width } = sizeAt(k);
    pairs.push([height, width]);
    let low = k; // same pair at low; find the last index with the same pair
    let high = last;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      const size = sizeAt(middle);
      if (size.height === height && size.width === width) low = middle;
      else high = middle - 1;
    }
    k = low + 1;
  }
  return pairs;
}

const sortedByHeightThenWidth = (pairs: [number, number][]) =>
  [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);

describe('every possible block size (spec §3.3)', () => {
  it('at 224 px: short and long sets as listed', () => {
    expect(sortedByHeightThenWidth(allBlockSizes(SHORT_RANGE_MASK, grid224))).toEqual([
      [5, 5], [5, 6], [6, 4], [6, 5], [7, 4],
    ]);
    expect(sortedByHeightThenWidth(allBlockSizes(LONG_RANGE_MASK, grid224))).toEqual([
      [10, 13], [10, 14], [11, 12], [11, 13], [12, 11], [12, 12], [13, 10], [13, 11], [14, 10],
    ]);
  });

  it('at 384 px: the short set as listed, and 15 long pairs from (17,23) to (24,16)', () => {
    expect(sortedByHeightThenWidth(allBlockSizes(SHORT_RANGE_MASK, grid384))).toEqual([
      [8, 10], [8, 11], [9, 9], [9, 10], [10, 8], [10, 9], [11, 8],
    ]);
    const long = allBlockSizes(LONG_RANGE_MASK, grid384); // in order of growing aspect ratio
    expect(long).toHaveLength(15);
    expect(new Set(long.map(String)).size).toBe(15);
    expect(long[0]).toEqual([17, 23]);
    expect(long[14]).toEqual([24, 16]);
    expect(long).toEqual([
      [17, 23], [18, 23], [18, 22], [19, 22], [19, 21], [20, 21], [20, 20], [21, 20],
      [21, 19], [22, 19], [22, 18], [23, 18], [23, 17], [24, 17], [24, 16],
    ]);
  });
});
