/**
 * The picture sheet of the paper's qualitative figure, as an RGB raster (no tfjs, no files): the clip,
 * then for each sample its mask and its decoding, one column per tubelet step.
 */
import { fail } from '@vjepa/core';
import { clipGrid, pasteTokens, valuesPerToken, type HostClip } from './pixels';

/** An RGB raster, row-major, 3 bytes a pixel (the same layout as the charts of `examples/evidence`). */
export interface Raster {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** Frame `frame` of a clip of colours in [0, 1] (3 channels) as a raster. */
export function frameRaster(clip: HostClip, frame: number): Raster {
  const { frames, height, width, channels } = clip.geometry;
  if (channels !== 3) fail('clip.geometry.channels', '3 (RGB)', channels);
  if (!Number.isInteger(frame) || frame < 0 || frame >= frames) fail('frame', `an integer in [0, ${frames - 1}]`, frame);
  const size = height * width * 3;
  const rgb = Uint8Array.from(clip.data.subarray(frame * size, (frame + 1) * size), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  return { width, height, rgb };
}

/** Options of {@link layoutSheet}. */
export interface SheetLayoutOptions {
  /** White pixels around and between the cells (default 2). */
  gap?: number;
}

/** Cells of one size placed in rows and columns on white, `gap` pixels around and between them. */
export function layoutSheet(rows: readonly (readonly Raster[])[], options: SheetLayoutOptions = {}): Raster {
  const gap = options.gap ?? 2;
  if (!Number.isInteger(gap) || gap < 0) fail('options.gap', 'an integer ≥ 0', gap);
  const first = rows[0]?.[0];
  if (!first) fail('rows', 'at least one row of at least one cell', rows.length);
  const columns = Math.max(...rows.map((row) => row.length));
  const { width: w, height: h } = first;
  const width = columns * w + (columns + 1) * gap;
  const height = rows.length * h + (rows.length + 1) * gap;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  rows.forEach((row, r) =>
    row.forEach((cell, c) => {
      if (cell.width !== w || cell.height !== h) fail(`rows[${r}][${c}]`, `a ${w}×${h} cell`, `${cell.width}×${cell.height}`);
      const [x0, y0] = [gap + c * (w + gap), gap + r * (h + gap)];
      for (let y = 0; y < h; y++) rgb.set(cell.rgb.subarray(y * w * 3, (y + 1) * w * 3), ((y0 + y) * width + x0) * 3);
    }),
  );
  return { width, height, rgb };
}

/** One decoding on the sheet: its mask and the decoder's colours [0, 1] of the target tokens `[K_tgt, t·p·p·C]`. */
export interface SheetSample {
  targetIds: ArrayLike<number>;
  decoded: Float32Array;
}

/** Options of {@link decodingSheet}. */
export interface DecodingSheetOptions extends SheetLayoutOptions {
  /** Colour of the hidden tokens in the mask rows, in [0, 1] (default mid grey 0.5). */
  hidden?: readonly [number, number, number];
}

/**
 * The sheet: row 1 the clip; then per sample a mask row (the clip, hidden tokens grey) and a decoding row
 * (the clip with the hidden tokens replaced by their decoding). Column j shows frame j·t, the first frame
 * of tubelet step j. `clip` holds colours in [0, 1].
 */
export function decodingSheet(clip: HostClip, samples: readonly SheetSample[], options: DecodingSheetOptions = {}): Raster {
  const { hidden = [0.5, 0.5, 0.5], ...layout } = options;
  const grid = clipGrid(clip.geometry);
  const per = valuesPerToken(clip.geometry);
  const frames = (c: HostClip) => Array.from({ length: grid.depth }, (_, j) => frameRaster(c, j * clip.geometry.tubelet));
  const rows = [frames(clip)];
  for (const sample of samples) {
    const grey = Float32Array.from({ length: sample.targetIds.length * per }, (_, i) => hidden[i % 3]);
    rows.push(frames(pasteTokens(clip, sample.targetIds, grey)), frames(pasteTokens(clip, sample.targetIds, sample.decoded)));
  }
  return layoutSheet(rows, layout);
}
