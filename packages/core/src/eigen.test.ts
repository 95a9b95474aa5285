import { describe, expect, it } from 'vitest';
import { leadingEigen, symmetricEigen } from './eigen';
import { RandomStream } from './random';

const r2 = Math.SQRT2;

describe('symmetricEigen', () => {
  it('decomposes the hand case: eigenvalues 4, 1; eigenvectors (1, 1)/√2, (1, −1)/√2 with positive leading entries', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2.5, 1.5, 1.5, 2.5]), 2);
    expect(values[0]).toBeCloseTo(4, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    [1 / r2, 1 / r2, 1 / r2, -1 / r2].forEach((v, i) => expect(vectors[i]).toBeCloseTo(v, 12)); // column k = eigenvector k
  });

  it('reconstructs a random symmetric 12 × 12 matrix as V Λ Vᵀ with orthonormal V', () => {
    const n = 12;
    const rng = new RandomStream(3);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.normal();
    const { values, vectors } = symmetricEigen(a, n);
    for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rebuilt = 0;
        let gram = 0;
        for (let k = 0; k < n; k++) {
          rebuilt += vectors[i * n + k] * values[k] * vectors[j * n + k];
          gram += vectors[k * n + i] * vectors[k * n + j];
        }
        expect(rebuilt).toBeCloseTo(a[i * n + j], 10);
        expect(gram).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });
});

describe('leadingEigen', () => {
  /** A random covariance-like n × n matrix U diag(spectrum) Uᵀ with a known spectrum. */
  function withSpectrum(spectrum: number[], seed: number): Float64Array {
    const n = spectrum.length;
    const rng = new RandomStream(seed);
    const g = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) g[i] = rng.normal();
    const { vectors: u } = symmetricEigen(Float64Array.from({ length: n * n }, (_, i) => g[i] + g[(i % n) * n + Math.floor(i / n)]), n);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += u[i * n + k] * spectrum[k] * u[j * n + k];
    return a;
  }

  it('finds the leading eigenpairs of a 40 × 40 matrix as the full decomposition does (vectors up to their fixed sign)', () => {
    const n = 40;
    const spectrum = Array.from({ length: n }, (_, k) => 100 * 0.8 ** k);
    const a = withSpectrum(spectrum, 5);
    const full = symmetricEigen(a, n);
    const top = leadingEigen(a, n, 6);
    expect(top.values.length).toBe(6);
    expect(top.vectors.length).toBe(n * 6);
    for (let j = 0; j < 6; j++) {
      expect(top.values[j]).toBeCloseTo(spectrum[j], 6);
      for (let i = 0; i < n; i++) expect(top.vectors[i * 6 + j]).toBeCloseTo(full.vectors[i * n + j], 6);
    }
  });

  it('k = n with no oversampling is the exact decomposition; a rank-deficient matrix still gives orthonormal columns', () => {
    const hand = leadingEigen(Float64Array.from([2.5, 1.5, 1.5, 2.5]), 2, 2);
    expect(hand.values[0]).toBeCloseTo(4, 10);
    expect(hand.values[1]).toBeCloseTo(1, 10);
    [1 / r2, 1 / r2, 1 / r2, -1 / r2].forEach((v, i) => expect(hand.vectors[i]).toBeCloseTo(v, 10));
    const n = 10;
    const rankOne = Float64Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) + 1) * ((i % n) + 1)); // v vᵀ, v = 1…10
    const { values, vectors } = leadingEigen(rankOne, n, 4);
    expect(values[0]).toBeCloseTo(385, 8); // |v|²
    for (let j = 1; j < 4; j++) expect(Math.abs(values[j])).toBeLessThan(1e-8);
    for (let p = 0; p < 4; p++) {
      for (let q = 0; q < 4; q++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vectors[i * 4 + p] * vectors[i * 4 + q];
        expect(dot).toBeCloseTo(p === q ? 1 : 0, 10);
      }
    }
  });

  it('names the argument it refuses', () => {
    expect(() => leadingEigen(new Float64Array(9), 3, 4)).toThrow(/k: expected an integer in \[1, 3\]/);
    expect(() => leadingEigen(new Float64Array(8), 3, 1)).toThrow(/matrix: expected a symmetric 3 × 3 matrix/);
    expect(() => leadingEigen(new Float64Array(9), 3, 2, { oversample: 2 })).toThrow(/oversample: expected an integer in \[0, 1\]/);
  });
});
