import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import type { NativeKernels } from '@vjepa/base';
import { loadNativeKernels } from './load';
import { Heap, values } from './heap.test-util';

// The thread pool splits every kernel in chunks fixed by the shapes alone, so any two thread counts
// give the same bits — with one exception: with one thread a product is a single BLAS call, with more
// it is one call per block of rows (or columns), and OpenBLAS's result depends on the blocks (its edge
// kernels round differently), so there 1 and 2 threads agree to the GEMM tests' float32 tolerance and
// 2 and 3 threads bit for bit. The built-in GEMM's blocks are its own: bit for bit at every count.
// The shapes are awkward and large enough to be split: GEMMs past the split threshold by rows and by
// columns, transposed, with padded rows and k across the built-in GEMM's depth blocks; attention with 5 heads of 12 and with 4,500 keys (the online softmax); LayerNorm, GELU,
// AdamW and the EMA over several chunks. CI runs this file on the OpenBLAS build and on the built-in GEMM.

const { kernels } = loadNativeKernels();

/** Each case: its inputs written into a fresh heap, the kernel run, its outputs read back; `product`: split as one GEMM. */
type Case = [name: string, run: (k: NativeKernels) => Float32Array[], product?: boolean];

function gemmCase(m: number, n: number, kk: number, ta: boolean, tb: boolean, alpha: number, beta: number): Case {
  return [
    `gemm ${m}×${n}×${kk} transA ${ta} transB ${tb} β ${beta}`,
    (k) => {
      const [lda, ldb, ldc] = [(ta ? m : kk) + 2, (tb ? kk : n) + 1, n + 3];
      const heap = new Heap(4 * ((ta ? kk : m) * lda + (tb ? n : kk) * ldb + m * ldc) + 4096);
      const [a, b, c] = [heap.put(values((ta ? kk : m) * lda, 1)), heap.put(values((tb ? n : kk) * ldb, 2)), heap.put(values(m * ldc, 3))];
      k.gemm(heap.mem, +ta, +tb, m, n, kk, alpha, a, lda, b, ldb, beta, c, ldc);
      return [heap.read(c, m * ldc)];
    },
    true,
  ];
}

function linearCase(m: number, inF: number, outF: number): Case {
  return [
    `linear ${m} × ${inF} → ${outF} with bias, forward and backward`,
    (k) => {
      const heap = new Heap(4 * (3 * m * (inF + outF) + 3 * inF * outF) + 4096);
      const [x, w, bias, dy] = [heap.put(values(m * inF, 4)), heap.put(values(outF * inF, 5)), heap.put(values(outF, 6)), heap.put(values(m * outF, 7))];
      const [y, dx, dw, db] = [heap.alloc(m * outF), heap.alloc(m * inF), heap.alloc(outF * inF), heap.alloc(outF)];
      k.linearForward(heap.mem, x, w, bias, y, m, inF, outF);
      k.linearBackward(heap.mem, dy, x, w, dx, dw, db, m, inF, outF);
      return [heap.read(y, m * outF), heap.read(dx, m * inF), heap.read(dw, outF * inF), heap.read(db, outF)];
    },
    true,
  ];
}

function attentionCase(batch: number, nq: number, nk: number, heads: number, dh: number): Case {
  return [
    `attention batch ${batch}, ${nq} queries, ${nk} keys, ${heads} heads of ${dh}, forward and backward`,
    (k) => {
      const width = heads * dh;
      const [qs, ks, vs, os] = [width + 1, width + 3, width, width + 2];
      const heap = new Heap(4 * 2 * batch * (nq * (qs + os + qs) + nk * (ks + vs) * 2) + 4096);
      const [q, kk, v, dout] = [heap.put(values(batch * nq * qs, 8, 2)), heap.put(values(batch * nk * ks, 9, 2)), heap.put(values(batch * nk * vs, 10, 2)), heap.put(values(batch * nq * os, 11))];
      const [out, dq, dk, dv] = [heap.alloc(batch * nq * os, 0), heap.alloc(batch * nq * qs, 0), heap.alloc(batch * nk * ks, 0), heap.alloc(batch * nk * vs, 0)];
      const shape = [batch, nq, nk, heads, dh, qs, ks, vs, os, 0.3] as const;
      k.attentionForward(heap.mem, q, kk, v, out, ...shape);
      k.attentionBackward(heap.mem, q, kk, v, dout, dq, dk, dv, ...shape);
      return [heap.read(out, batch * nq * os), heap.read(dq, batch * nq * qs), heap.read(dk, batch * nk * ks), heap.read(dv, batch * nk * vs)];
    },
  ];
}

const layerNormCase: Case = [
  'layerNorm 701 × 97, forward and backward (dx by rows, dw and db by columns)',
  (k) => {
    const [rows, d] = [701, 97];
    const heap = new Heap(4 * 6 * rows * d + 4096);
    const [x, w, b, dy] = [heap.put(values(rows * d, 12, 3)), heap.put(values(d, 13)), heap.put(values(d, 14)), heap.put(values(rows * d, 15))];
    const [y, dx, dw, db] = [heap.alloc(rows * d), heap.alloc(rows * d), heap.alloc(d), heap.alloc(d)];
    k.layerNormForward(heap.mem, x, w, b, y, rows, d, 1e-6);
    k.layerNormBackward(heap.mem, dy, x, w, dx, dw, db, rows, d, 1e-6);
    return [heap.read(y, rows * d), heap.read(dx, rows * d), heap.read(dw, d), heap.read(db, d)];
  },
];

const elementCase: Case = [
  'gelu, adamw and ema over 100,003 floats',
  (k) => {
    const n = 100_003;
    const heap = new Heap(4 * 12 * n + 4096);
    const [x, dy, m, v] = [heap.put(values(n, 16, 4)), heap.put(values(n, 17)), heap.put(values(n, 18, 0.1)), heap.put(values(n, 19, 0.01).map(Math.abs))];
    const [y, dx, p, mo, vo, e] = [heap.alloc(n), heap.alloc(n), heap.alloc(n), heap.alloc(n), heap.alloc(n), heap.alloc(n)];
    k.geluForward(heap.mem, x, y, n);
    k.geluBackward(heap.mem, dy, x, dx, n);
    k.adamw(heap.mem, x, m, v, dy, p, mo, vo, n, 0.999, 0.9, 0.999, 0.03, 1e-8, -0.01, 0.5);
    k.ema(heap.mem, x, dy, e, n, 0.996, 0.004);
    return [y, dx, p, mo, vo, e].map((at) => heap.read(at, n));
  },
];

const CASES: Case[] = [
  gemmCase(517, 300, 61, false, false, 0.7, 0.5),
  gemmCase(37, 1029, 133, true, true, 1, 0),
  gemmCase(300, 260, 257, true, false, 1, 1),
  gemmCase(1000, 40, 300, false, true, -1, 0),
  linearCase(517, 61, 300),
  attentionCase(3, 130, 67, 5, 12),
  attentionCase(1, 70, 4500, 2, 4),
  layerNormCase,
  elementCase,
];

/** The first index where the bits of `a` and `b` differ, or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const [x, y] = [new Uint32Array(a.buffer, a.byteOffset, a.length), new Uint32Array(b.buffer, b.byteOffset, b.length)];
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** The largest |a − b| relative to the largest |b| (at least 1). */
function relativeError(a: Float32Array, b: Float32Array): number {
  let [scale, worst] = [1, 0];
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst / scale;
}

if (kernels !== null) describe('the thread pool: 1, 2 and 3 threads give the same results', () => {
  const k = kernels;
  const openBlas = !k.blasCore().startsWith('built-in');
  afterAll(() => k.setThreads(1));

  it.each(CASES)('%s', (_name, run, product = false) => {
    const results = [1, 2, 3].map((threads) => {
      expect(k.setThreads(threads)).toBe(threads);
      return run(k);
    });
    const [one, two, three] = results;
    for (const outputs of one) expect(outputs.every(Number.isFinite), 'every output written').toBe(true);
    one.forEach((expected, output) => {
      const same = (many: Float32Array, threads: number) => {
        const at = firstDifference(many, expected);
        expect(at, `${threads} threads, output ${output}, element ${at}: ${many[at]} vs ${expected[at]}`).toBe(-1);
      };
      if (product && openBlas) {
        expect(relativeError(two[output], expected), `output ${output}`).toBeLessThanOrEqual(2e-6); // kernels.test.ts's GEMM tolerance
        expect(firstDifference(three[output], two[output]), `3 vs 2 threads, output ${output}`).toBe(-1);
      } else {
        same(two[output], 2);
        same(three[output], 3);
      }
    });
  });

  it('a region started while another thread’s is running, or from inside a chunk, runs inline (same bits)', () => {
    // Resizing between calls, many times, must neither hang nor leak workers.
    for (let i = 0; i < 20; i++) expect(k.setThreads(1 + (i % 3))).toBe(1 + (i % 3));
    const [, run] = CASES[5];
    k.setThreads(2);
    const a = run(k);
    const b = run(k);
    a.forEach((x, i) => expect(firstDifference(b[i], x)).toBe(-1));
  });

  it('beside competing processes the pool backs off (runs inline: the same bits), and a quiet machine splits again', async () => {
    const [, run] = CASES[0];
    k.setThreads(2);
    const expected = run(k);
    // One busy loop per CPU: the pool's worker is descheduled in the middle of its chunks, so splitting
    // gains nothing and the pool must stop trying.
    const loops: ChildProcess[] = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const [before] = k.poolBackoffs();
      const deadline = Date.now() + 8000;
      let results = expected;
      while (k.poolBackoffs()[0] === before && Date.now() < deadline) results = run(k);
      expect(k.poolBackoffs()[0], 'back-offs beside the busy loops').toBeGreaterThan(before);
      for (let i = 0; i < 20; i++) results = run(k); // some of these inline
      results.forEach((x, i) => expect(firstDifference(x, expected[i]), `output ${i}`).toBe(-1));
    } finally {
      for (const loop of loops) loop.kill('SIGKILL');
    }
    // Quiet again: a resize to another size judges afresh, and the regions split (none inline). (Back at
    // the size it judged, through 1 thread, the pool keeps what it learned: `vjepa bench
    // --interleave-threads 1,2` then times the pool as a long run meets it.)
    k.setThreads(3);
    const [, inlineBefore] = k.poolBackoffs();
    run(k);
    expect(k.poolBackoffs()[1]).toBe(inlineBefore);
  }, 30_000);
});
