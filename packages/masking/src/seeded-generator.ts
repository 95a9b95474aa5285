import { MaskConfigError } from './errors';
import { resolveTokenGrid } from './grid';
import { Mt19937 } from './mt19937';
import type {
  GridSpec,
  MaskGenerator,
  MaskGeneratorState,
  ResolvedMultiblockConfig,
  ResolvedFutureConfig,
  ResolvedTubeConfig,
  SampledMasks,
  TokenGrid,
} from './types';
import { requireInteger } from './validation';

/** Where a generator's positions come from: a seed for an own stream, or a shared stream. */
export interface PositionStreamOptions {
  /** Seed of the generator's own position stream (a non-negative integer). Default 0. */
  seed?: number;
  /** A stream shared with other generators (a collator passes one); overrides `seed`. */
  positionStream?: Mt19937;
}

/**
 * What both generators share: the grid, the batch counter (−1 before the first batch) and the
 * position stream, with their save/restore.
 */
export abstract class SeededMaskGenerator implements MaskGenerator {
  readonly grid: TokenGrid;
  abstract readonly config: ResolvedMultiblockConfig | ResolvedTubeConfig | ResolvedFutureConfig;
  protected readonly positionStream: Mt19937;
  private readonly ownsStream: boolean;
  private counter = -1;

  protected constructor(grid: GridSpec, options: PositionStreamOptions) {
    this.grid = resolveTokenGrid(grid);
    this.ownsStream = options.positionStream === undefined;
    this.positionStream = options.positionStream ?? new Mt19937(requireInteger('seed', options.seed ?? 0, 0));
  }

  /** The seed of the last batch (−1 before the first). */
  get batchCounter(): number {
    return this.counter;
  }

  abstract sample(batchSize: number): SampledMasks;

  /** Advances the counter by one and returns it: the seed of the batch being sampled. */
  protected nextBatchSeed(): number {
    this.counter += 1;
    return this.counter;
  }

  /**
   * Advances the batch counter by `batches` without sampling, as the official resume does
   * (`start_epoch · ipe` steps). The position stream is not replayed: restore it with `setState`.
   */
  skipBatches(batches: number): void {
    this.counter += requireInteger('batches', batches, 0);
  }

  /** The batch counter and, if the generator owns it, the position stream (JSON-serialisable). */
  getState(): MaskGeneratorState {
    return this.ownsStream
      ? { batchCounter: this.counter, positionStream: this.positionStream.getState() }
      : { batchCounter: this.counter };
  }

  /** Restores a state from `getState`; the next batch equals the one that followed it. */
  setState(state: MaskGeneratorState): void {
    const batchCounter = requireInteger('state.batchCounter', state?.batchCounter, -1);
    if (state.positionStream !== undefined) {
      if (!this.ownsStream) {
        throw new MaskConfigError(
          'state.positionStream',
          'no stream state, because this generator shares its position stream (restore the shared stream instead)',
          state.positionStream,
        );
      }
      this.positionStream.setState(state.positionStream);
    }
    this.counter = batchCounter;
  }
}
