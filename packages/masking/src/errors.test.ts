import { UsageError, VjepaError } from '@vjepa/base';
import { describe, expect, it } from 'vitest';
import { MaskCollator } from './collator';
import { MaskConfigError } from './errors';
import { MultiblockMaskGenerator } from './multiblock';
import { RandomTubeMaskGenerator } from './tube';
import type { GridSpec, MultiblockMaskConfig } from './types';

const multiblock = (config: unknown, grid: GridSpec = {}) => () =>
  new MultiblockMaskGenerator(config as MultiblockMaskConfig, grid);

describe('refused configs: the message names the argument, the expectation and the value', () => {
  it.each([
    ['spatialScale min 0', { spatialScale: [0, 0.5] }, 'config.spatialScale', 'a pair [min, max] of numbers in (0, 1] with min ≤ max', '[0, 0.5]'],
    ['spatialScale max > 1', { spatialScale: [0.2, 1.2] }, 'config.spatialScale', 'a pair [min, max] of numbers in (0, 1] with min ≤ max', '[0.2, 1.2]'],
    ['spatialScale min > max', { spatialScale: [0.5, 0.2] }, 'config.spatialScale', 'a pair [min, max] of numbers in (0, 1] with min ≤ max', '[0.5, 0.2]'],
    ['spatialScale not a pair', { spatialScale: 0.15 }, 'config.spatialScale', 'a pair [min, max] of numbers in (0, 1] with min ≤ max', '0.15'],
    ['spatialScale NaN', { spatialScale: [NaN, 0.5] }, 'config.spatialScale', 'a pair [min, max] of numbers in (0, 1] with min ≤ max', '[NaN, 0.5]'],
    ['temporalScale min 0', { temporalScale: [0, 1] }, 'config.temporalScale', 'a pair [min, max] of numbers in (0, 1] with min ≤ max', '[0, 1]'],
    ['temporalScale > 1', { temporalScale: [1, 1.5] }, 'config.temporalScale', 'a pair [min, max] of numbers in (0, 1] with min ≤ max', '[1, 1.5]'],
    ['aspectRatio 0', { aspectRatio: [0, 1] }, 'config.aspectRatio', 'a pair [min, max] of positive finite numbers with min ≤ max', '[0, 1]'],
    ['aspectRatio min > max', { aspectRatio: [2, 1] }, 'config.aspectRatio', 'a pair [min, max] of positive finite numbers with min ≤ max', '[2, 1]'],
    ['numBlocks 0', { numBlocks: 0 }, 'config.numBlocks', 'an integer ≥ 1', '0'],
    ['numBlocks negative', { numBlocks: -2 }, 'config.numBlocks', 'an integer ≥ 1', '-2'],
    ['numBlocks fractional', { numBlocks: 1.5 }, 'config.numBlocks', 'an integer ≥ 1', '1.5'],
    ['numBlocks a string', { numBlocks: '8' }, 'config.numBlocks', 'an integer ≥ 1', '"8"'],
    ['maxTemporalKeep 0', { maxTemporalKeep: 0 }, 'config.maxTemporalKeep', 'a number in (0, 1]', '0'],
    ['maxTemporalKeep > 1', { maxTemporalKeep: 1.5 }, 'config.maxTemporalKeep', 'a number in (0, 1]', '1.5'],
    ['maxKeep 0', { maxKeep: 0 }, 'config.maxKeep', 'an integer ≥ 1', '0'],
    ['maxKeep fractional', { maxKeep: 2.5 }, 'config.maxKeep', 'an integer ≥ 1', '2.5'],
    ['type', { type: 'tube' }, 'config.type', '"multiblock"', '"tube"'],
  ])('%s', (_, config, argument, expected, received) => {
    expect(multiblock(config)).toThrow(
      `@vjepa/masking: invalid ${argument}: expected ${expected}, received ${received}.`,
    );
  });

  it.each([
    ['crop not divisible by patch', { crop: 225 }, 'grid.crop', 'a multiple of patch (16)', '225'],
    ['frames not divisible by tubelet', { frames: 15 }, 'grid.frames', 'a multiple of tubelet (2)', '15'],
    ['patch 0', { patch: 0 }, 'grid.patch', 'an integer ≥ 1', '0'],
    ['duration 0', { depth: 0, height: 4, width: 4 }, 'grid.depth', 'an integer ≥ 1', '0'],
    ['height fractional', { depth: 2, height: 4.5, width: 4 }, 'grid.height', 'an integer ≥ 1', '4.5'],
    ['both forms', { depth: 2, height: 4, width: 4, crop: 64 }, 'grid', 'either { depth, height, width } or { frames, crop, patch, tubelet }, not both', '{depth: 2, height: 4, width: 4, crop: 64}'],
  ])('grid: %s', (_, grid, argument, expected, received) => {
    expect(multiblock({}, grid as GridSpec)).toThrow(
      `@vjepa/masking: invalid ${argument}: expected ${expected}, received ${received}.`,
    );
  });

  it('refuses a grid on which a block would be empty', () => {
    // int(4·4·0.05) = 0 tokens per block.
    expect(multiblock({ spatialScale: [0.05, 0.05] }, { depth: 2, height: 4, width: 4 })).toThrow(
      /invalid config\.spatialScale: expected a scale giving blocks of at least 1×1 tokens on the 2×4×4 grid .*0 tokens.*, received \[0\.05, 0\.05\]\. Use a larger spatial scale or a finer grid\./,
    );
    // keep = int(1.6) = 1, but √(1/5) = 0.45 rounds to 0 columns at aspect 5.
    expect(multiblock({ spatialScale: [0.1, 0.1], aspectRatio: [1, 5] }, { depth: 2, height: 4, width: 4 })).toThrow(
      /invalid config\.spatialScale: .*1×0\)/,
    );
  });

  it('refuses a block that could cover the whole grid (the context would never be non-empty)', () => {
    expect(multiblock({ spatialScale: [0.5, 1], aspectRatio: [1, 1] }, { depth: 3, height: 5, width: 5 })).toThrow(
      /invalid config\.spatialScale: expected a scale whose blocks cannot cover the whole 3×5×5 grid .*received \[0\.5, 1\]\. Use a smaller spatial scale/,
    );
    // 0.85·25 = 21 tokens → √21 = 4.58 → 5×5 at aspect 1: full cover too.
    expect(multiblock({ spatialScale: [0.85, 0.85], aspectRatio: [0.9, 1.1] }, { depth: 3, height: 5, width: 5 })).toThrow(MaskConfigError);
    // The same block with a shorter temporal extent always leaves some frames free: accepted.
    expect(multiblock({ spatialScale: [1, 1], aspectRatio: [1, 1], temporalScale: [0.5, 0.5] }, { depth: 4, height: 5, width: 5 })).not.toThrow();
  });

  it('refuses a batch size below 1 or not an integer, before sampling', () => {
    const generator = new MultiblockMaskGenerator();
    expect(() => generator.sample(0)).toThrow('@vjepa/masking: invalid batchSize: expected an integer ≥ 1, received 0.');
    expect(() => generator.sample(2.5)).toThrow('invalid batchSize: expected an integer ≥ 1, received 2.5');
    expect(generator.batchCounter).toBe(-1);
    expect(() => new MaskCollator().sample(-1)).toThrow('invalid batchSize: expected an integer ≥ 1, received -1');
  });

  it('refuses bad tube ratios', () => {
    expect(() => new RandomTubeMaskGenerator({ ratio: 1 })).toThrow('invalid config.ratio: expected a number in (0, 1), received 1.');
    expect(() => new RandomTubeMaskGenerator({ ratio: 0 })).toThrow('invalid config.ratio: expected a number in (0, 1), received 0.');
    expect(() => new RandomTubeMaskGenerator({ ratio: 0.99 }, { depth: 2, height: 4, width: 4 })).toThrow(
      /invalid config\.ratio: expected a ratio leaving between 1 and 15 of the 16 positions .* = 0\), received 0\.99\./,
    );
  });

  it('names the collator entry that is wrong, and refuses bad seeds, lists and states', () => {
    expect(
      () =>
        new MaskCollator({
          generators: [{ type: 'multiblock' }, { type: 'multiblock', spatialScale: [0.7, 0.2] }],
        }),
    ).toThrow('invalid generators[1].spatialScale: expected a pair [min, max] of numbers in (0, 1] with min ≤ max, received [0.7, 0.2].');
    expect(() => new MaskCollator({ generators: [{ type: 'blocks' } as never] })).toThrow(
      'invalid generators[0].type: expected "multiblock", "tube" or "future", received "blocks".',
    );
    expect(() => new MaskCollator({ generators: [] })).toThrow('invalid generators: expected a non-empty array of generator configs, received [].');
    expect(() => new MaskCollator({ seed: -1 })).toThrow('invalid seed: expected an integer ≥ 0, received -1.');
    const collator = new MaskCollator();
    const state = collator.getState();
    expect(() => collator.setState({ ...state, batchCounters: [1] })).toThrow(
      'invalid state.batchCounters: expected an array of 2 integers (one per generator), received [1].',
    );
    expect(() => collator.setState({ ...state, batchCounters: [1, -3] })).toThrow(
      'invalid state.batchCounters[1]: expected an integer ≥ -1, received -3.',
    );
  });

  it('is a MaskConfigError (a UsageError) carrying argument, expected and received', () => {
    try {
      new MultiblockMaskGenerator({ numBlocks: 0 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MaskConfigError);
      expect(error).toMatchObject({ argument: 'config.numBlocks', expected: 'an integer ≥ 1', received: 0 });
      // a usage error of @vjepa/base: the CLI exits 2 for it
      expect(error).toBeInstanceOf(UsageError);
      expect(error).toBeInstanceOf(VjepaError);
      expect(error).toMatchObject({ kind: 'usage', name: 'MaskConfigError' });
    }
  });

  it('refuses unknown keys, listing the known ones and suggesting the meant one', () => {
    // The example: `imageSize` is the ViT's name; the grid calls it `crop`.
    expect(() => new MaskCollator({ grid: { frames: 16, imageSize: 64, patch: 16, tubelet: 2 } as GridSpec })).toThrow(
      '@vjepa/masking: invalid grid.imageSize: expected a known key (one of frames, crop, patch, tubelet, depth, height, width), received "imageSize". Did you mean "crop"?',
    );
    expect(() => new MaskCollator({ seeed: 1 } as never)).toThrow(
      'invalid options.seeed: expected a known key (one of generators, grid, seed), received "seeed". Did you mean "seed"?',
    );
    expect(() => new MaskCollator({ generators: [{ type: 'multiblock', numBlock: 4 } as never] })).toThrow(
      'invalid generators[0].numBlock: expected a known key (one of type, spatialScale, temporalScale, aspectRatio, numBlocks, maxTemporalKeep, maxKeep), received "numBlock". Did you mean "numBlocks"?',
    );
    // The official YAML spelling is pointed at its name here.
    expect(multiblock({ spatial_scale: [0.15, 0.15] })).toThrow('received "spatial_scale". Did you mean "spatialScale"?');
    expect(multiblock({ colour: 'red' })).toThrow('received "colour". Remove it or fix its name.');
    expect(() => new RandomTubeMaskGenerator({ ratio: 0.5, ration: 0.5 } as never)).toThrow(
      'invalid config.ration: expected a known key (one of type, ratio), received "ration". Did you mean "ratio"?',
    );
  });
});
