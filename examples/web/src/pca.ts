/**
 * The usual picture of self-supervised features: the first three principal components of the patch
 * features, each scaled to 0–255, as the red, green and blue of the token. Plain float64 arithmetic on the
 * host (D is at most a few thousand), deterministic: each component's sign is fixed so that its largest
 * entry is positive.
 */

/** Principal components of `rows` vectors of size `dim` (row-major `data`), by power iteration with deflation. */
export function principalComponents(data: Float32Array, rows: number, dim: number, count: number, iterations = 200): Float64Array[] {
  if (data.length !== rows * dim) throw new Error(`data: expected ${rows} × ${dim} = ${rows * dim} values, received ${data.length}`);
  const mean = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let d = 0; d < dim; d++) mean[d] += data[r * dim + d] / rows;
  // covariance [dim, dim] of the centred rows
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < dim; d++) centred[d] = data[r * dim + d] - mean[d];
    for (let i = 0; i < dim; i++) {
      const ci = centred[i];
      if (ci === 0) continue;
      for (let j = i; j < dim; j++) cov[i * dim + j] += ci * centred[j];
    }
  }
  for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) cov[i * dim + j] = cov[j * dim + i];
  const components: Float64Array[] = [];
  for (let c = 0; c < count; c++) {
    // a fixed start vector keeps the result deterministic
    let v = new Float64Array(dim).map((_, i) => 1 + ((i * 7919 + c * 104729) % 13) / 13);
    for (let it = 0; it < iterations; it++) {
      const next = new Float64Array(dim);
      for (let i = 0; i < dim; i++) {
        let sum = 0;
        for (let j = 0; j < dim; j++) sum += cov[i * dim + j] * v[j];
        next[i] = sum;
      }
      for (const previous of components) {
        const dot = next.reduce((acc, x, i) => acc + x * previous[i], 0);
        for (let i = 0; i < dim; i++) next[i] -= dot * previous[i];
      }
      const norm = Math.hypot(...next);
      if (norm === 0) break;
      v = next.map((x) => x / norm);
    }
    let largest = 0;
    for (let i = 1; i < dim; i++) if (Math.abs(v[i]) > Math.abs(v[largest])) largest = i;
    if (v[largest] < 0) v = v.map((x) => -x);
    components.push(v);
  }
  return components;
}

/** RGB bytes per row (`rows · 3`): the projections on the first three components, min–max scaled to 0–255. */
export function pcaToRgb(data: Float32Array, rows: number, dim: number): Uint8ClampedArray {
  const components = principalComponents(data, rows, dim, 3);
  const out = new Uint8ClampedArray(rows * 3);
  components.forEach((component, channel) => {
    const projected = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += data[r * dim + d] * component[d];
      projected[r] = sum;
    }
    let low = Infinity;
    let high = -Infinity;
    for (const x of projected) {
      low = Math.min(low, x);
      high = Math.max(high, x);
    }
    const scale = high > low ? 255 / (high - low) : 0;
    for (let r = 0; r < rows; r++) out[r * 3 + channel] = Math.round((projected[r] - low) * scale);
  });
  return out;
}

/** The L2 norm of each row. */
export function rowNorms(data: Float32Array, rows: number, dim: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += data[r * dim + d] ** 2;
    out[r] = Math.sqrt(sum);
  }
  return out;
}

// Stops of the viridis colour map (matplotlib), interpolated linearly.
const VIRIDIS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** RGB bytes per value: viridis of the value min–max scaled over `values`. */
export function viridis(values: Float64Array): Uint8ClampedArray {
  let low = Infinity;
  let high = -Infinity;
  for (const x of values) {
    low = Math.min(low, x);
    high = Math.max(high, x);
  }
  const out = new Uint8ClampedArray(values.length * 3);
  values.forEach((x, i) => {
    const t = high > low ? ((x - low) / (high - low)) * (VIRIDIS.length - 1) : 0;
    const k = Math.min(Math.floor(t), VIRIDIS.length - 2);
    const f = t - k;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(VIRIDIS[k][c] * (1 - f) + VIRIDIS[k + 1][c] * f);
  });
  return out;
}
