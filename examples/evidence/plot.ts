/**
 * PNG charts of an evidence run without a plotting library: loss curves and accuracy bars drawn on an RGB
 * raster with a 3 × 5 pixel font, encoded by pngjs.
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

/** An RGB raster, row-major, 3 bytes a pixel. */
export interface Canvas {
  width: number;
  height: number;
  rgb: Uint8Array;
}

type Rgb = readonly [number, number, number];

/** Colours of series and bars, in order (the Tableau 10 palette). */
export const PALETTE: readonly Rgb[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];
const BLACK: Rgb = [0, 0, 0];
const GREY: Rgb = [200, 200, 200];

function canvas(width: number, height: number): Canvas {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 64 || height < 64) throw new Error(`width, height: expected integers ≥ 64, received ${width}, ${height}`);
  return { width, height, rgb: new Uint8Array(width * height * 3).fill(255) };
}

function set(c: Canvas, x: number, y: number, colour: Rgb): void {
  const [px, py] = [Math.round(x), Math.round(y)];
  if (px < 0 || py < 0 || px >= c.width || py >= c.height) return;
  c.rgb.set(colour, (py * c.width + px) * 3);
}

function rect(c: Canvas, x0: number, y0: number, x1: number, y1: number, colour: Rgb): void {
  for (let y = Math.round(Math.min(y0, y1)); y <= Math.round(Math.max(y0, y1)); y++) {
    for (let x = Math.round(Math.min(x0, x1)); x <= Math.round(Math.max(x0, x1)); x++) set(c, x, y, colour);
  }
}

/** A line `thickness` pixels wide (square brush), every `dash` pixels on and off when dashed. */
function line(c: Canvas, x0: number, y0: number, x1: number, y1: number, colour: Rgb, thickness = 1, dash = 0): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  const r = (thickness - 1) / 2;
  for (let k = 0; k <= steps; k++) {
    if (dash > 0 && Math.floor(k / dash) % 2 === 1) continue;
    const x = x0 + ((x1 - x0) * k) / steps;
    const y = y0 + ((y1 - y0) * k) / steps;
    rect(c, x - r, y - r, x + r, y + r, colour);
  }
}

// 3 × 5 glyphs, one string of 15 bits per glyph (rows top to bottom, 3 columns each); lower case is drawn as upper case.
const GLYPHS: Record<string, string> = {
  '0': '111101101101111', '1': '010110010010111', '2': '111001111100111', '3': '111001111001111', '4': '101101111001001',
  '5': '111100111001111', '6': '111100111101111', '7': '111001010010010', '8': '111101111101111', '9': '111101111001111',
  A: '010101111101101', B: '110101110101110', C: '011100100100011', D: '110101101101110', E: '111100110100111',
  F: '111100110100100', G: '011100101101011', H: '101101111101101', I: '111010010010111', J: '001001001101010',
  K: '101101110101101', L: '100100100100111', M: '101111111101101', N: '110101101101101', O: '010101101101010',
  P: '110101110100100', Q: '010101101110011', R: '110101110101101', S: '011100010001110', T: '111010010010010',
  U: '101101101101111', V: '101101101101010', W: '101101111111101', X: '101101010101101', Y: '101101010010010',
  Z: '111001010100111', ' ': '000000000000000', '.': '000000000000010', ',': '000000000010100', '-': '000000111000000',
  '+': '000010111010000', '%': '101001010100101', ':': '000010000010000', '/': '001001010100100', '(': '010100100100010',
  ')': '010001001001010', '_': '000000000000111', '=': '000111000111000', '±': '010111010000111', '→': '000001111001000',
};

/** Draws `text` with its top-left corner at (x, y), each font pixel `scale` pixels wide; returns the width drawn. */
function text(c: Canvas, x: number, y: number, value: string, colour: Rgb = BLACK, scale = 2): number {
  let cursor = x;
  for (const ch of value) {
    const glyph = GLYPHS[ch.toUpperCase()] ?? GLYPHS[' '];
    for (let k = 0; k < 15; k++) {
      if (glyph[k] === '1') rect(c, cursor + (k % 3) * scale, y + Math.floor(k / 3) * scale, cursor + (k % 3) * scale + scale - 1, y + Math.floor(k / 3) * scale + scale - 1, colour);
    }
    cursor += 4 * scale;
  }
  return cursor - x;
}

/** Width in pixels of `value` in the font at `scale`. */
const textWidth = (value: string, scale = 2) => [...value].length * 4 * scale;

/** A compact number for axis labels. */
const label = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(2));

/** A colour key: a square and the name per entry, stacked at the top right inside the plot. */
function legend(c: Canvas, names: string[], right: number, top: number): void {
  const width = Math.max(...names.map((n) => textWidth(n))) + 18;
  names.forEach((name, k) => {
    const y = top + 6 + k * 14;
    rect(c, right - width, y, right - width + 9, y + 9, PALETTE[k % PALETTE.length]);
    text(c, right - width + 14, y, name);
  });
}

/** One loss curve: its values at steps 0, 1, … (or at `steps`). */
export interface Series {
  name: string;
  values: number[];
  steps?: number[];
}

/** Loss curves of several runs on shared axes, with a legend and the step and loss ranges labelled. */
export function lossCurvesImage(series: Series[], options: { width?: number; height?: number; title?: string } = {}): Canvas {
  const c = canvas(options.width ?? 640, options.height ?? 360);
  const drawn = series.filter((s) => s.values.length > 0);
  if (!drawn.length) throw new Error('series: expected at least one curve with values, received none');
  const [left, right, top, bottom] = [56, c.width - 12, 28, c.height - 28];
  const xs = drawn.flatMap((s) => s.steps ?? s.values.map((_, k) => k));
  const ys = drawn.flatMap((s) => s.values).filter(Number.isFinite);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  let [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  if (yMax === yMin) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const px = (x: number) => left + ((x - xMin) / (xMax - xMin)) * (right - left);
  const py = (y: number) => bottom - ((y - yMin) / (yMax - yMin)) * (bottom - top);
  for (let k = 0; k <= 4; k++) {
    const y = yMin + ((yMax - yMin) * k) / 4;
    line(c, left, py(y), right, py(y), GREY);
    text(c, 4, py(y) - 5, label(y));
  }
  line(c, left, top, left, bottom, BLACK);
  line(c, left, bottom, right, bottom, BLACK);
  text(c, left, bottom + 8, label(xMin));
  text(c, right - textWidth(label(xMax)), bottom + 8, label(xMax));
  text(c, (left + right) / 2 - textWidth('step') / 2, bottom + 8, 'step');
  text(c, left, 8, options.title ?? 'pretraining loss');
  drawn.forEach((s, index) => {
    const colour = PALETTE[index % PALETTE.length];
    const steps = s.steps ?? s.values.map((_, k) => k);
    for (let k = 1; k < s.values.length; k++) line(c, px(steps[k - 1]), py(s.values[k - 1]), px(steps[k]), py(s.values[k]), colour, 2);
  });
  legend(c, drawn.map((s) => s.name), right - 4, top);
  return c;
}

/** One bar: the top-1 (0…1) of an encoder (`name`) on a task (`group`), with the task's chance level. */
export interface Bar {
  group: string;
  name: string;
  value: number;
  chance?: number;
}

/** Grouped bars: one group per task, one coloured bar per encoder, values printed on top, chance dashed. */
export function accuracyBarsImage(bars: Bar[], options: { width?: number; height?: number; title?: string } = {}): Canvas {
  if (!bars.length) throw new Error('bars: expected at least one bar, received none');
  const c = canvas(options.width ?? 640, options.height ?? 360);
  const groups = [...new Set(bars.map((b) => b.group))];
  const names = [...new Set(bars.map((b) => b.name))];
  const [left, right, top, bottom] = [44, c.width - 12, 28, c.height - 28];
  const py = (v: number) => bottom - v * (bottom - top);
  for (let k = 0; k <= 4; k++) {
    line(c, left, py(k / 4), right, py(k / 4), GREY);
    text(c, 4, py(k / 4) - 5, `${k * 25}%`);
  }
  line(c, left, top, left, bottom, BLACK);
  line(c, left, bottom, right, bottom, BLACK);
  text(c, left, 8, options.title ?? 'top-1 on frozen features');
  const groupWidth = (right - left) / groups.length;
  const barWidth = Math.max(4, Math.floor((groupWidth * 0.8) / names.length));
  groups.forEach((group, g) => {
    const x0 = left + g * groupWidth + groupWidth * 0.1;
    text(c, left + g * groupWidth + groupWidth / 2 - textWidth(group) / 2, bottom + 8, group);
    for (const bar of bars.filter((b) => b.group === group)) {
      const k = names.indexOf(bar.name);
      const x = x0 + k * barWidth;
      const value = Math.min(1, Math.max(0, bar.value));
      rect(c, x + 1, py(value), x + barWidth - 2, bottom - 1, PALETTE[k % PALETTE.length]);
      const figure = (100 * bar.value).toFixed(0);
      text(c, x + barWidth / 2 - textWidth(figure, 1) / 2, py(value) - 8, figure, BLACK, 1);
    }
    const chance = bars.find((b) => b.group === group && b.chance !== undefined)?.chance;
    if (chance !== undefined) line(c, x0, py(chance), x0 + names.length * barWidth, py(chance), BLACK, 1, 4);
  });
  legend(c, names, right - 4, top);
  return c;
}

/** Canvases placed left to right on one white canvas, top-aligned (its height is the tallest one's). */
export function sideBySide(canvases: Canvas[]): Canvas {
  if (!canvases.length) throw new Error('canvases: expected at least one canvas, received none');
  const out = canvas(canvases.reduce((w, c) => w + c.width, 0), Math.max(...canvases.map((c) => c.height)));
  let x0 = 0;
  for (const c of canvases) {
    for (let y = 0; y < c.height; y++) out.rgb.set(c.rgb.subarray(y * c.width * 3, (y + 1) * c.width * 3), (y * out.width + x0) * 3);
    x0 += c.width;
  }
  return out;
}

/** The PNG bytes of a canvas (8-bit RGBA, opaque). */
export function encodePng(c: Canvas): Buffer {
  const png = new PNG({ width: c.width, height: c.height });
  for (let p = 0; p < c.width * c.height; p++) {
    png.data[p * 4] = c.rgb[p * 3];
    png.data[p * 4 + 1] = c.rgb[p * 3 + 1];
    png.data[p * 4 + 2] = c.rgb[p * 3 + 2];
    png.data[p * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

/** Writes a canvas to `file` as PNG. */
export function writePng(c: Canvas, file: string): void {
  writeFileSync(file, encodePng(c));
}
