import type { MaskGeneratorConfig } from '@vjepa/masking';
import type { RunConfig } from './config';

/**
 * Whole frames masked: two spans of one or two tubelet steps each (12.5–25 % of the clip), so every target
 * has context on both sides in time and the same place in space. The static background is then predictable
 * by copying, and what is left to predict is what moved.
 */
const TIME_GAPS: MaskGeneratorConfig[] = [
  { type: 'multiblock', spatialScale: [1, 1], temporalScale: [0.125, 0.25], aspectRatio: [1, 1], numBlocks: 2 },
];

/**
 * Named starting points for `vjepa train --preset NAME`; flags and a config file still override them.
 * `official` is the released recipe (the default). `small` is the best recipe found for small models on short
 * CPU budgets (the official optimisation with time-gap masks); it is experimental — measured on the embedded
 * synthetic videos it does not beat an untrained encoder on the motion probe (see examples/evidence and the
 * README's evidence table for what was tried and measured).
 */
export const TRAIN_PRESETS: Record<string, Partial<RunConfig>> = {
  official: {},
  small: { preset: 'small', mask: TIME_GAPS },
};
