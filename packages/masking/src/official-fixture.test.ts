import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MaskCollator } from './collator';
import type { BlockSize } from './types';

// The reference fixture holds one batch of masks from the official multiblock collator (its first
// batch, so block-size seed 0) on the tiny grid: 8 frames / tubelet 2, 24 px / patch 8 → 4 × 3 × 3.
// Positions came from torch's global RNG, which we do not reproduce; block sizes and structure we do.
const fixtureUrl = new URL('../../../fixtures/reference/tiny.safetensors', import.meta.url);
const fixtureConfig = JSON.parse(readFileSync(new URL('../../../fixtures/reference/tiny.json', import.meta.url), 'utf8'));

function readInt64Tensor(name: string): number[][] {
  const bytes = readFileSync(fixtureUrl);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  const { dtype, shape, data_offsets: [begin, end] } = header[name];
  expect(dtype).toBe('I64');
  const values = Array.from({ length: (end - begin) / 8 }, (_, i) =>
    Number(bytes.readBigInt64LE(8 + headerLength + begin + 8 * i)),
  );
  return Array.from({ length: shape[0] }, (_, row) => values.slice(row * shape[1], (row + 1) * shape[1]));
}

/** Whether `positions` (spatial, one frame) is the union of `count` blocks of `size` on a side × side grid. */
function isUnionOfBlocks(positions: Set<number>, count: number, size: BlockSize, side: number): boolean {
  const placements: number[][] = [];
  for (let top = 0; top + size.height <= side; top++) {
    for (let left = 0; left + size.width <= side; left++) {
      const block: number[] = [];
      for (let row = top; row < top + size.height; row++) for (let col = left; col < left + size.width; col++) block.push(row * side + col);
      placements.push(block);
    }
  }
  const search = (left: number, covered: Set<number>): boolean =>
    left === 0
      ? covered.size === positions.size && [...covered].every((p) => positions.has(p))
      : placements.some((block) => search(left - 1, new Set([...covered, ...block])));
  return search(count, new Set());
}

describe('the official collator output in fixtures/reference', () => {
  const grid = { frames: fixtureConfig.frames, crop: fixtureConfig.crop, patch: fixtureConfig.patch, tubelet: fixtureConfig.tubelet };
  const generators = [
    { type: 'multiblock' as const, numBlocks: fixtureConfig.short_blocks, spatialScale: [0.15, 0.15] as const },
    { type: 'multiblock' as const, numBlocks: 2, spatialScale: [0.7, 0.7] as const },
  ];
  const collator = new MaskCollator({ grid, generators });
  const ours = collator.sample(fixtureConfig.batch);

  it.each([0, 1])('generator %i: its targets are unions of blocks of the size we draw for seed 0', (index) => {
    const context = readInt64Tensor(`masks/enc${index}`);
    const target = readInt64Tensor(`masks/pred${index}`);
    const blockSize = ours[index].blockSize!;
    expect(blockSize).toEqual(index === 0 ? { duration: 4, height: 1, width: 1 } : { duration: 4, height: 2, width: 3 });
    const side = collator.grid.height;
    const plane = side * side;
    for (let b = 0; b < fixtureConfig.batch; b++) {
      // Time-major tubes: the first frame's positions are all in the kept (lowest) indices.
      const firstFrame = new Set(target[b].filter((token) => token < plane));
      expect(isUnionOfBlocks(firstFrame, generators[index].numBlocks, blockSize, side)).toBe(true);
      expect(context[b].filter((token) => token < plane)).toEqual(
        Array.from({ length: plane }, (_, p) => p).filter((p) => !firstFrame.has(p)),
      );
    }
    // Same structure as ours: lengths are whole tubes (multiples of T' = 4).
    expect(target[0].length % 4).toBe(0);
    expect(context[0].length % 4).toBe(0);
  });
});
