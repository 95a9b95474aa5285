import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Mt19937 } from './mt19937';
import { resolveMultiblockConfig } from './multiblock-config';
import { MultiblockMaskGenerator, sampleMultiblockIndexLists } from './multiblock';
import type { IndexBatch, MultiblockMaskConfig, TokenGrid } from './types';

const rows = ({ data, shape: [batch, keep] }: IndexBatch) =>
  Array.from({ length: batch }, (_, b) => Array.from(data.subarray(b * keep, (b + 1) * keep)));

const isStrictlyIncreasing = (values: ArrayLike<number>) =>
  Array.from(values).every((value, i, all) => i === 0 || all[i - 1] < value);

/** Grids, configs, batch sizes and seeds the generator accepts (refused configs are skipped). */
const arbitraryCase = fc
  .record({
    grid: fc.record({
      depth: fc.integer({ min: 1, max: 6 }),
      height: fc.integer({ min: 2, max: 12 }),
      width: fc.integer({ min: 2, max: 12 }),
    }),
    spatial: fc.tuple(fc.double({ min: 0.05, max: 0.9, noNaN: true }), fc.double({ min: 0, max: 0.3, noNaN: true })),
    temporal: fc.tuple(fc.double({ min: 0.1, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    aspect: fc.tuple(fc.double({ min: 0.3, max: 2, noNaN: true }), fc.double({ min: 0, max: 1.5, noNaN: true })),
    numBlocks: fc.integer({ min: 1, max: 8 }),
    maxTemporalKeep: fc.oneof(fc.constant(1), fc.double({ min: 0.1, max: 1, noNaN: true })),
    maxKeep: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 50 })),
    batchSize: fc.integer({ min: 1, max: 6 }),
    seed: fc.nat(),
    batches: fc.integer({ min: 1, max: 3 }),
  })
  .map((c) => ({
    ...c,
    config: {
      spatialScale: [c.spatial[0], Math.min(1, c.spatial[0] + c.spatial[1])],
      temporalScale: [c.temporal[0], Math.min(1, c.temporal[0] + c.temporal[1])],
      aspectRatio: [c.aspect[0], c.aspect[0] + c.aspect[1]],
      numBlocks: c.numBlocks,
      maxTemporalKeep: c.maxTemporalKeep,
      maxKeep: c.maxKeep,
    } satisfies MultiblockMaskConfig,
  }));

function accepted(config: MultiblockMaskConfig, grid: TokenGrid): boolean {
  try {
    resolveMultiblockConfig(config, grid);
    return true;
  } catch {
    return false;
  }
}

describe('multiblock mask invariants (fast-check)', () => {
  it('sorted, disjoint, in range, equal lengths; before truncation context ∪ target = all tokens', () => {
    fc.assert(
      fc.property(arbitraryCase, ({ grid, config, batchSize, seed, batches }) => {
        fc.pre(accepted(config, grid));
        const tokens = grid.depth * grid.height * grid.width;
        const generator = new MultiblockMaskGenerator(config, grid, { seed });
        const stream = new Mt19937(seed); // replays the generator's position stream
        const resolved = resolveMultiblockConfig(config, grid);
        for (let batch = 0; batch < batches; batch++) {
          const masks = generator.sample(batchSize);
          const lists = sampleMultiblockIndexLists(resolved, grid, masks.blockSize!, batchSize, stream);
          const [contextRows, targetRows] = [rows(masks.context), rows(masks.target)];
          expect(masks.context.shape[0]).toBe(batchSize);
          expect(masks.target.shape[0]).toBe(batchSize);
          expect(masks.context.data.length).toBe(batchSize * masks.context.shape[1]);
          expect(masks.target.data.length).toBe(batchSize * masks.target.shape[1]);
          expect(masks.context.shape[1]).toBeGreaterThan(0);
          if (config.maxKeep !== null) expect(masks.context.shape[1]).toBeLessThanOrEqual(config.maxKeep);
          for (let b = 0; b < batchSize; b++) {
            const full = { context: lists.contextIndices[b], target: lists.targetIndices[b] };
            expect(isStrictlyIncreasing(full.context) && isStrictlyIncreasing(full.target)).toBe(true);
            // Union = all tokens, disjoint: together they are exactly 0…N−1.
            expect([...full.context, ...full.target].sort((x, y) => x - y)).toEqual(
              Array.from({ length: tokens }, (_, i) => i),
            );
            // The batch keeps the first K of each sorted list.
            expect(contextRows[b]).toEqual(Array.from(full.context.subarray(0, masks.context.shape[1])));
            expect(targetRows[b]).toEqual(Array.from(full.target.subarray(0, masks.target.shape[1])));
            expect(masks.lengthsBeforeTruncation.context[b]).toBe(full.context.length);
            const target = new Set(targetRows[b]);
            expect(contextRows[b].every((token) => !target.has(token) && token >= 0 && token < tokens)).toBe(true);
            expect(targetRows[b].every((token) => token >= 0 && token < tokens)).toBe(true);
          }
          expect(masks.context.shape[1]).toBe(
            Math.min(...lists.contextIndices.map((l) => l.length), config.maxKeep ?? Infinity),
          );
          expect(masks.target.shape[1]).toBe(Math.min(...lists.targetIndices.map((l) => l.length)));
        }
      }),
      { numRuns: 150, seed: 20240601 },
    );
  });

  it('with temporal scale 1 every count is a multiple of T and the masks repeat in time', () => {
    fc.assert(
      fc.property(arbitraryCase, ({ grid, config, batchSize, seed }) => {
        const tube = { ...config, temporalScale: [1, 1] as const, maxTemporalKeep: 1, maxKeep: null };
        fc.pre(accepted(tube, grid));
        const masks = new MultiblockMaskGenerator(tube, grid, { seed }).sample(batchSize);
        const plane = grid.height * grid.width;
        for (const length of [...masks.lengthsBeforeTruncation.context, ...masks.lengthsBeforeTruncation.target]) {
          expect(length % grid.depth).toBe(0);
        }
        expect(masks.context.shape[1] % grid.depth).toBe(0);
        expect(masks.target.shape[1] % grid.depth).toBe(0);
        const lists = sampleMultiblockIndexLists(
          resolveMultiblockConfig(tube, grid), grid, masks.blockSize!, batchSize, new Mt19937(seed),
        );
        for (const list of [...lists.contextIndices, ...lists.targetIndices]) {
          const perStep = list.length / grid.depth; // the same positions at every step
          for (let i = 0; i < list.length; i++) {
            expect(list[i] - list[i % perStep]).toBe(Math.floor(i / perStep) * plane);
          }
        }
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});

describe('MultiblockMaskGenerator', () => {
  const grid = { depth: 4, height: 6, width: 6 };

  it('is deterministic for a seed, and the seed matters', () => {
    const sample = (seed: number) => {
      const generator = new MultiblockMaskGenerator({ numBlocks: 3, spatialScale: [0.2, 0.3] }, grid, { seed });
      return [generator.sample(5), generator.sample(5)];
    };
    expect(sample(11)).toEqual(sample(11));
    expect(sample(11)).not.toEqual(sample(12));
  });

  it('seeds the block size with the batch counter 0, 1, 2 … whatever the position seed', () => {
    const config = { spatialScale: [0.1, 0.6], aspectRatio: [0.5, 2] } as const;
    const a = new MultiblockMaskGenerator(config, grid, { seed: 1 });
    const b = new MultiblockMaskGenerator(config, grid, { seed: 999 });
    expect(a.batchCounter).toBe(-1);
    for (let seed = 0; seed < 6; seed++) {
      const size = a.sample(2).blockSize;
      expect(size).toEqual(b.sample(2).blockSize);
      expect(size).toEqual(a.blockSizeForSeed(seed));
      expect(a.batchCounter).toBe(seed);
    }
  });

  it('places blocks with top, left, start draws from the position stream (a hand-worked batch)', () => {
    // 1 block of 2×2×2 on a 2×3×3 grid: h = w = round(√(int(9·0.5)·1)) = 2, t = 2.
    const config = { spatialScale: [0.5, 0.5], aspectRatio: [1, 1], temporalScale: [1, 1], numBlocks: 1 } as const;
    const small = { depth: 2, height: 3, width: 3 };
    const masks = new MultiblockMaskGenerator(config, small, { seed: 5 }).sample(1);
    const stream = new Mt19937(5);
    const top = stream.randint(0, 2);
    const left = stream.randint(0, 2);
    stream.randint(0, 1); // start: only 0 fits
    const target = [0, 1].flatMap((t) =>
      [top, top + 1].flatMap((row) => [left, left + 1].map((column) => t * 9 + row * 3 + column)),
    );
    expect(masks.blockSize).toEqual({ duration: 2, height: 2, width: 2 });
    expect(Array.from(masks.target.data)).toEqual(target);
    expect(Array.from(masks.context.data)).toEqual(
      Array.from({ length: 18 }, (_, i) => i).filter((i) => !target.includes(i)),
    );
  });

  it('draws a sample again when its blocks leave no context', () => {
    // 1 × 2 × 2 grid, blocks of 1×1 (keep = int(4·0.5) = 2, h = w = round(√2) = 1): 4 blocks cover all 4
    // positions with probability 4!/4⁴ ≈ 9 %, so a batch of 40 needs a few redraws.
    const grid = { depth: 1, height: 2, width: 2 };
    const config = resolveMultiblockConfig({ spatialScale: [0.5, 0.5], aspectRatio: [1, 1], numBlocks: 4 }, grid);
    const lists = sampleMultiblockIndexLists(config, grid, { duration: 1, height: 1, width: 1 }, 40, new Mt19937(2));
    const stream = new Mt19937(2);
    let redraws = 0;
    for (let b = 0; b < 40; b++) {
      let covered: Set<number>;
      for (;;) {
        covered = new Set<number>();
        for (let block = 0; block < 4; block++) {
          const top = stream.randint(0, 2);
          const left = stream.randint(0, 2);
          stream.randint(0, 1);
          covered.add(top * 2 + left);
        }
        if (covered.size < 4) break;
        redraws += 1;
      }
      expect(Array.from(lists.targetIndices[b])).toEqual([...covered].sort());
      expect(lists.contextIndices[b].length).toBeGreaterThan(0);
    }
    expect(redraws).toBeGreaterThan(0);
  });

  it('gives up with an Error rather than loop forever when blocks (almost) always cover the grid', () => {
    const grid = { depth: 1, height: 2, width: 2 };
    const config = resolveMultiblockConfig({ spatialScale: [0.5, 0.5], aspectRatio: [1, 1], numBlocks: 300 }, grid);
    expect(() => sampleMultiblockIndexLists(config, grid, { duration: 1, height: 1, width: 1 }, 1, new Mt19937(0))).toThrow(
      '@vjepa/masking: 10000 draws of 300 blocks of 1×1×1 all covered the 1×2×2 grid; use fewer or smaller blocks.',
    );
  });

  it('truncates to the shortest sample, keeping the lowest indices, and applies maxKeep to the context', () => {
    const generator = new MultiblockMaskGenerator({ numBlocks: 2, spatialScale: [0.2, 0.2] }, grid, { seed: 3 });
    const replay = new Mt19937(3);
    const masks = generator.sample(8);
    const lists = sampleMultiblockIndexLists(generator.config, grid, masks.blockSize!, 8, replay);
    const lengths = lists.contextIndices.map((list) => list.length);
    expect(new Set(lengths).size).toBeGreaterThan(1); // the truncation has work to do
    expect(masks.context.shape).toEqual([8, Math.min(...lengths)]);
    const capped = new MultiblockMaskGenerator({ numBlocks: 2, spatialScale: [0.2, 0.2], maxKeep: 10 }, grid, { seed: 3 });
    const cappedMasks = capped.sample(8);
    expect(cappedMasks.context.shape).toEqual([8, 10]);
    expect(rows(cappedMasks.context)).toEqual(rows(masks.context).map((row) => row.slice(0, 10)));
    expect(cappedMasks.target).toEqual(masks.target); // maxKeep leaves the target alone
  });

  it('makes every frame ≥ max(1, int(T·maxTemporalKeep)) a target', () => {
    const generator = new MultiblockMaskGenerator({ numBlocks: 1, maxTemporalKeep: 0.6 }, { depth: 5, height: 6, width: 6 });
    const masks = generator.sample(4); // max context duration = int(5·0.6) = 3
    expect(Math.max(...masks.context.data)).toBeLessThan(3 * 36);
    for (const length of masks.lengthsBeforeTruncation.target) expect(length).toBeGreaterThanOrEqual(2 * 36);
  });

  it('gives the same next batch after getState/setState (JSON round trip)', () => {
    const generator = new MultiblockMaskGenerator({ numBlocks: 4 }, grid, { seed: 8 });
    generator.sample(3);
    const saved = JSON.parse(JSON.stringify(generator.getState()));
    const next = [generator.sample(3), generator.sample(3)];
    const resumed = new MultiblockMaskGenerator({ numBlocks: 4 }, grid, { seed: 123 });
    resumed.setState(saved);
    expect(resumed.batchCounter).toBe(0);
    expect([resumed.sample(3), resumed.sample(3)]).toEqual(next);
  });

  it('skipBatches advances the block-size seed as the official resume does', () => {
    const generator = new MultiblockMaskGenerator({ spatialScale: [0.1, 0.5] }, grid);
    generator.skipBatches(41);
    expect(generator.sample(1).blockSize).toEqual(generator.blockSizeForSeed(41));
  });
});
