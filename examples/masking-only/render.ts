import type { IndexBatch, MaskGenerator, SampledMasks, TokenGrid } from '@vjepa/masking';

/** What {@link renderMaskBatch} draws: the grid, the generators that made the masks, and the masks. */
export interface MaskBatchView {
  grid: TokenGrid;
  /** The generators, in the order of `masks` (their configs label the grids). */
  generators: readonly Pick<MaskGenerator, 'config'>[];
  /** One entry per generator, as `MaskCollator.sample` returns them. */
  masks: readonly SampledMasks[];
  /** Which tubelet step to draw. Default 0. */
  timeStep?: number;
}

/** Symbols of the drawing. */
export const SYMBOLS = { target: '#', context: '.', dropped: '-' } as const;

/**
 * Draws every sample's masks of every generator at one tubelet step, as text: `#` a target token
 * (predicted), `.` a context token (seen by the encoder), `-` a token dropped by the batch
 * truncation (neither). Under each grid: the masked fraction before truncation and the kept lengths.
 */
export function renderMaskBatch({ grid, generators, masks, timeStep = 0 }: MaskBatchView): string {
  const { depth: duration, height, width } = grid;
  const tokens = duration * height * width;
  const batchSize = masks[0]?.context.shape[0] ?? 0;
  const lines = [
    `Masks of one batch: ${batchSize} clips on a ${duration} × ${height} × ${width} token grid (T' × H' × W', N = ${tokens}).`,
    `Legend: ${SYMBOLS.target} target (predicted)   ${SYMBOLS.context} context (seen)   ${SYMBOLS.dropped} dropped by the batch truncation`,
    `Drawn at tubelet step t = ${timeStep} of ${duration}. With temporal scale 1 every block spans all steps, so before`,
    'truncation the masks are the same at every step; the truncation keeps the lowest indices and so cuts the latest steps first.',
  ];
  masks.forEach((pair, index) => {
    lines.push('', `generator ${index}: ${describeGenerator(generators[index]?.config)}` + describeBlock(pair));
    lines.push(
      `  K_enc = ${pair.context.shape[1]} context, K_pred = ${pair.target.shape[1]} target tokens per clip after truncation ` +
        `(effective context ${percent(pair.context.shape[1] / tokens)})`,
    );
    const grids = Array.from({ length: batchSize }, (_, sample) => drawGrid(pair, sample, grid, timeStep));
    const cellWidth = 2 * width - 1;
    const headers = Array.from({ length: batchSize }, (_, sample) => {
      const masked = pair.lengthsBeforeTruncation.target[sample] / tokens;
      return `sample ${sample}: ${percent(masked)} masked`.padEnd(cellWidth);
    });
    lines.push('  ' + headers.join('   ').trimEnd());
    for (let row = 0; row < height; row++) {
      lines.push('  ' + grids.map((rows) => rows[row]).join('   '));
    }
  });
  return lines.join('\n');
}

function drawGrid(pair: SampledMasks, sample: number, grid: TokenGrid, timeStep: number): string[] {
  const targets = rowSet(pair.target, sample);
  const contexts = rowSet(pair.context, sample);
  const plane = grid.height * grid.width;
  return Array.from({ length: grid.height }, (_, row) =>
    Array.from({ length: grid.width }, (_, column) => {
      const token = timeStep * plane + row * grid.width + column;
      if (targets.has(token)) return SYMBOLS.target;
      return contexts.has(token) ? SYMBOLS.context : SYMBOLS.dropped;
    }).join(' '),
  );
}

function rowSet({ data, shape: [, keep] }: IndexBatch, row: number): Set<number> {
  return new Set(data.subarray(row * keep, (row + 1) * keep));
}

function describeGenerator(config: MaskGenerator['config'] | undefined): string {
  if (config === undefined) return 'unknown generator';
  if (config.type === 'tube') return `random tubes, ratio ${config.ratio}`;
  if (config.type === 'future') return `future prediction, context ${config.contextFraction} of the time steps, targets ${config.targetRatio} of the rest`;
  const [low, high] = config.spatialScale;
  const scale = low === high ? `${low}` : `${low}–${high}`;
  return `multiblock, ${config.numBlocks} blocks of scale ${scale}`;
}

function describeBlock(pair: SampledMasks): string {
  const block = pair.blockSize;
  return block ? `, block ${block.duration} × ${block.height} × ${block.width} (t × h × w) this batch` : '';
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(1)} %`;
}
