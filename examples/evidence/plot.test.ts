import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { PALETTE, accuracyBarsImage, encodePng, lossCurvesImage, sideBySide, writePng } from './plot';

const pixel = (png: PNG, x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3));

describe('PNG charts', () => {
  it('loss curves: a valid PNG of the asked size, white background, each series in its palette colour', () => {
    const image = lossCurvesImage(
      [
        { name: 'official', values: [1, 0.8, 0.6, 0.5, 0.45] },
        { name: 'sigreg', values: [1, 0.7, 0.5, 0.4, 0.3] },
      ],
      { width: 320, height: 200 },
    );
    const bytes = encodePng(image);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]); // the PNG signature
    const png = PNG.sync.read(bytes);
    expect([png.width, png.height]).toEqual([320, 200]);
    expect(pixel(png, 319, 199)).toEqual([255, 255, 255]);
    const colours = new Set<string>();
    for (let p = 0; p < png.width * png.height; p++) colours.add(Array.from(png.data.subarray(p * 4, p * 4 + 3)).join());
    expect(colours.has(PALETTE[0].join())).toBe(true);
    expect(colours.has(PALETTE[1].join())).toBe(true);
    // the first point of both curves (step 0, the highest loss) sits at the top-left corner of the plot
    expect([PALETTE[0].join(), PALETTE[1].join()]).toContain(pixel(png, 56, 28).join());
  });

  it('accuracy bars: bar heights follow the values, written to a file', () => {
    const image = accuracyBarsImage(
      [
        { group: 'shape', name: 'untrained', value: 0.5, chance: 0.25 },
        { group: 'shape', name: 'pretrained', value: 1, chance: 0.25 },
        { group: 'direction', name: 'untrained', value: 0.25, chance: 0.125 },
        { group: 'direction', name: 'pretrained', value: 0.75, chance: 0.125 },
      ],
      { width: 400, height: 228 },
    );
    const file = join(mkdtempSync(join(tmpdir(), 'vjepa-plot-')), 'bars.png');
    writePng(image, file);
    const png = PNG.sync.read(readFileSync(file));
    expect([png.width, png.height]).toEqual([400, 228]);
    // plot spans y 28 (100 %) … 200 (0 %); group 'shape' starts at x = 44 + 0.1 · 172 = 61.2, bars 68 px wide
    const [top, bottom] = [28, 200];
    const at = (value: number) => Math.round(bottom - value * (bottom - top));
    const untrainedX = 61 + 34;
    const pretrainedX = 61 + 68 + 34;
    expect(pixel(png, untrainedX, at(0.45))).toEqual([...PALETTE[0]]); // inside the 50 % bar
    expect(pixel(png, untrainedX, at(0.6))).toEqual([255, 255, 255]); // above it
    expect(pixel(png, pretrainedX, at(0.95))).toEqual([...PALETTE[1]]);
    expect(() => accuracyBarsImage([])).toThrow(/bars: expected at least one bar/);
  });

  it('side by side: widths add up, the tallest sets the height, each canvas lands at its offset, the rest is white', () => {
    const solid = (width: number, height: number, value: number) => ({ width, height, rgb: new Uint8Array(width * height * 3).fill(value) });
    const both = sideBySide([solid(64, 80, 10), solid(70, 64, 20)]);
    expect([both.width, both.height]).toEqual([134, 80]);
    const at = (x: number, y: number) => Array.from(both.rgb.subarray((y * both.width + x) * 3, (y * both.width + x) * 3 + 3));
    expect(at(0, 0)).toEqual([10, 10, 10]);
    expect(at(63, 79)).toEqual([10, 10, 10]);
    expect(at(64, 0)).toEqual([20, 20, 20]);
    expect(at(133, 63)).toEqual([20, 20, 20]);
    expect(at(133, 64)).toEqual([255, 255, 255]); // below the shorter one
    expect(() => sideBySide([])).toThrow(/canvases: expected at least one canvas/);
  });
});
