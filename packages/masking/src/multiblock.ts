import { sampleBlockSize } from './block-size';
import { tokenCount } from './grid';
import type { Mt19937 } from './mt19937';
import { maxContextDuration, resolveMultiblockConfig } from './multiblock-config';
import { SeededMaskGenerator, type PositionStreamOptions } from './seeded-generator';
import { truncateToShortest } from './truncate';
import type {
  BlockSize,
  GridSpec,
  MultiblockMaskConfig,
  ResolvedMultiblockConfig,
  SampledMasks,
  TokenGrid,
} from './types';
import { requireBatchSize, requireInteger } from './validation';

/** Consecutive empty contexts after which a sample is given up on (only reachable with extreme configs). */
const MAX_RESAMPLES = 10_000;

/** Per-sample context and target index lists of one batch, before the batch truncation. */
export interface MaskIndexLists {
  contextIndices: Int32Array[];
  targetIndices: Int32Array[];
}

/**
 * Samples the untruncated masks of one batch (spec §3.3 step 3). Per sample: `numBlocks` blocks of
 * size `blockSize`, each placed by three `randint` draws from `positionStream` (top, left, start);
 * the target is their union (plus every frame ≥ the max context duration), the context its
 * complement, both sorted; a sample whose context comes out empty is drawn again.
 */
export function sampleMultiblockIndexLists(
  config: ResolvedMultiblockConfig,
  grid: TokenGrid,
  blockSize: BlockSize,
  batchSize: number,
  positionStream: Mt19937,
): MaskIndexLists {
  const { depth: duration, height, width } = grid;
  const plane = height * width;
  const keptFrames = maxContextDuration(config, grid);
  const visible = new Uint8Array(duration * plane); // 1 = context, 0 = target, flattened (t, h, w)
  const contextIndices: Int32Array[] = [];
  const targetIndices: Int32Array[] = [];

  for (let sample = 0; sample < batchSize; sample++) {
    let contextCount = 0;
    for (let attempt = 0; contextCount === 0; attempt++) {
      if (attempt === MAX_RESAMPLES) {
        throw new Error(
          `@vjepa/masking: ${MAX_RESAMPLES} draws of ${config.numBlocks} blocks of ${blockSize.duration}×` +
            `${blockSize.height}×${blockSize.width} all covered the ${duration}×${height}×${width} grid; ` +
            'use fewer or smaller blocks.',
        );
      }
      visible.fill(1);
      for (let block = 0; block < config.numBlocks; block++) {
        const top = positionStream.randint(0, height - blockSize.height + 1);
        const left = positionStream.randint(0, width - blockSize.width + 1);
        const start = positionStream.randint(0, duration - blockSize.duration + 1);
        for (let t = start; t < start + blockSize.duration; t++) {
          for (let row = top; row < top + blockSize.height; row++) {
            const rowStart = t * plane + row * width;
            visible.fill(0, rowStart + left, rowStart + left + blockSize.width);
          }
        }
      }
      visible.fill(0, keptFrames * plane);
      contextCount = 0;
      for (let token = 0; token < visible.length; token++) contextCount += visible[token];
    }
    const context = new Int32Array(contextCount);
    const target = new Int32Array(visible.length - contextCount);
    let c = 0;
    let p = 0;
    for (let token = 0; token < visible.length; token++) {
      if (visible[token] === 1) context[c++] = token;
      else target[p++] = token;
    }
    contextIndices.push(context);
    targetIndices.push(target);
  }
  return { contextIndices, targetIndices };
}

/**
 * The multiblock 3-D mask generator (official `multiblock3d`, spec §3.2–3.4).
 *
 * Each call to {@link MultiblockMaskGenerator.sample} first increments the batch counter (from −1, so
 * the first batch uses seed 0) and draws one block size for the whole batch from a fresh MT19937
 * seeded with it — exactly as the official code. Block positions come from a second MT19937 stream
 * (the official code uses torch's global RNG), seeded once and carried across batches. Finally every
 * sample keeps only the first `K` indices, `K` = the batch minimum (and `maxKeep` for the context).
 *
 * @example
 * const generator = new MultiblockMaskGenerator({ numBlocks: 8, spatialScale: [0.15, 0.15] }, { crop: 224 });
 * const { context, target } = generator.sample(24); // context.shape = [24, K_enc]
 */
export class MultiblockMaskGenerator extends SeededMaskGenerator {
  readonly config: ResolvedMultiblockConfig;

  /**
   * @param config the generator's config; missing fields take the short-range defaults.
   * @param grid the token grid, or the clip geometry it comes from. Default 16 frames at 224 px.
   * @param options the position stream's seed (default 0), or a stream to share.
   */
  constructor(config: MultiblockMaskConfig = {}, grid: GridSpec = {}, options: PositionStreamOptions = {}) {
    super(grid, options);
    this.config = resolveMultiblockConfig(config, this.grid);
  }

  /** The block size the batch with this seed gets (does not touch the generator's state). */
  blockSizeForSeed(seed: number): BlockSize {
    return sampleBlockSize(requireInteger('seed', seed, 0), this.config, this.grid);
  }

  /** Samples the context and target indices of one batch of `batchSize` clips. */
  sample(batchSize: number): SampledMasks {
    requireBatchSize(batchSize);
    const blockSize = this.blockSizeForSeed(this.nextBatchSeed());
    const lists = sampleMultiblockIndexLists(this.config, this.grid, blockSize, batchSize, this.positionStream);
    return {
      context: truncateToShortest(lists.contextIndices, this.config.maxKeep),
      target: truncateToShortest(lists.targetIndices),
      lengthsBeforeTruncation: {
        context: Int32Array.from(lists.contextIndices, (list) => list.length),
        target: Int32Array.from(lists.targetIndices, (list) => list.length),
      },
      tokenCount: tokenCount(this.grid),
      blockSize,
    };
  }
}
