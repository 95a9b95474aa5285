import { MaskConfigError } from './errors';
import { optionKeys, roundHalfEven } from '@vjepa/base';
import type { MultiblockMaskConfig, ResolvedMultiblockConfig, TokenGrid } from './types';
import { requireFraction, requireInteger, requireKnownKeys, requireObject, requireRange } from './validation';

const MULTIBLOCK_KEYS = optionKeys<MultiblockMaskConfig>({
  type: true, spatialScale: true, temporalScale: true, aspectRatio: true, numBlocks: true, maxTemporalKeep: true, maxKeep: true,
});
/** The official YAML names of the same fields. */
const MULTIBLOCK_ALIASES = {
  spatial_scale: 'spatialScale',
  temporal_scale: 'temporalScale',
  aspect_ratio: 'aspectRatio',
  num_blocks: 'numBlocks',
  max_temporal_keep: 'maxTemporalKeep',
  max_keep: 'maxKeep',
};

/** The released short-range generator (8 blocks of 15 %), which is also the default config. */
export const SHORT_RANGE_MASK: Readonly<ResolvedMultiblockConfig> = Object.freeze({
  type: 'multiblock',
  spatialScale: Object.freeze([0.15, 0.15] as const),
  temporalScale: Object.freeze([1, 1] as const),
  aspectRatio: Object.freeze([0.75, 1.5] as const),
  numBlocks: 8,
  maxTemporalKeep: 1,
  maxKeep: null,
});

/** The released long-range generator (2 blocks of 70 %). */
export const LONG_RANGE_MASK: Readonly<ResolvedMultiblockConfig> = Object.freeze({
  ...SHORT_RANGE_MASK,
  spatialScale: Object.freeze([0.7, 0.7] as const),
  numBlocks: 2,
});

/**
 * Fills the defaults of a multiblock config and checks every field, and that a block of every
 * size the config can draw fits the grid: not empty, and never covering the whole grid (the
 * context would stay empty and the resampling would never end).
 */
export function resolveMultiblockConfig(
  config: MultiblockMaskConfig = {},
  grid: TokenGrid,
  argument = 'config',
): ResolvedMultiblockConfig {
  const fields = requireKnownKeys(argument, requireObject(argument, config), MULTIBLOCK_KEYS, MULTIBLOCK_ALIASES);
  if (fields.type !== undefined && fields.type !== 'multiblock') {
    throw new MaskConfigError(`${argument}.type`, '"multiblock"', fields.type);
  }
  const maxKeep = fields.maxKeep ?? null;
  const resolved: ResolvedMultiblockConfig = {
    type: 'multiblock',
    spatialScale: requireRange(`${argument}.spatialScale`, fields.spatialScale ?? SHORT_RANGE_MASK.spatialScale, true),
    temporalScale: requireRange(`${argument}.temporalScale`, fields.temporalScale ?? SHORT_RANGE_MASK.temporalScale, true),
    aspectRatio: requireRange(`${argument}.aspectRatio`, fields.aspectRatio ?? SHORT_RANGE_MASK.aspectRatio, false),
    numBlocks: requireInteger(`${argument}.numBlocks`, fields.numBlocks ?? SHORT_RANGE_MASK.numBlocks, 1),
    maxTemporalKeep: requireFraction(`${argument}.maxTemporalKeep`, fields.maxTemporalKeep ?? 1),
    maxKeep: maxKeep === null ? null : requireInteger(`${argument}.maxKeep`, maxKeep, 1),
  };
  checkBlocksFitGrid(resolved, grid, argument);
  return resolved;
}

/** `max(1, int(T'·maxTemporalKeep))`: frames from this index on are never context. */
export function maxContextDuration(config: Pick<ResolvedMultiblockConfig, 'maxTemporalKeep'>, grid: TokenGrid): number {
  return Math.max(1, Math.trunc(grid.depth * config.maxTemporalKeep));
}

function checkBlocksFitGrid(config: ResolvedMultiblockConfig, grid: TokenGrid, argument: string): void {
  const [sMin, sMax] = config.spatialScale;
  const [arMin, arMax] = config.aspectRatio;
  const gridText = `${grid.depth}×${grid.height}×${grid.width}`;

  // Smallest block: fewest positions at the extreme aspect ratios (h grows with ar, w shrinks).
  const keepMin = Math.trunc(grid.height * grid.width * sMin);
  const heightMin = roundHalfEven(Math.sqrt(keepMin * arMin));
  const widthMin = roundHalfEven(Math.sqrt(keepMin / arMax));
  if (heightMin < 1 || widthMin < 1) {
    throw new MaskConfigError(
      `${argument}.spatialScale`,
      `a scale giving blocks of at least 1×1 tokens on the ${gridText} grid ` +
        `(int(H'·W'·min) = ${keepMin} tokens, aspect ${arMin}–${arMax} → ${heightMin}×${widthMin})`,
      config.spatialScale,
      'Use a larger spatial scale or a finer grid.',
    );
  }

  // Largest block: a block spanning all of T' and all of H'×W' would leave no context, ever.
  // Conservative at rounding ties: h reaches H' once √(keep·ar) ≥ H' − ½, w reaches W' once √(keep/ar) ≥ W' − ½.
  const durationMax = Math.max(1, Math.trunc(grid.depth * config.temporalScale[1]));
  const keepMax = Math.trunc(grid.height * grid.width * sMax);
  const lowestArForFullHeight = (grid.height - 0.5) ** 2 / keepMax;
  const highestArForFullWidth = keepMax / (grid.width - 0.5) ** 2;
  const fullCoverPossible =
    durationMax === grid.depth &&
    Math.max(arMin, lowestArForFullHeight) <= Math.min(arMax, highestArForFullWidth);
  if (fullCoverPossible) {
    throw new MaskConfigError(
      `${argument}.spatialScale`,
      `a scale whose blocks cannot cover the whole ${gridText} grid (with temporal scale ` +
        `${config.temporalScale[1]} and aspect ${arMin}–${arMax} such a block leaves no context, and the ` +
        'sample would be resampled forever)',
      config.spatialScale,
      'Use a smaller spatial scale or temporal scale, or a larger grid.',
    );
  }
}
