/**
 * @vjepa/masking — the mask generators of V-JEPA (multiblock 3-D and random tubes), the collator that
 * runs them per batch, and mask statistics. Zero dependencies: plain typed arrays and a seeded MT19937.
 */
export type {
  BlockSize,
  ClipGeometry,
  FutureMaskConfig,
  GridSpec,
  IndexBatch,
  MaskGenerator,
  MaskGeneratorConfig,
  MaskGeneratorState,
  MaskPair,
  MultiblockMaskConfig,
  ResolvedMultiblockConfig,
  ResolvedFutureConfig,
  ResolvedTubeConfig,
  SampledMasks,
  TokenGrid,
  TubeMaskConfig,
} from './types.js';
export { MaskConfigError } from './errors.js';
export { Mt19937, type Mt19937State } from './mt19937.js';
export { roundHalfEven } from './python-round.js';
export { DEFAULT_CLIP_GEOMETRY, resolveTokenGrid, tokenCount } from './grid.js';
export { blockSizeFromDraws, sampleBlockSize, type BlockShapeConfig } from './block-size.js';
export {
  LONG_RANGE_MASK,
  SHORT_RANGE_MASK,
  maxContextDuration,
  resolveMultiblockConfig,
} from './multiblock-config.js';
export type { PositionStreamOptions } from './seeded-generator.js';
export { MultiblockMaskGenerator, sampleMultiblockIndexLists, type MaskIndexLists } from './multiblock.js';
export { DEFAULT_TUBE_RATIO, RandomTubeMaskGenerator, numKeepSpatial, resolveTubeConfig } from './tube.js';
export { DEFAULT_FUTURE_MASK, FutureMaskGenerator, contextSteps, resolveFutureConfig } from './future.js';
export { truncateToShortest } from './truncate.js';
export {
  MaskCollator,
  PRETRAINING_MASK_GENERATORS,
  type MaskCollatorOptions,
  type MaskCollatorState,
} from './collator.js';
export {
  maskStatistics,
  summarizeMaskStatistics,
  type MaskStatistics,
  type MaskStatisticsSummary,
  type Spread,
} from './stats.js';
