import { describe, expect, it } from 'vitest';
import { MaskCollator, PRETRAINING_MASK_GENERATORS } from './collator';
import { LONG_RANGE_MASK } from './multiblock-config';
import { Mt19937 } from './mt19937';
import { MultiblockMaskGenerator } from './multiblock';
import { RandomTubeMaskGenerator } from './tube';

describe('MaskCollator', () => {
  it('defaults to the official pair on the 8 × 14 × 14 grid', () => {
    expect(PRETRAINING_MASK_GENERATORS.map((g) => g.type === 'multiblock' && [g.numBlocks, g.spatialScale])).toEqual([
      [8, [0.15, 0.15]],
      [2, [0.7, 0.7]],
    ]);
    const collator = new MaskCollator();
    expect(collator.grid).toEqual({ depth: 8, height: 14, width: 14 });
    const [shortRange, longRange] = collator.sample(4);
    expect(shortRange.blockSize).toEqual({ duration: 8, height: 5, width: 6 }); // seed 0, spec §17.2
    expect(longRange.blockSize).toEqual({ duration: 8, height: 11, width: 13 });
    expect(shortRange.context.shape[0]).toBe(4);
    expect(collator.getState().batchCounters).toEqual([0, 0]);
  });

  it('runs generators in order on one shared position stream', () => {
    const grid = { depth: 2, height: 8, width: 8 };
    const collator = new MaskCollator({
      grid,
      seed: 17,
      generators: [{ type: 'multiblock', numBlocks: 3 }, { type: 'tube', ratio: 0.75 }],
    });
    const [blocks, tubes] = collator.sample(3);
    const stream = new Mt19937(17);
    expect(new MultiblockMaskGenerator({ numBlocks: 3 }, grid, { positionStream: stream }).sample(3)).toEqual(blocks);
    expect(new RandomTubeMaskGenerator({ ratio: 0.75 }, grid, { positionStream: stream }).sample(3)).toEqual(tubes);
  });

  it('derives the grid from frames, crop, patch and tubelet', () => {
    expect(new MaskCollator({ grid: { frames: 16, crop: 384 } }).grid).toEqual({ depth: 8, height: 24, width: 24 });
    expect(new MaskCollator({ grid: { frames: 8, crop: 24, patch: 8, tubelet: 2 } }).grid).toEqual({
      depth: 4,
      height: 3,
      width: 3,
    });
  });

  it('is deterministic and resumes exactly from a saved state', () => {
    const options = { grid: { frames: 8, crop: 128 }, seed: 3 };
    const collator = new MaskCollator(options);
    collator.sample(5);
    collator.sample(5);
    const saved = JSON.parse(JSON.stringify(collator.getState()));
    const next = collator.sample(5);
    expect(saved.batchCounters).toEqual([1, 1]);

    const again = new MaskCollator(options);
    again.sample(5);
    again.sample(5);
    expect(again.sample(5)).toEqual(next);

    const resumed = new MaskCollator({ ...options, seed: 99 });
    resumed.setState(saved);
    expect(resumed.sample(5)).toEqual(next);
  });

  it('skips ahead like the official resume: counters move, the block sizes follow', () => {
    const collator = new MaskCollator();
    collator.skipBatches(100);
    expect(collator.getState().batchCounters).toEqual([99, 99]);
    const [shortRange, longRange] = collator.sample(2);
    const reference = new MultiblockMaskGenerator(LONG_RANGE_MASK);
    expect(shortRange.blockSize!.duration).toBe(8);
    expect(longRange.blockSize).toEqual(reference.blockSizeForSeed(100));
  });

  it('collate() pairs the samples with masks for a batch of their count', () => {
    const { samples, masks } = new MaskCollator().collate(['a', 'b', 'c']);
    expect(samples).toEqual(['a', 'b', 'c']);
    expect(masks.map((m) => m.target.shape[0])).toEqual([3, 3]);
  });
});
