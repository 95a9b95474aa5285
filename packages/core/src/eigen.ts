/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations, in float64: what PCA
 * whitening of D ≤ ~1024 feature channels needs, with no linear-algebra dependency.
 *
 * @packageDocumentation
 */
import { fail } from './errors';

/** Eigenvalues (descending) and unit eigenvectors (columns of the row-major `n × n` `vectors`). */
export interface SymmetricEigen {
  values: Float64Array;
  /** `vectors[i * n + k]` is component i of eigenvector k; each column's largest-magnitude entry is positive. */
  vectors: Float64Array;
}

/**
 * Eigenvalues and eigenvectors of the symmetric row-major `n × n` `matrix`, sorted by decreasing
 * eigenvalue, with a deterministic sign per eigenvector (its largest-magnitude component positive, the
 * first such on ties), so the same matrix always gives the same transform.
 */
export function symmetricEigen(matrix: Float64Array, n: number, maxSweeps = 50): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1 || matrix.length !== n * n) fail('matrix', `a symmetric ${n} × ${n} matrix (${n * n} values)`, matrix.length);
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += a[i] * a[i];
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off <= 1e-30 * scale || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, k) => k).sort((x, y) => a[y * n + y] - a[x * n + x]);
  const values = Float64Array.from(order, (k) => a[k * n + k]);
  const vectors = new Float64Array(n * n);
  order.forEach((source, k) => {
    let best = 0;
    for (let i = 1; i < n; i++) if (Math.abs(v[i * n + source]) > Math.abs(v[best * n + source]) + 1e-12) best = i;
    const sign = v[best * n + source] < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) vectors[i * n + k] = sign * v[i * n + source];
  });
  return { values, vectors };
}
