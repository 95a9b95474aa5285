import { describe, expect, it } from 'vitest';
import type { TokenGrid } from './grid';
import { interpolatePosEmbed, interpolatedSize, linearResizeTaps, resizeTrilinear } from './interpolate';
import { sincosPosEmbed3d } from './pos-embed';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
      throw new Error(`entry ${i}: ${actual[i]} differs from ${expected[i]} by more than ${tolerance}`);
    }
  }
}

const grid = (depth: number, height: number, width: number): TokenGrid => ({ depth, height, width });

describe('linearResizeTaps (PyTorch align_corners=False)', () => {
  it('upsamples 2 → 4: src = (dst + 0.5)/2 − 0.5, clamped at 0', () => {
    const taps = linearResizeTaps(2, 4);
    expect(Array.from(taps.index0)).toEqual([0, 0, 0, 1]);
    expect(Array.from(taps.index1)).toEqual([1, 1, 1, 1]);
    // At dst 3, src = 1.25 lies past the last input: both taps are index 1, so the 0.25/0.75 split is harmless.
    expect(Array.from(taps.lambda1)).toEqual([0, 0.25, 0.75, 0.25]);
    expect(Array.from(taps.lambda0)).toEqual([1, 0.75, 0.25, 0.75]);
  });

  it('uses 1/scaleFactor, not in/out, when a scale factor is given (length 3, scale 1.5 → 4)', () => {
    // torch: F.interpolate(arange(3.), scale_factor=1.5, mode='linear') = [0, 0.5, 1.1667, 1.8333];
    // with size=4 instead it would be [0, 0.625, 1.375, 2].
    const mix = (t: ReturnType<typeof linearResizeTaps>) =>
      Array.from(t.index0, (i0, k) => t.lambda0[k] * i0 + t.lambda1[k] * t.index1[k]);
    expectClose(mix(linearResizeTaps(3, 4, 1.5)), [0, 0.5, 7 / 6, 11 / 6], 1e-12);
    expectClose(mix(linearResizeTaps(3, 4)), [0, 0.625, 1.375, 2], 1e-12);
  });

  it('copies an axis whose size does not change', () => {
    const taps = linearResizeTaps(5, 5, 1.0000001);
    expect(Array.from(taps.index0)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(taps.lambda1)).toEqual([0, 0, 0, 0, 0]);
  });

  it('gives PyTorch output sizes floor(in · scale) in float64', () => {
    expect(interpolatedSize(14, 24 / 14)).toBe(24);
    expect(interpolatedSize(3, 1.5)).toBe(4);
    expect(interpolatedSize(14, 61 / 14)).toBe(60);
  });
});

describe('interpolatePosEmbed', () => {
  it('returns an exact copy when the grid is unchanged', () => {
    const table = sincosPosEmbed3d({ dim: 48, gridDepth: 4, gridHeight: 3, gridWidth: 3 });
    const out = interpolatePosEmbed(table, { dim: 48, from: grid(4, 3, 3), to: grid(4, 3, 3) });
    expect(out).toEqual(table);
    expect(out).not.toBe(table);
    // The resize kernel itself is exact at scale 1 too.
    expect(resizeTrilinear(table, { channels: 48, from: grid(4, 3, 3), scaleFactor: [1, 1, 1] }).data).toEqual(table);
  });

  it('grid 1×1×2 → 1×1×4 gives [x0, 0.75x0 + 0.25x1, 0.25x0 + 0.75x1, x1] per channel', () => {
    const table = new Float32Array([1, -2, 5, 6]); // (2 tokens, D=2): x0 = (1, -2), x1 = (5, 6)
    const out = interpolatePosEmbed(table, { dim: 2, from: grid(1, 1, 2), to: grid(1, 1, 4) });
    expect(Array.from(out)).toEqual([1, -2, 2, 0, 4, 4, 5, 6]);
  });

  it('reproduces the PyTorch docs bilinear example (depth 1): [[1,2],[3,4]] → 4×4', () => {
    const out = interpolatePosEmbed(new Float32Array([1, 2, 3, 4]), { dim: 1, from: grid(1, 2, 2), to: grid(1, 4, 4) });
    expect(Array.from(out)).toEqual([1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
  });

  it('downsamples without antialiasing: 4 → 2 averages pairs, 3 → 2 weights 3:1 (each axis)', () => {
    const x = [1, 2, 4, 8];
    const half = [(x[0] + x[1]) / 2, (x[2] + x[3]) / 2];
    for (const [from, to] of [[grid(4, 1, 1), grid(2, 1, 1)], [grid(1, 4, 1), grid(1, 2, 1)], [grid(1, 1, 4), grid(1, 1, 2)]]) {
      expect(Array.from(interpolatePosEmbed(new Float32Array(x), { dim: 1, from, to }))).toEqual(half);
    }
    const y = new Float32Array([1, 2, 4]);
    const out = interpolatePosEmbed(y, { dim: 1, from: grid(1, 3, 1), to: grid(1, 2, 1) });
    expectClose(out, [0.75 * 1 + 0.25 * 2, 0.25 * 2 + 0.75 * 4], 0);
  });

  it.each([
    [grid(2, 3, 4), grid(4, 5, 7)],
    [grid(4, 6, 8), grid(3, 4, 6)],
    [grid(3, 3, 3), grid(5, 2, 7)],
  ])('keeps an affine table affine: %j → %j (interior exact, edges clamped)', (from, to) => {
    // Channel c holds f_c(t, h, w) = a + b·t + c·h + d·w in source grid coordinates.
    const coefficients = [[0.5, 1, -2, 0.25], [-1, 0, 3, 1], [2, -0.5, 0.125, -1.5]];
    const dim = coefficients.length;
    const f = (c: number, t: number, h: number, w: number) => {
      const [a, b, cc, d] = coefficients[c];
      return a + b * t + cc * h + d * w;
    };
    const table = new Float32Array(from.depth * from.height * from.width * dim); // (T', H', W', D)
    let k = 0;
    for (let t = 0; t < from.depth; t++)
      for (let h = 0; h < from.height; h++)
        for (let w = 0; w < from.width; w++) for (let c = 0; c < dim; c++) table[k++] = f(c, t, h, w);

    const out = interpolatePosEmbed(table, { dim, from, to });
    expect(out.length).toBe(to.depth * to.height * to.width * dim);
    // PyTorch's source coordinate (ratio = in/out here, since the scale factor is out/in), clamped to [0, in − 1].
    const src = (dst: number, n: number, m: number) => (n === m ? dst : Math.max(0, (dst + 0.5) * (n / m) - 0.5));
    let interior = 0;
    k = 0;
    for (let t = 0; t < to.depth; t++)
      for (let h = 0; h < to.height; h++)
        for (let w = 0; w < to.width; w++) {
          const st = src(t, from.depth, to.depth);
          const sh = src(h, from.height, to.height);
          const sw = src(w, from.width, to.width);
          const inside = st <= from.depth - 1 && sh <= from.height - 1 && sw <= from.width - 1;
          if (inside) interior++;
          const ct = Math.min(st, from.depth - 1);
          const ch = Math.min(sh, from.height - 1);
          const cw = Math.min(sw, from.width - 1);
          for (let c = 0; c < dim; c++) expect(out[k++]).toBeCloseTo(f(c, ct, ch, cw), 5);
        }
    expect(interior).toBeGreaterThan(0);
  });

  it('224 → 384 px on the ViT-L table: time columns are untouched, layout stays (t, h, w)', () => {
    const dim = 1024;
    const table = sincosPosEmbed3d({ dim, gridDepth: 8, gridHeight: 14, gridWidth: 14 });
    const out = interpolatePosEmbed(table, { dim, from: grid(8, 14, 14), to: grid(8, 24, 24) });
    expect(out.length).toBe(4608 * dim);
    const time = sincosPosEmbed3d({ dim, gridDepth: 8, gridHeight: 1, gridWidth: 1 });
    for (const token of [0, 577, 1234, 4607]) {
      const t = Math.floor(token / 576);
      // Columns 0..341 depend on t only, so a spatial resize must keep them (weights sum to 1).
      expectClose(out.subarray(token * dim, token * dim + 342), time.subarray(t * dim, t * dim + 342), 1e-6);
    }
    // Corner tokens sit at clamped source positions: output (t, 0, 0) = input (t, 0, 0).
    expectClose(out.subarray(0, dim), table.subarray(0, dim), 1e-7);
  });

  it.each([
    [{ to: grid(8, 61, 14) }, 'to.height = 61 cannot be reached from from.height = 14'],
    [{ to: grid(8, 14, 0) }, 'to.width must be a positive integer; received 0'],
    [{ from: { depth: 8, height: 14 } }, 'from.width must be a positive integer; received undefined'],
    [{ dim: 0 }, 'dim must be a positive integer; received 0'],
    [{ dim: 12 }, 'table must hold N·D = 1568·12 = 18816 values for grid 8×14×14; received 1568'],
  ])('rejects %j', (override, message) => {
    const options = { dim: 1, from: grid(8, 14, 14), to: grid(8, 14, 14), ...override };
    const call = () => interpolatePosEmbed(new Float32Array(1568), options as never);
    expect(call).toThrow(message);
    expect(call).toThrow(/^interpolatePosEmbed: /);
  });

  it('rejects a bad table type and bad scale factors in resizeTrilinear', () => {
    expect(() => interpolatePosEmbed([1, 2] as never, { dim: 1, from: grid(1, 1, 2), to: grid(1, 1, 2) })).toThrow(
      'interpolatePosEmbed: table must be a Float32Array or Float64Array; received [1,2]',
    );
    const input = new Float32Array(4);
    expect(() => resizeTrilinear(input, { channels: 1, from: grid(1, 2, 2), scaleFactor: [1, 0, 1] })).toThrow(
      'resizeTrilinear: scaleFactor[1] must be a positive finite number; received 0',
    );
    expect(() => resizeTrilinear(input, { channels: 1, from: grid(1, 2, 2), scaleFactor: [1, 0.25, 1] })).toThrow(
      'every axis needs at least one position',
    );
  });
});
