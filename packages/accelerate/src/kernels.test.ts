import { describe, expect, it } from 'vitest';
import { loadNativeKernels } from './load';
import { Heap, values } from './heap.test-util';

// Each kernel of the addon, called directly on a Uint8Array as the wasm backend's heap, against a plain
// JavaScript loop, on small awkward shapes (one row, one column, padded strides, odd widths). The
// element-wise kernels round once per float32 operation (built with -ffp-contract=off), so the loops
// round the same way with Math.fround and must agree exactly; products and sums agree to float32 error.

const { kernels } = loadNativeKernels();
const f = Math.fround;

/** Asserts `actual` within `tolerance` of `expected`, relative to the largest magnitude (at least 1). */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0; // the element furthest off (one assertion: these arrays reach 10⁵ elements)
  for (let i = 0; i < expected.length; i++) if (!(Math.abs(actual[i] - expected[i]) <= Math.abs(actual[worst] - expected[worst]))) worst = i;
  expect(Math.abs(actual[worst] - expected[worst]) / scale, `element ${worst}: ${actual[worst]} vs ${expected[worst]}`).toBeLessThanOrEqual(tolerance);
}

/** erf in double: its series below 3, the continued fraction of erfc above (error < 1e-13 here). */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * sum * (2 / Math.sqrt(Math.PI));
  }
  let fraction = a;
  for (let n = 60; n >= 1; n--) fraction = a + n / 2 / fraction;
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / fraction);
}

/** Row-major `op(A)[i, p]` of an operand with leading dimension `ld`. */
const at = (a: ArrayLike<number>, trans: boolean, ld: number, i: number, p: number) => (trans ? a[p * ld + i] : a[i * ld + p]);

if (kernels !== null) describe('the addon’s kernels against plain loops', () => {
  const k = kernels;

  // The larger cases cross the built-in GEMM's blocking (packed depth 256, row blocks of 8 tiles, column
  // blocks of 64 tiles, tiles up to 12 × 32) at partial tiles; β = 0 must not read C (NaN there).
  it.each([
    [3, 4, 5, false, false, 1, 0],
    [2, 3, 1, true, false, 0.5, 2],
    [1, 1, 7, false, true, 1, 1],
    [4, 2, 3, true, true, -1.5, 0.25],
    [5, 1, 2, false, false, 2, 0],
    [100, 70, 300, false, true, 0.7, 0],
    [13, 2100, 257, true, false, 1, 1],
    [97, 33, 513, true, true, 1, 0.5],
    [200, 17, 40, false, false, -1, 0],
  ])('gemm m %i n %i k %i (transA %s, transB %s, α %d, β %d) with padded rows', (m, n, kk, ta, tb, alpha, beta) => {
    const heap = new Heap(1 << 24);
    const [lda, ldb, ldc] = [(ta ? m : kk) + 2, (tb ? kk : n) + 1, n + 3];
    const a = values((ta ? kk : m) * lda, 1);
    const b = values((tb ? n : kk) * ldb, 2);
    const c = values(m * ldc, 3);
    if (beta === 0) for (let i = 0; i < m; i++) c.fill(Number.NaN, i * ldc, i * ldc + n);
    const [ao, bo, co] = [heap.put(a), heap.put(b), heap.put(c)];
    k.gemm(heap.mem, +ta, +tb, m, n, kk, alpha, ao, lda, bo, ldb, beta, co, ldc);
    const expected = Float32Array.from(c);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < kk; p++) sum += at(a, ta, lda, i, p) * at(b, tb, ldb, p, j);
        expected[i * ldc + j] = alpha * sum + (beta === 0 ? 0 : beta * c[i * ldc + j]);
      }
    }
    expectClose(heap.read(co, m * ldc), expected, kk > 64 ? 2e-6 : 1e-6); // the padding between rows untouched; long sums round more
  });

  it('gemm with k = 0 scales C by β (and zeroes it for β = 0)', () => {
    for (const beta of [0, 3]) {
      const heap = new Heap();
      const c = values(6, 4);
      const co = heap.put(c);
      k.gemm(heap.mem, 0, 0, 2, 3, 0, 1, heap.alloc(0), 1, heap.alloc(0), 3, beta, co, 3);
      expect(heap.read(co, 6)).toEqual(c.map((x) => (beta === 0 ? 0 : f(beta * x))));
    }
  });

  it.each([
    [3, 5, 2, true],
    [1, 1, 4, false],
    [7, 3, 1, true],
  ])('linearForward and linearBackward [%i, %i] → %i (bias %s)', (m, inF, outF, bias) => {
    const heap = new Heap();
    const [x, w, b, dy] = [values(m * inF, 5), values(outF * inF, 6), values(outF, 7), values(m * outF, 8)];
    const [xo, wo, bo, dyo] = [heap.put(x), heap.put(w), bias ? heap.put(b) : -1, heap.put(dy)];
    const [y, dx, dw, db] = [heap.alloc(m * outF), heap.alloc(m * inF), heap.alloc(outF * inF), bias ? heap.alloc(outF) : -1];
    k.linearForward(heap.mem, xo, wo, bo, y, m, inF, outF);
    k.linearBackward(heap.mem, dyo, xo, wo, dx, dw, db, m, inF, outF);
    const sum = (n: number, term: (i: number) => number) => Array.from({ length: n }, (_, i) => term(i)).reduce((s, t) => s + t, 0);
    const yRef = Array.from({ length: m * outF }, (_, e) => {
      const [i, o] = [Math.floor(e / outF), e % outF];
      return sum(inF, (p) => x[i * inF + p] * w[o * inF + p]) + (bias ? b[o] : 0);
    });
    const dxRef = Array.from({ length: m * inF }, (_, e) => sum(outF, (o) => dy[Math.floor(e / inF) * outF + o] * w[o * inF + (e % inF)]));
    const dwRef = Array.from({ length: outF * inF }, (_, e) => sum(m, (i) => dy[i * outF + Math.floor(e / inF)] * x[i * inF + (e % inF)]));
    expectClose(heap.read(y, m * outF), yRef, 1e-6);
    expectClose(heap.read(dx, m * inF), dxRef, 1e-6);
    expectClose(heap.read(dw, outF * inF), dwRef, 1e-6);
    if (bias) expectClose(heap.read(db, outF), Array.from({ length: outF }, (_, o) => sum(m, (i) => dy[i * outF + o])), 1e-6);
  });

  it.each([
    [3, 7, true],
    [2, 5, false],
    [4, 1, true],
    [1, 192, false],
  ])('layerNormForward and layerNormBackward of %i rows of %i (affine %s)', (rows, d, affine) => {
    const heap = new Heap();
    const eps = 1e-5;
    const [x, w, b, dy] = [values(rows * d, 9, 3), values(d, 10), values(d, 11), values(rows * d, 12)];
    const [xo, wo, bo, dyo] = [heap.put(x), affine ? heap.put(w) : -1, affine ? heap.put(b) : -1, heap.put(dy)];
    const [y, dx, dw, db] = [heap.alloc(rows * d), heap.alloc(rows * d), affine ? heap.alloc(d) : -1, affine ? heap.alloc(d) : -1];
    k.layerNormForward(heap.mem, xo, wo, bo, y, rows, d, eps);
    k.layerNormBackward(heap.mem, dyo, xo, wo, dx, dw, db, rows, d, eps);
    const [yRef, dxRef, dwRef, dbRef] = [new Float64Array(rows * d), new Float64Array(rows * d), new Float64Array(d), new Float64Array(d)];
    for (let r = 0; r < rows; r++) {
      const row = Array.from(x.subarray(r * d, (r + 1) * d));
      const mean = row.reduce((s, v) => s + v, 0) / d;
      const rstd = 1 / Math.sqrt(row.reduce((s, v) => s + (v - mean) ** 2, 0) / d + eps);
      const xhat = row.map((v) => (v - mean) * rstd);
      const g = xhat.map((_, j) => dy[r * d + j] * (affine ? w[j] : 1));
      const meanG = g.reduce((s, v) => s + v, 0) / d;
      const meanGX = g.reduce((s, v, j) => s + v * xhat[j], 0) / d;
      for (let j = 0; j < d; j++) {
        yRef[r * d + j] = affine ? xhat[j] * w[j] + b[j] : xhat[j];
        dxRef[r * d + j] = rstd * (g[j] - meanG - xhat[j] * meanGX);
        dwRef[j] += dy[r * d + j] * xhat[j];
        dbRef[j] += dy[r * d + j];
      }
    }
    expectClose(heap.read(y, rows * d), yRef, 2e-6);
    expectClose(heap.read(dx, rows * d), dxRef, 2e-6);
    if (affine) {
      expectClose(heap.read(dw, d), dwRef, 2e-6);
      expectClose(heap.read(db, d), dbRef, 2e-6);
    }
  });

  it('geluForward and geluBackward against exact erf, odd sizes and extreme values', () => {
    const heap = new Heap();
    const x = Float32Array.from([-30, -12, -6, -3.5, -1, -1e-3, 0, 1e-6, 0.5, 1, 2.7, 3.2, 9, 30, ...values(23, 13, 5)]);
    const dy = values(x.length, 14);
    const [xo, dyo, y, dx] = [heap.put(x), heap.put(dy), heap.alloc(x.length), heap.alloc(x.length)];
    k.geluForward(heap.mem, xo, y, x.length);
    k.geluBackward(heap.mem, dyo, xo, dx, x.length);
    const cdf = (v: number) => 0.5 * (1 + erf(v / Math.SQRT2));
    const pdf = (v: number) => Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
    const [yy, dd] = [heap.read(y, x.length), heap.read(dx, x.length)];
    x.forEach((v, i) => {
      const scale = Math.max(1, Math.abs(v));
      expect(Math.abs(yy[i] - v * cdf(v)) / scale, `gelu(${v})`).toBeLessThanOrEqual(5e-7);
      expect(Math.abs(dd[i] - dy[i] * (cdf(v) + v * pdf(v))) / scale, `gelu'(${v})`).toBeLessThanOrEqual(5e-7);
    });
  });

  /** q, k, v, dout of one attention call at padded strides, in a fresh heap, and the call's numbers. */
  function attentionCase(batch: number, nq: number, nk: number, heads: number, dh: number) {
    const heap = new Heap(4 * (batch * (nq + nk) * (heads * dh + 3) * 4 + 4096));
    const width = heads * dh;
    const [qs, ks, vs, os] = [width + 1, width + 3, width, width + 2];
    const data = { q: values(batch * nq * qs, 15, 2), k: values(batch * nk * ks, 16, 2), v: values(batch * nk * vs, 17, 2), dout: values(batch * nq * os, 18) };
    const at = { q: heap.put(data.q), k: heap.put(data.k), v: heap.put(data.v), dout: heap.put(data.dout) };
    const shape = [batch, nq, nk, heads, dh, qs, ks, vs, os, 0.4] as const;
    return { heap, data, at, shape };
  }

  /**
   * Output and q-gradient of query row `i` of head `h` in batch `b` by the plain formula in double:
   * s = scale·q·kᵀ, p = softmax(s), out = p·v, dq = scale·Σ_j p_j (dP_j − p·dP) k_j.
   */
  function attentionRow({ data, shape }: ReturnType<typeof attentionCase>, b: number, h: number, i: number) {
    const [, nq, nk, , dh, qs, ks, vs, os, scale] = shape;
    const [q0, o0] = [(b * nq + i) * qs + h * dh, (b * nq + i) * os + h * dh];
    const s = new Float64Array(nk);
    const dp = new Float64Array(nk);
    for (let j = 0; j < nk; j++) {
      const [k0, v0] = [(b * nk + j) * ks + h * dh, (b * nk + j) * vs + h * dh];
      for (let c = 0; c < dh; c++) {
        s[j] += data.q[q0 + c] * data.k[k0 + c];
        dp[j] += data.dout[o0 + c] * data.v[v0 + c];
      }
      s[j] *= scale;
    }
    const max = s.reduce((a, x) => Math.max(a, x), -Infinity);
    const p = s.map((x) => Math.exp(x - max));
    const sum = p.reduce((a, x) => a + x, 0);
    for (let j = 0; j < nk; j++) p[j] /= sum;
    const dot = p.reduce((a, pj, j) => a + pj * dp[j], 0);
    const out = new Float64Array(dh);
    const dq = new Float64Array(dh);
    for (let j = 0; j < nk; j++) {
      const [k0, v0] = [(b * nk + j) * ks + h * dh, (b * nk + j) * vs + h * dh];
      const ds = p[j] * (dp[j] - dot);
      for (let c = 0; c < dh; c++) {
        out[c] += p[j] * data.v[v0 + c];
        dq[c] += scale * ds * data.k[k0 + c];
      }
    }
    return { p, ds: p.map((pj, j) => pj * (dp[j] - dot)), out, dq };
  }

  // Up to 4,096 keys a query block's scores are whole rows; beyond, blocks of 1,024 keys with an online
  // softmax. Query blocks of 64 rows: 67 and 130 queries leave partial blocks, 4,097 and 5,128 keys a
  // partial key block (of 1 and 8 keys). Sums of thousands of float32 terms: 5e-6 there.
  it.each([
    [2, 3, 4, 2, 3, 2e-6],
    [1, 1, 1, 1, 1, 2e-6],
    [3, 5, 2, 1, 4, 2e-6],
    [2, 67, 9, 3, 12, 2e-6],
    [1, 130, 33, 1, 20, 2e-6],
    [2, 3, 4097, 2, 12, 5e-6],
    [1, 67, 5128, 1, 20, 5e-6],
    [1, 65, 4500, 1, 64, 5e-6],
  ])('attentionForward and attentionBackward: batch %i, %i queries, %i keys, %i heads of %i, padded strides', (batch, nq, nk, heads, dh, tolerance) => {
    const c = attentionCase(batch, nq, nk, heads, dh);
    const { heap, at, shape } = c;
    const [, , , , , qs, ks, vs, os, scale] = shape;
    const [out, dq, dk, dv] = [heap.alloc(batch * nq * os, 0), heap.alloc(batch * nq * qs, 0), heap.alloc(batch * nk * ks, 0), heap.alloc(batch * nk * vs, 0)];
    k.attentionForward(heap.mem, at.q, at.k, at.v, out, ...shape);
    k.attentionBackward(heap.mem, at.q, at.k, at.v, at.dout, dq, dk, dv, ...shape);
    const [outRef, dqRef, dkRef, dvRef] = [new Float64Array(batch * nq * os), new Float64Array(batch * nq * qs), new Float64Array(batch * nk * ks), new Float64Array(batch * nk * vs)];
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < nq; i++) {
          const row = attentionRow(c, b, h, i);
          const [q0, o0] = [(b * nq + i) * qs + h * dh, (b * nq + i) * os + h * dh];
          for (let x = 0; x < dh; x++) [outRef[o0 + x], dqRef[q0 + x]] = [row.out[x], row.dq[x]];
          for (let j = 0; j < nk; j++) {
            const [k0, v0] = [(b * nk + j) * ks + h * dh, (b * nk + j) * vs + h * dh];
            for (let x = 0; x < dh; x++) {
              dvRef[v0 + x] += row.p[j] * c.data.dout[o0 + x];
              dkRef[k0 + x] += scale * row.ds[j] * c.data.q[q0 + x];
            }
          }
        }
      }
    }
    expectClose(heap.read(out, outRef.length), outRef, tolerance);
    expectClose(heap.read(dq, dqRef.length), dqRef, tolerance);
    expectClose(heap.read(dk, dkRef.length), dkRef, tolerance);
    expectClose(heap.read(dv, dvRef.length), dvRef, tolerance);
  });

  it('attention over 16,384 tokens in 2 heads (all heads’ scores would be 2.1 GB) runs in scratch of at most 2·64·4,096 + 64·64 + 192 floats', () => {
    const [n, heads, dh] = [16_384, 2, 2];
    const c = attentionCase(1, n, n, heads, dh);
    const { heap, at, shape } = c;
    const [, , , , , qs, ks, vs, os] = shape;
    const [out, dq, dk, dv] = [heap.alloc(n * os, 0), heap.alloc(n * qs, 0), heap.alloc(n * ks, 0), heap.alloc(n * vs, 0)];
    k.attentionForward(heap.mem, at.q, at.k, at.v, out, ...shape);
    k.attentionBackward(heap.mem, at.q, at.k, at.v, at.dout, dq, dk, dv, ...shape);
    // The largest scratch any attention call of this file needed: full rows of 4,096 keys in backward.
    expect(k.scratchFloats()).toBeLessThanOrEqual(2 * 64 * 4096 + 64 * 64 + 3 * 64);
    expect(k.scratchFloats()).toBeGreaterThanOrEqual(2 * 64 * 1024); // the long case's blocks
    for (const h of [0, 1]) {
      for (const i of [0, 8_191, n - 1]) {
        const row = attentionRow(c, 0, h, i);
        expectClose(heap.read(out + 4 * (i * os + h * dh), dh), row.out, 5e-6);
        expectClose(heap.read(dq + 4 * (i * qs + h * dh), dh), row.dq, 5e-6);
      }
    }
  });

  it.each([
    [1, 1, 1, 0],
    [0.96, 0.5, 10, 0.04],
  ])('adamw (decay factor %d, gradient scale %d, step %i) rounds exactly as float32 PyTorch', (decayFactor, gradScale, step) => {
    const heap = new Heap();
    const n = 37;
    const [p, m, v, g] = [values(n, 19), values(n, 20, 0.1), values(n, 21, 0.01).map(Math.abs), values(n, 22)];
    const [beta1, beta2, eps, lr] = [0.9, 0.999, 1e-8, 6.25e-4];
    const [sqrtBias2, negStepSize] = [Math.sqrt(1 - beta2 ** step), -(lr / (1 - beta1 ** step))];
    const [po, mo, vo, go, pOut, mOut, vOut] = [heap.put(p), heap.put(m), heap.put(v), heap.put(g), heap.alloc(n), heap.alloc(n), heap.alloc(n)];
    k.adamw(heap.mem, po, mo, vo, go, pOut, mOut, vOut, n, decayFactor, beta1, beta2, sqrtBias2, eps, negStepSize, gradScale);
    const [pRef, mRef, vRef] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    for (let i = 0; i < n; i++) {
      const grad = gradScale === 1 ? g[i] : f(g[i] * f(gradScale));
      const decayed = decayFactor === 1 ? p[i] : f(p[i] * f(decayFactor));
      mRef[i] = f(f(m[i] * f(beta1)) + f(grad * f(1 - beta1)));
      vRef[i] = f(f(v[i] * f(beta2)) + f(f(grad * f(1 - beta2)) * grad));
      const denom = f(f(f(Math.sqrt(vRef[i])) / f(sqrtBias2)) + f(eps));
      pRef[i] = f(decayed + f(f(mRef[i] / denom) * f(negStepSize)));
    }
    expect(heap.read(pOut, n)).toEqual(pRef);
    expect(heap.read(mOut, n)).toEqual(mRef);
    expect(heap.read(vOut, n)).toEqual(vRef);
  });

  it('ema: target·m + online·(1 − m), each product rounded to float32', () => {
    const heap = new Heap();
    const n = 101;
    const [t, o, momentum] = [values(n, 23), values(n, 24), 0.998];
    const out = heap.alloc(n);
    k.ema(heap.mem, heap.put(t), heap.put(o), out, n, momentum, 1 - momentum);
    expect(heap.read(out, n)).toEqual(t.map((x, i) => f(f(x * f(momentum)) + f(o[i] * f(1 - momentum)))));
  });

  it('gatherRows copies rows, and writes nothing when an index is outside [0, rows)', () => {
    const heap = new Heap();
    const [rows, rowSize] = [5, 3];
    const x = values(rows * rowSize, 25);
    const xo = heap.put(x);
    const gather = (indices: number[]) => {
      const out = heap.alloc(indices.length * rowSize, -7);
      const ok = k.gatherRows(heap.mem, xo, heap.put(indices, Int32Array), out, indices.length, rowSize, rows);
      return { ok, out: heap.read(out, indices.length * rowSize) };
    };
    const indices = [4, 0, 4, 2];
    expect(gather(indices)).toEqual({ ok: true, out: Float32Array.from(indices.flatMap((r) => Array.from(x.subarray(r * rowSize, (r + 1) * rowSize)))) });
    for (const bad of [[1, 5], [-1, 0]]) expect(gather(bad)).toEqual({ ok: false, out: new Float32Array(2 * rowSize).fill(-7) });
  });

  it('sumSquares accumulates in double, exactly as a double loop', () => {
    const heap = new Heap();
    for (const n of [0, 1, 37, 1000]) {
      const x = values(n, 26, 3);
      expect(k.sumSquares(heap.mem, heap.put(x), n)).toBe(x.reduce((s, v) => s + v * v, 0));
    }
  });

  describe('every call is checked against the memory before it runs', () => {
    const heap = new Heap();
    const ok = heap.alloc(8, 0);

    it.each([
      ['an operand past the end', () => k.geluForward(heap.mem, heap.mem.length - 8, ok, 4)],
      ['a misaligned offset', () => k.geluForward(heap.mem, ok + 2, ok, 1)],
      ['a negative offset', () => k.sumSquares(heap.mem, -8, 1)],
      ['a negative extent', () => k.ema(heap.mem, ok, ok, ok, -1, 0.5, 0.5)],
      ['-1 for an operand that is not optional', () => k.linearForward(heap.mem, ok, ok, -1, -1, 1, 1, 1)],
      ['an argument that is not a number', () => k.geluForward(heap.mem, ok, ok, '4' as unknown as number)],
      ['heads wider than a row stride', () => k.attentionForward(heap.mem, ok, ok, ok, ok, 1, 1, 1, 2, 2, 3, 4, 4, 4, 1)],
    ])('%s: a RangeError naming the kernel, nothing written', (_, call) => {
      expect(call).toThrow(RangeError);
      expect(call).toThrow(/^vjepa-accelerate: \w+: an operand lies outside the memory or an argument is not a number$/);
      expect(heap.read(ok, 8)).toEqual(new Float32Array(8));
    });

    it('too few arguments, or a memory that is not a Uint8Array: a TypeError', () => {
      expect(() => (k.gemm as unknown as (...args: unknown[]) => void)(heap.mem, 0, 0)).toThrow(new TypeError('vjepa-accelerate: too few arguments'));
      expect(() => k.sumSquares(new Float32Array(4) as unknown as Uint8Array, 0, 1)).toThrow(new TypeError('vjepa-accelerate: memory: expected a Uint8Array'));
    });

    it('an optional operand may be -1 (absent)', () => {
      const y = heap.alloc(2);
      k.linearForward(heap.mem, heap.put([1, 2]), heap.put([3, 4, 5, 6]), -1, y, 1, 2, 2);
      expect(heap.read(y, 2)).toEqual(Float32Array.from([11, 17]));
    });
  });
});

if (kernels === null) describe('without the addon', () => {
  it('loadNativeKernels says why and what would build it', () => {
    expect(loadNativeKernels().reason).toMatch(/apt-get install g\+\+ libopenblas-dev/);
  });
});
