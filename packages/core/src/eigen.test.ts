import { describe, expect, it } from 'vitest';
import { symmetricEigen } from './eigen';
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
