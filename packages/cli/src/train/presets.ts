import type { RunConfig } from './config';

/**
 * Named starting points for `vjepa train --preset NAME`; flags and a config file still override them.
 * `official` is the released recipe (the default). `small` is a first attempt at a recipe for small models on
 * short CPU budgets that keeps motion information; it is experimental — measured so far (one seed, 350 steps)
 * it does not yet beat the untrained encoder on the motion probe (see examples/evidence).
 */
export const TRAIN_PRESETS: Record<string, Partial<RunConfig>> = {
  official: {},
  small: {
    preset: 'small',
    mask: [
      // Blocks that span only part of the clip: a masked position is visible at other times, so the
      // static background is predictable from itself and the error left is the moving object's.
      { type: 'multiblock', spatialScale: [0.15, 0.15], temporalScale: [0.25, 0.5], aspectRatio: [0.75, 1.5], numBlocks: 8 },
      { type: 'multiblock', spatialScale: [0.7, 0.7], temporalScale: [0.25, 0.5], aspectRatio: [0.75, 1.5], numBlocks: 2 },
    ],
  },
};
