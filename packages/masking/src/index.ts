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
} from './types';
export { MaskConfigError } from './errors';
export { Mt19937, type Mt19937State } from './mt19937';
export { roundHalfEven } from '@vjepa/base';
export { DEFAULT_CLIP_GEOMETRY, resolveTokenGrid, tokenCount } from './grid';
export { blockSizeFromDraws, sampleBlockSize, type BlockShapeConfig } from './block-size';
export {
  LONG_RANGE_MASK,
  SHORT_RANGE_MASK,
  maxContextDuration,
  resolveMultiblockConfig,
} from './multiblock-config';
export type { PositionStreamOptions } from './seeded-generator';
export { MultiblockMaskGenerator, sampleMultiblockIndexLists, type MaskIndexLists } from './multiblock';
export { DEFAULT_TUBE_RATIO, RandomTubeMaskGenerator, numKeepSpatial, resolveTubeConfig } from './tube';
export { DEFAULT_FUTURE_MASK, FutureMaskGenerator, contextSteps, resolveFutureConfig } from './future';
export { truncateToShortest } from './truncate';
export {
  MaskCollator,
  PRETRAINING_MASK_GENERATORS,
  type MaskCollatorOptions,
  type MaskCollatorState,
} from './collator';
export {
  maskStatistics,
  summarizeMaskStatistics,
  type MaskStatistics,
  type MaskStatisticsSummary,
  type Spread,
} from './stats';
