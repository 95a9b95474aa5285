import type { MaskPair, TokenGrid } from '@vjepa/base';
import type { Mt19937State } from './mt19937';

/** The index types this package produces; declared once in `@vjepa/base`, shared with `@vjepa/core`. */
export type { IndexBatch, MaskPair, TokenGrid } from '@vjepa/base';

/** A {@link MaskPair} with what is needed to measure it (see `maskStatistics`). */
export interface SampledMasks extends MaskPair {
  /** Per-sample lengths before the batch truncation, each `Int32Array(B)`. */
  lengthsBeforeTruncation: { context: Int32Array; target: Int32Array };
  /** N, the number of tokens of the grid. */
  tokenCount: number;
  /** The block size drawn for this batch (multiblock only; `null` for random tubes). */
  blockSize: BlockSize | null;
}

/** A token grid given by the clip and patch geometry instead of token counts. */
export interface ClipGeometry {
  /** Frames per clip. Default 16. */
  frames?: number;
  /** Square crop side in pixels. Default 224. */
  crop?: number;
  /** Spatial patch side in pixels. Default 16. */
  patch?: number;
  /** Tubelet depth in frames. Default 2. */
  tubelet?: number;
}

/** Either the token grid itself or the geometry it comes from. */
export type GridSpec = TokenGrid | ClipGeometry;

/** A block size in tokens: `duration` tubelet steps × `height` rows × `width` columns. */
export interface BlockSize {
  duration: number;
  height: number;
  width: number;
}

/**
 * One multiblock 3-D generator (official `multiblock3d`). Defaults are those of the released
 * short-range generator (spec §3.2).
 */
export interface MultiblockMaskConfig {
  type?: 'multiblock';
  /** Fraction of the H'·W' positions one block covers, drawn in [min, max] once per batch. Default [0.15, 0.15]. */
  spatialScale?: readonly [number, number];
  /** Fraction of T' one block spans, drawn in [min, max] once per batch. Default [1, 1]. */
  temporalScale?: readonly [number, number];
  /** Block height/width ratio, drawn in [min, max] once per batch. Default [0.75, 1.5]. */
  aspectRatio?: readonly [number, number];
  /** Blocks per sample; the target is their union. Default 8. */
  numBlocks?: number;
  /** Frames ≥ max(1, int(T'·maxTemporalKeep)) are always targets. Default 1 (no effect). */
  maxTemporalKeep?: number;
  /** Upper bound on K_enc after the batch truncation; `null` for none. Default null. */
  maxKeep?: number | null;
}

/** One random-tube generator (official `random_tube`, spec §3.5). */
export interface TubeMaskConfig {
  type: 'tube';
  /** Fraction of the H'·W' positions masked (as whole tubes). Default 0.9. */
  ratio?: number;
}

/** Future prediction (not in the official code): context = the first time steps, target = most of the rest. */
export interface FutureMaskConfig {
  type: 'future';
  /** Fraction of the T' time steps given as context, all positions (rounded). Default 0.5. */
  contextFraction?: number;
  /** Fraction of the later tokens drawn as targets, per sample (rounded). Default 0.9. */
  targetRatio?: number;
}

/** An entry of the collator's generator list. */
export type MaskGeneratorConfig = (MultiblockMaskConfig & { type: 'multiblock' }) | TubeMaskConfig | FutureMaskConfig;

/** A multiblock config with every default filled in and checked. */
export interface ResolvedMultiblockConfig {
  type: 'multiblock';
  spatialScale: readonly [number, number];
  temporalScale: readonly [number, number];
  aspectRatio: readonly [number, number];
  numBlocks: number;
  maxTemporalKeep: number;
  maxKeep: number | null;
}

/** A random-tube config with its default filled in and checked. */
export interface ResolvedTubeConfig {
  type: 'tube';
  ratio: number;
}

/** A future-prediction config with its defaults filled in and checked. */
export interface ResolvedFutureConfig {
  type: 'future';
  contextFraction: number;
  targetRatio: number;
}

/** What a generator saves to resume: its batch counter and, when it owns one, its position stream. */
export interface MaskGeneratorState {
  /** The seed of the last batch (−1 before the first). */
  batchCounter: number;
  /** The position stream; absent when the stream is shared (a collator saves it once). */
  positionStream?: Mt19937State;
}

/** The common face of the two generators. */
export interface MaskGenerator {
  /** The grid the masks index into. */
  readonly grid: TokenGrid;
  /** The generator's config, defaults filled in. */
  readonly config: ResolvedMultiblockConfig | ResolvedTubeConfig | ResolvedFutureConfig;
  /** The seed of the last batch (−1 before the first). */
  readonly batchCounter: number;
  /** Samples the masks of one batch and advances the counter. */
  sample(batchSize: number): SampledMasks;
  /** Advances the batch counter by `batches` without sampling (the official resume). */
  skipBatches(batches: number): void;
  getState(): MaskGeneratorState;
  setState(state: MaskGeneratorState): void;
}
