import { describe, expect, it } from 'vitest';
import { pcaToRgb, principalComponents, rowNorms, viridis } from './pca';

describe('principal components', () => {
  it('finds the axes of a cloud stretched along known directions, with fixed signs', () => {
    // points x·(1, 1, 0)/√2·3 + y·(1, −1, 0)/√2 + z·(0, 0, 1)·0.1 on a grid: variances 9 : 1 : 0.01
    const rows: number[] = [];
    for (const x of [-1, 0, 1]) for (const y of [-1, 0, 1]) for (const z of [-1, 1]) {
      rows.push((3 * x + y) / Math.SQRT2, (3 * x - y) / Math.SQRT2, 0.1 * z);
    }
    const [first, second, third] = principalComponents(new Float32Array(rows), 18, 3, 3);
    const close = (v: Float64Array, expected: number[]) => expected.forEach((e, i) => expect(v[i]).toBeCloseTo(e, 5));
    close(first, [Math.SQRT1_2, Math.SQRT1_2, 0]);
    close(second, [Math.SQRT1_2, -Math.SQRT1_2, 0]);
    close(third, [0, 0, 1]);
  });

  it('maps the projections to 0–255 per channel', () => {
    // uncorrelated spreads: d0 = 0, 2, 4, 6 (variance 5) is the first component, d1 = 1, −1, −1, 1 the second
    const data = new Float32Array([0, 1, 0, 2, -1, 0, 4, -1, 0, 6, 1, 0]);
    const rgb = pcaToRgb(data, 4, 3);
    expect(Array.from(rgb.filter((_, i) => i % 3 === 0))).toEqual([0, 85, 170, 255]);
    expect(Array.from(rgb.filter((_, i) => i % 3 === 1))).toEqual([255, 0, 0, 255]);
  });

  it('refuses data of the wrong size', () => {
    expect(() => principalComponents(new Float32Array(5), 2, 3, 1)).toThrow('data: expected 2 × 3 = 6 values, received 5');
  });
});

describe('norms and colours', () => {
  it('computes row norms and viridis ends', () => {
    expect(Array.from(rowNorms(new Float32Array([3, 4, 0, 0, 1, 0]), 3, 2))).toEqual([5, 0, 1]);
    expect(Array.from(viridis(new Float64Array([0, 1, 0.5])))).toEqual([68, 1, 84, 253, 231, 37, 33, 145, 140]);
  });
});
