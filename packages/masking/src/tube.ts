import { MaskConfigError } from './errors';
import { tokenCount } from './grid';
import { SeededMaskGenerator, type PositionStreamOptions } from './seeded-generator';
import type {
  GridSpec,
  ResolvedTubeConfig,
  SampledMasks,
  TokenGrid,
  TubeMaskConfig,
} from './types';
import { requireBatchSize, requireKnownKeys, requireObject } from './validation';

/** The default masked ratio of the random-tube generator. */
export const DEFAULT_TUBE_RATIO = 0.9;

/**
 * Fills the default of a random-tube config and checks it: `ratio` in (0, 1) such that both the
 * context (`int(H'·W'·(1 − ratio))` positions) and the target are non-empty.
 */
export function resolveTubeConfig(config: TubeMaskConfig, grid: TokenGrid, argument = 'config'): ResolvedTubeConfig {
  const fields = requireKnownKeys(argument, requireObject(argument, config), ['type', 'ratio']);
  if (fields.type !== 'tube') throw new MaskConfigError(`${argument}.type`, '"tube"', fields.type);
  const ratio = fields.ratio ?? DEFAULT_TUBE_RATIO;
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio <= 0 || ratio >= 1) {
    throw new MaskConfigError(`${argument}.ratio`, 'a number in (0, 1)', ratio);
  }
  const plane = grid.height * grid.width;
  const keep = numKeepSpatial(ratio, grid);
  if (keep < 1 || keep >= plane) {
    throw new MaskConfigError(
      `${argument}.ratio`,
      `a ratio leaving between 1 and ${plane - 1} of the ${plane} positions of a ${grid.height}×${grid.width} grid ` +
        `as context (int(H'·W'·(1 − ratio)) = ${keep})`,
      ratio,
    );
  }
  return { type: 'tube', ratio };
}

/** `int(H'·W'·(1 − ratio))`, the context positions per frame (official formula, float64). */
export function numKeepSpatial(ratio: number, grid: TokenGrid): number {
  return Math.trunc(grid.height * grid.width * (1 - ratio));
}

/**
 * The random-tube generator (official `random_tube`, spec §3.5; unused by the released configs).
 * Per sample, a uniformly shuffled (Fisher–Yates from the position stream) spatial pattern of
 * `H'·W' − keep` masked and `keep` visible positions is repeated over all T' steps: the context is
 * the visible tubes, the target the masked ones, both sorted. All samples have the same lengths.
 */
export class RandomTubeMaskGenerator extends SeededMaskGenerator {
  readonly config: ResolvedTubeConfig;

  /**
   * @param config `{ ratio }`, default 0.9.
   * @param grid the token grid, or the clip geometry it comes from. Default 16 frames at 224 px.
   * @param options the position stream's seed (default 0), or a stream to share.
   */
  constructor(config: Partial<TubeMaskConfig> = {}, grid: GridSpec = {}, options: PositionStreamOptions = {}) {
    super(grid, options);
    this.config = resolveTubeConfig({ ...config, type: config.type ?? 'tube' }, this.grid);
  }

  /** Samples the context and target indices of one batch (the batch counter only counts batches). */
  sample(batchSize: number): SampledMasks {
    requireBatchSize(batchSize);
    this.nextBatchSeed();
    const { depth: duration } = this.grid;
    const plane = this.grid.height * this.grid.width;
    const keep = numKeepSpatial(this.config.ratio, this.grid);
    const pattern = new Uint8Array(plane);
    const context = new Int32Array(batchSize * keep * duration);
    const target = new Int32Array(batchSize * (plane - keep) * duration);
    let c = 0;
    let p = 0;
    for (let sample = 0; sample < batchSize; sample++) {
      pattern.fill(0, 0, plane - keep).fill(1, plane - keep);
      for (let i = plane - 1; i > 0; i--) {
        const j = this.positionStream.randint(0, i + 1);
        const swap = pattern[i];
        pattern[i] = pattern[j];
        pattern[j] = swap;
      }
      for (let t = 0; t < duration; t++) {
        for (let position = 0; position < plane; position++) {
          if (pattern[position] === 1) context[c++] = t * plane + position;
          else target[p++] = t * plane + position;
        }
      }
    }
    return {
      context: { data: context, shape: [batchSize, keep * duration] },
      target: { data: target, shape: [batchSize, (plane - keep) * duration] },
      lengthsBeforeTruncation: {
        context: new Int32Array(batchSize).fill(keep * duration),
        target: new Int32Array(batchSize).fill((plane - keep) * duration),
      },
      tokenCount: tokenCount(this.grid),
      blockSize: null,
    };
  }
}
