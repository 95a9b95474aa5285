import { Mt19937 } from './mt19937';
import { roundHalfEven } from '@vjepa/base';
import type { BlockSize, ResolvedMultiblockConfig, TokenGrid } from './types';

/** The block-shape fields of a multiblock config. */
export type BlockShapeConfig = Pick<ResolvedMultiblockConfig, 'spatialScale' | 'temporalScale' | 'aspectRatio'>;

/**
 * The block size for three uniform draws `u1, u2, u3 ∈ [0, 1)` (spec §3.3 step 2):
 * `t = max(1, int(T'·s_t))`, `keep = int(H'·W'·s_s)`, `h = round(√(keep·ar))`, `w = round(√(keep/ar))`
 * with Python's round-half-even, then `h ≤ H'`, `w ≤ W'`. Arithmetic in float64, as in Python.
 */
export function blockSizeFromDraws(
  draws: readonly [number, number, number],
  config: BlockShapeConfig,
  grid: TokenGrid,
): BlockSize {
  const [u1, u2, u3] = draws;
  const [tMin, tMax] = config.temporalScale;
  const [sMin, sMax] = config.spatialScale;
  const [arMin, arMax] = config.aspectRatio;
  const temporalScale = tMin + u1 * (tMax - tMin);
  const duration = Math.max(1, Math.trunc(grid.depth * temporalScale));
  const spatialScale = sMin + u2 * (sMax - sMin);
  const keep = Math.trunc(grid.height * grid.width * spatialScale);
  const aspectRatio = arMin + u3 * (arMax - arMin);
  const height = Math.min(roundHalfEven(Math.sqrt(keep * aspectRatio)), grid.height);
  const width = Math.min(roundHalfEven(Math.sqrt(keep / aspectRatio)), grid.width);
  return { duration, height, width };
}

/**
 * The block size of one batch: a fresh MT19937 seeded with `seed` (the generator's batch counter)
 * gives `u1, u2, u3` by the torch.rand rule, in that order.
 */
export function sampleBlockSize(seed: number, config: BlockShapeConfig, grid: TokenGrid): BlockSize {
  const stream = new Mt19937(seed);
  const draws = [stream.nextFloat32(), stream.nextFloat32(), stream.nextFloat32()] as const;
  return blockSizeFromDraws(draws, config, grid);
}
