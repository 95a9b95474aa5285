import { MaskConfigError } from './errors';
import { resolveTokenGrid } from './grid';
import { Mt19937, type Mt19937State } from './mt19937';
import { LONG_RANGE_MASK, SHORT_RANGE_MASK, resolveMultiblockConfig } from './multiblock-config';
import { MultiblockMaskGenerator } from './multiblock';
import { RandomTubeMaskGenerator, resolveTubeConfig } from './tube';
import { FutureMaskGenerator, resolveFutureConfig } from './future';
import type {
  FutureMaskConfig,
  GridSpec,
  MaskGenerator,
  MaskGeneratorConfig,
  MultiblockMaskConfig,
  SampledMasks,
  TokenGrid,
  TubeMaskConfig,
} from './types';
import { requireInteger, requireKnownKeys, requireObject } from './validation';

/** The released pretraining pair: short-range 8 × 0.15 and long-range 2 × 0.7 (spec §3.2). */
export const PRETRAINING_MASK_GENERATORS: readonly MaskGeneratorConfig[] = Object.freeze([
  SHORT_RANGE_MASK,
  LONG_RANGE_MASK,
]);

/** Options of a {@link MaskCollator}. */
export interface MaskCollatorOptions {
  /** The generators, run in order. Default {@link PRETRAINING_MASK_GENERATORS}. */
  generators?: readonly MaskGeneratorConfig[];
  /** The token grid, or the clip geometry it comes from. Default 16 frames, 224 px, patch 16, tubelet 2. */
  grid?: GridSpec;
  /** Seed of the position stream the generators share (a non-negative integer). Default 0. */
  seed?: number;
}

/** Everything a {@link MaskCollator} needs to resume exactly (JSON-serialisable). */
export interface MaskCollatorState {
  /** Each generator's batch counter, in generator order. */
  batchCounters: number[];
  /** The shared position stream. */
  positionStream: Mt19937State;
}

/**
 * Runs a list of mask generators on every batch (official `MaskCollator`): each generator gives its
 * own context/target pair. The generators keep separate batch counters (so at the same batch they
 * use the same block-size seed) and draw positions, in order, from one shared stream — as the
 * official generators share torch's global RNG.
 *
 * @example
 * const collator = new MaskCollator({ seed: 0 }); // official pair, 16 × 224 px
 * const [shortRange, longRange] = collator.sample(24);
 * shortRange.context.shape; // [24, K_enc]
 */
export class MaskCollator {
  readonly grid: TokenGrid;
  readonly generators: readonly MaskGenerator[];
  private readonly positionStream: Mt19937;

  constructor(options: MaskCollatorOptions = {}) {
    const fields = requireKnownKeys('options', requireObject('options', options), ['generators', 'grid', 'seed']);
    this.grid = resolveTokenGrid(options.grid ?? {}, 'grid');
    const configs = fields.generators ?? PRETRAINING_MASK_GENERATORS;
    if (!Array.isArray(configs) || configs.length === 0) {
      throw new MaskConfigError('generators', 'a non-empty array of generator configs', configs);
    }
    const seed = requireInteger('seed', options.seed ?? 0, 0);
    // Check every entry before building anything, so that an error names the entry (generators[i]).
    const resolved = configs.map((config: unknown, index) => {
      const argument = `generators[${index}]`;
      const entry = requireObject(argument, config);
      if (entry.type === 'multiblock') return resolveMultiblockConfig(entry as MultiblockMaskConfig, this.grid, argument);
      if (entry.type === 'tube') return resolveTubeConfig(entry as unknown as TubeMaskConfig, this.grid, argument);
      if (entry.type === 'future') return resolveFutureConfig(entry as unknown as FutureMaskConfig, this.grid, argument);
      throw new MaskConfigError(`${argument}.type`, '"multiblock", "tube" or "future"', entry.type);
    });
    this.positionStream = new Mt19937(seed);
    const shared = { positionStream: this.positionStream };
    this.generators = resolved.map((config) =>
      config.type === 'multiblock'
        ? new MultiblockMaskGenerator(config, this.grid, shared)
        : config.type === 'tube'
          ? new RandomTubeMaskGenerator(config, this.grid, shared)
          : new FutureMaskGenerator(config, this.grid, shared),
    );
  }

  /** Samples one batch: one {@link SampledMasks} per generator, in generator order. */
  sample(batchSize: number): SampledMasks[] {
    requireInteger('batchSize', batchSize, 1);
    return this.generators.map((generator) => generator.sample(batchSize));
  }

  /** Collates a list of samples as the official collator: the samples, and the masks of a batch of that size. */
  collate<Sample>(samples: readonly Sample[]): { samples: readonly Sample[]; masks: SampledMasks[] } {
    return { samples, masks: this.sample(samples.length) };
  }

  /**
   * Advances every generator's batch counter by `batches` without sampling, as the official resume
   * does. Positions are not replayed; for an exact resume save and restore {@link MaskCollator.getState}.
   */
  skipBatches(batches: number): void {
    requireInteger('batches', batches, 0);
    for (const generator of this.generators) generator.skipBatches(batches);
  }

  /** The batch counters and the position stream, for a checkpoint. */
  getState(): MaskCollatorState {
    return {
      batchCounters: this.generators.map((generator) => generator.batchCounter),
      positionStream: this.positionStream.getState(),
    };
  }

  /** Restores {@link MaskCollator.getState}; the next batch equals the one that followed the save. */
  setState(state: MaskCollatorState): void {
    const counters: unknown = state?.batchCounters;
    if (!Array.isArray(counters) || counters.length !== this.generators.length) {
      throw new MaskConfigError(
        'state.batchCounters',
        `an array of ${this.generators.length} integers (one per generator)`,
        counters,
      );
    }
    counters.forEach((counter, index) => requireInteger(`state.batchCounters[${index}]`, counter, -1));
    this.positionStream.setState(state.positionStream);
    this.generators.forEach((generator, index) => generator.setState({ batchCounter: counters[index] }));
  }
}
