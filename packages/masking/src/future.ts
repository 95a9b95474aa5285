import { MaskConfigError } from './errors';
import { tokenCount } from './grid';
import { SeededMaskGenerator, type PositionStreamOptions } from './seeded-generator';
import type { FutureMaskConfig, GridSpec, ResolvedFutureConfig, SampledMasks, TokenGrid } from './types';
import { requireBatchSize, requireObject } from './validation';

/** The defaults of the future-prediction generator: context = the first half, target ≈ 90 % of the rest. */
export const DEFAULT_FUTURE_MASK = Object.freeze({ contextFraction: 0.5, targetRatio: 0.9 });

/**
 * Fills the defaults of a future-prediction config and checks it against the grid: at least one time
 * step of context and one of future, and a non-empty target.
 */
export function resolveFutureConfig(config: FutureMaskConfig, grid: TokenGrid, argument = 'config'): ResolvedFutureConfig {
  const fields = requireObject(argument, config);
  if (fields.type !== 'future') throw new MaskConfigError(`${argument}.type`, '"future"', fields.type);
  const contextFraction = fields.contextFraction ?? DEFAULT_FUTURE_MASK.contextFraction;
  const targetRatio = fields.targetRatio ?? DEFAULT_FUTURE_MASK.targetRatio;
  if (typeof contextFraction !== 'number' || !(contextFraction > 0 && contextFraction < 1)) {
    throw new MaskConfigError(`${argument}.contextFraction`, 'a number in (0, 1)', contextFraction);
  }
  if (typeof targetRatio !== 'number' || !(targetRatio > 0 && targetRatio <= 1)) {
    throw new MaskConfigError(`${argument}.targetRatio`, 'a number in (0, 1]', targetRatio);
  }
  const steps = contextSteps(contextFraction, grid);
  if (steps < 1 || steps >= grid.depth) {
    throw new MaskConfigError(
      `${argument}.contextFraction`,
      `a fraction leaving between 1 and ${grid.depth - 1} of the ${grid.depth} time steps as context (round(T'·fraction) = ${steps})`,
      contextFraction,
    );
  }
  if (targetCount(targetRatio, steps, grid) < 1) throw new MaskConfigError(`${argument}.targetRatio`, 'a ratio giving at least one target token', targetRatio);
  return { type: 'future', contextFraction, targetRatio };
}

/** Time steps in the context: `round(T'·contextFraction)` (8 of 8 → 4). */
export function contextSteps(contextFraction: number, grid: TokenGrid): number {
  return Math.round(grid.depth * contextFraction);
}

function targetCount(targetRatio: number, steps: number, grid: TokenGrid): number {
  return Math.round((grid.depth - steps) * grid.height * grid.width * targetRatio);
}

/**
 * Future prediction (not in the official code): the context is every token of the first
 * `round(T'·contextFraction)` time steps, the same for every sample; the target is a uniformly drawn
 * `round(targetRatio · future tokens)` of the later tokens (a partial Fisher–Yates from the position
 * stream per sample), sorted. Context and target never overlap and every row has the same length, so no
 * truncation is needed. The encoder sees the past, the predictor must say what comes next.
 */
export class FutureMaskGenerator extends SeededMaskGenerator {
  readonly config: ResolvedFutureConfig;

  /**
   * @param config `{ contextFraction = 0.5, targetRatio = 0.9 }`.
   * @param grid the token grid, or the clip geometry it comes from. Default 16 frames at 224 px.
   * @param options the position stream's seed (default 0), or a stream to share.
   */
  constructor(config: Partial<FutureMaskConfig> = {}, grid: GridSpec = {}, options: PositionStreamOptions = {}) {
    super(grid, options);
    this.config = resolveFutureConfig({ ...config, type: config.type ?? 'future' }, this.grid);
  }

  /** Samples the context and target indices of one batch. */
  sample(batchSize: number): SampledMasks {
    requireBatchSize(batchSize);
    this.nextBatchSeed();
    const plane = this.grid.height * this.grid.width;
    const steps = contextSteps(this.config.contextFraction, this.grid);
    const keep = steps * plane;
    const future = (this.grid.depth - steps) * plane;
    const count = targetCount(this.config.targetRatio, steps, this.grid);
    const context = new Int32Array(batchSize * keep);
    const target = new Int32Array(batchSize * count);
    const pool = new Int32Array(future);
    for (let sample = 0; sample < batchSize; sample++) {
      for (let k = 0; k < keep; k++) context[sample * keep + k] = k;
      for (let k = 0; k < future; k++) pool[k] = keep + k;
      for (let i = 0; i < count; i++) {
        const j = i + this.positionStream.randint(0, future - i);
        const swap = pool[i];
        pool[i] = pool[j];
        pool[j] = swap;
      }
      const chosen = pool.slice(0, count).sort();
      target.set(chosen, sample * count);
    }
    return {
      context: { data: context, shape: [batchSize, keep] },
      target: { data: target, shape: [batchSize, count] },
      lengthsBeforeTruncation: { context: new Int32Array(batchSize).fill(keep), target: new Int32Array(batchSize).fill(count) },
      tokenCount: tokenCount(this.grid),
      blockSize: null,
    };
  }
}
