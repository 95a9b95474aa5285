import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodePng } from './png';
import { pasteTokens, type HostClip } from './pixels';
import { decodingSheet, layoutSheet } from './sheet';

// The clip of fixtures/decoder/make_sheet_golden.py: 4 frames of 2 × 2, tubelet 2, patch 1.
const [R, G, B, K, Y, C, M, N] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1], [0, 0.5, 0.5]];
const frame0 = [R, G, B, K];
const frame2 = [Y, C, M, N];
const clip: HostClip = {
  geometry: { frames: 4, height: 2, width: 2, channels: 3, tubelet: 2, patch: 1 },
  // frames 1 and 3 differ from 0 and 2: the sheet shows the first frame of each tubelet step only
  data: Float32Array.from([frame0, frame0.map((c) => c.map((v) => 1 - v)), frame2, frame2.map((c) => c.map((v) => 1 - v))].flat(2)),
};
// tokens 1 and 6 decoded as orange and purple (both frames of each token)
const decoded = Float32Array.from([1, 0.5, 0, 1, 0.5, 0, 0.5, 0, 1, 0.5, 0, 1]);

const pixels = (bytes: Buffer) => {
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height, rgb: Array.from({ length: png.width * png.height }, (_, p) => Array.from(png.data.subarray(p * 4, p * 4 + 3))) };
};

describe('decodingSheet', () => {
  it('lays out the clip, the mask and the decoding, one column per tubelet step, as the hand-drawn golden image', () => {
    const sheet = decodingSheet(clip, [{ targetIds: [1, 6], decoded }], { gap: 1 });
    expect([sheet.width, sheet.height]).toEqual([7, 10]);
    const golden = pixels(readFileSync(new URL('../../../fixtures/decoder/sheet-golden.png', import.meta.url)));
    expect(pixels(encodePng(sheet))).toEqual(golden);
  });

  it('adds two rows per sample, and pastes the decoding in patchify order', () => {
    const sheet = decodingSheet(clip, [{ targetIds: [1, 6], decoded }, { targetIds: [0], decoded: new Float32Array(6) }]);
    expect([sheet.width, sheet.height]).toEqual([2 * 2 + 3 * 2, 5 * 2 + 6 * 2]);
    const pasted = pasteTokens(clip, [6], Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]));
    // token 6 = step 1, row 1, column 0: pixel (1, 0) of frames 2 and 3
    expect(Array.from(pasted.data.subarray((2 * 4 + 2) * 3, (2 * 4 + 2) * 3 + 3))).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    expect(Array.from(pasted.data.subarray((3 * 4 + 2) * 3, (3 * 4 + 2) * 3 + 3))).toEqual([0.4, 0.5, 0.6].map(Math.fround));
  });

  it('refuses cells of different sizes and an empty sheet, naming them', () => {
    const cell = (w: number) => ({ width: w, height: 1, rgb: new Uint8Array(w * 3) });
    expect(() => layoutSheet([[cell(2), cell(3)]])).toThrow('rows[0][1]: expected a 2×1 cell, received "3×1"');
    expect(() => layoutSheet([])).toThrow('rows: expected at least one row of at least one cell, received 0');
    expect(() => decodingSheet(clip, [{ targetIds: [1], decoded: new Float32Array(5) }])).toThrow('values: expected 1·6 values, one token each, received 5');
  });
});
