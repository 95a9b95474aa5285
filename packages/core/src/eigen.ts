/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations, in float64: what PCA
 * whitening of D ≤ ~1024 feature channels needs, with no linear-algebra dependency.
 *
 * @packageDocumentation
 */
import { fail } from '@vjepa/base';

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
    for (let i = 0; i < n; i++) vectors[i * n + k] = v[i * n + source];
  });
  return { values, vectors: withFixedSigns(vectors, n, n) };
}

/**
 * Flips, in place, each column of the row-major `rows × cols` `vectors` whose largest-magnitude entry (the
 * first such on ties) is negative, so that the same matrix always gives the same eigenvectors.
 */
function withFixedSigns(vectors: Float64Array, rows: number, cols: number): Float64Array {
  for (let k = 0; k < cols; k++) {
    let best = 0;
    for (let i = 1; i < rows; i++) if (Math.abs(vectors[i * cols + k]) > Math.abs(vectors[best * cols + k]) + 1e-12) best = i;
    if (vectors[best * cols + k] < 0) for (let i = 0; i < rows; i++) vectors[i * cols + k] = -vectors[i * cols + k];
  }
  return vectors;
}

/** Options of {@link leadingEigen}. */
export interface LeadingEigenOptions {
  /** Extra columns iterated beside the `k` asked for, which speeds convergence (default min(16, n − k)). */
  oversample?: number;
  /** Block power iterations before the Rayleigh–Ritz step (default 40). */
  iterations?: number;
  /** Seed of the random starting block (default 0). */
  seed?: number;
}

/**
 * The `k` leading eigenpairs of the symmetric positive semi-definite row-major `n × n` `matrix`, for `n`
 * too large for {@link symmetricEigen} (a covariance of 1,536 raw-pixel channels): block power iteration
 * on `k + oversample` orthonormalised columns, then the exact eigen-decomposition of the matrix projected
 * on that subspace (Rayleigh–Ritz). The vectors are orthonormal and the values are the projected matrix's,
 * so whitening with them makes the projected data's covariance exactly the identity; how close the
 * subspace is to the true leading one depends on the spectrum's gaps and the iterations. Values descending,
 * `vectors` row-major `n × k` (column j = eigenvector j), each column's largest-magnitude entry positive.
 */
export function leadingEigen(matrix: Float64Array, n: number, k: number, options: LeadingEigenOptions = {}): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1 || matrix.length !== n * n) fail('matrix', `a symmetric ${n} × ${n} matrix (${n * n} values)`, matrix.length);
  if (!Number.isInteger(k) || k < 1 || k > n) fail('k', `an integer in [1, ${n}]`, k);
  const oversample = options.oversample ?? Math.min(16, n - k);
  const iterations = options.iterations ?? 40;
  if (!Number.isInteger(oversample) || oversample < 0 || k + oversample > n) fail('oversample', `an integer in [0, ${n - k}]`, oversample);
  if (!Number.isInteger(iterations) || iterations < 0) fail('iterations', 'an integer ≥ 0', iterations);
  const m = k + oversample;
  // the block Q, column-major: q[j * n + i] is entry i of column j
  let q: Float64Array = new Float64Array(n * m);
  let state = ((options.seed ?? 0) >>> 0) ^ 0x9e3779b9;
  for (let i = 0; i < q.length; i++) {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    q[i] = state / 2 ** 32 - 0.5;
  }
  const multiply = (block: Float64Array): Float64Array => {
    const out = new Float64Array(n * m);
    for (let j = 0; j < m; j++) {
      const column = block.subarray(j * n, (j + 1) * n);
      for (let i = 0; i < n; i++) {
        const row = matrix.subarray(i * n, (i + 1) * n);
        let sum = 0;
        for (let l = 0; l < n; l++) sum += row[l] * column[l];
        out[j * n + i] = sum;
      }
    }
    return out;
  };
  // modified Gram–Schmidt, twice for stability; a column that vanishes is replaced by a unit vector orthogonal to the others
  const orthonormalise = (block: Float64Array): void => {
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0, replaced = 0; j < m; j++) {
        const column = block.subarray(j * n, (j + 1) * n);
        let before = 0;
        for (let i = 0; i < n; i++) before += column[i] * column[i];
        for (let p = 0; p < j; p++) {
          const previous = block.subarray(p * n, (p + 1) * n);
          let dot = 0;
          for (let i = 0; i < n; i++) dot += previous[i] * column[i];
          for (let i = 0; i < n; i++) column[i] -= dot * previous[i];
        }
        let norm = 0;
        for (let i = 0; i < n; i++) norm += column[i] * column[i];
        norm = Math.sqrt(norm);
        if ((norm <= 1e-10 * Math.sqrt(before) || norm < 1e-150) && replaced < n) {
          // the column lies in the span of the earlier ones: try unit vectors until one does not
          column.fill(0);
          column[(j + replaced++) % n] = 1;
          j--;
          continue;
        }
        for (let i = 0; i < n; i++) column[i] /= norm;
      }
    }
  };
  orthonormalise(q);
  for (let t = 0; t < iterations; t++) {
    q = multiply(q);
    orthonormalise(q);
  }
  // Rayleigh–Ritz: B = Qᵀ A Q (m × m), B = W Θ Wᵀ, eigenvectors Q W
  const aq = multiply(q);
  const b = new Float64Array(m * m);
  for (let r = 0; r < m; r++) {
    for (let c = r; c < m; c++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += q[r * n + i] * aq[c * n + i];
      b[r * m + c] = b[c * m + r] = sum;
    }
  }
  const small = symmetricEigen(b, m);
  const values = small.values.slice(0, k);
  const vectors = new Float64Array(n * k);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let r = 0; r < m; r++) sum += q[r * n + i] * small.vectors[r * m + j];
      vectors[i * k + j] = sum;
    }
  }
  return { values, vectors: withFixedSigns(vectors, n, k) };
}
