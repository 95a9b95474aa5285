// The kernels of kernels.h. Compiled with -ffp-contract=off, so that the element-wise kernels round as
// the tfjs reference ops do (one float32 rounding per operation), and -fno-trapping-math, which lets the
// float→int step of exp vectorise without changing any result.
#include "kernels.h"
#include "pool.h"

#if defined(VJEPA_APPLE_ACCELERATE)
#include <Accelerate/Accelerate.h>
#elif !defined(VJEPA_BUILTIN_GEMM)
#include <cblas.h>
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <vector>

namespace vjepa {

// How the kernels split across the pool (pool.h), in sizes only: a GEMM of at least GEMM_SPLIT_FLOPS
// goes in blocks of at least GEMM_BLOCK rows (or columns), at most GEMM_MAX_BLOCKS; element-wise and
// row kernels in chunks of about ELEMENT_GRAIN floats.
constexpr double GEMM_SPLIT_FLOPS = 8e6;
constexpr int GEMM_BLOCK = 128;
constexpr int64_t GEMM_MAX_BLOCKS = 16;
constexpr int64_t ELEMENT_GRAIN = 16384;

void gemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb,
          float beta, float* c, int ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) c[(int64_t)i * ldc + j] = beta == 0 ? 0.f : beta * c[(int64_t)i * ldc + j];
    return;
  }
#ifdef VJEPA_BUILTIN_GEMM
  builtinGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);  // splits its own loops
#else
  const auto blas = [&](int rows, int cols, const float* ab, const float* bb, float* cb) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, rows, cols, k, alpha, ab,
                lda, bb, ldb, beta, cb, ldc);
  };
  // Split across the pool: the BLAS runs single-threaded on blocks of rows of C (or of columns, when
  // C is wider than tall); each block re-packs the other operand, so blocks stay ≥ GEMM_BLOCK wide.
  const bool byRows = m >= n;
  const int extent = byRows ? m : n;
  if (!poolCanSplit() || extent < 2 * GEMM_BLOCK || 2.0 * m * n * k < GEMM_SPLIT_FLOPS) {
    blas(m, n, a, b, c);
    return;
  }
  const Chunking blocks = chunking(extent, GEMM_BLOCK, 16, GEMM_MAX_BLOCKS);
  parallelFor(blocks.count, [&](int64_t i) {
    const int64_t lo = blocks.begin(i), span = blocks.end(i) - lo;
    if (byRows) blas((int)span, n, a + (transA ? lo : lo * lda), b, c + lo * ldc);  // op(A)'s rows lo… and C's
    else blas(m, (int)span, a, b + (transB ? lo * ldb : lo), c + lo);               // op(B)'s columns lo… and C's
  });
#endif
}

// Rows [0, rows) of `width` floats in chunks of about ELEMENT_GRAIN floats, split across the pool.
template <class F>
static void forRowBlocks(int64_t rows, int64_t width, F&& body) {
  const Chunking blocks = chunking(rows, std::max<int64_t>(1, ELEMENT_GRAIN / std::max<int64_t>(1, width)));
  parallelFor(blocks.count, [&](int64_t i) { body(blocks.begin(i), blocks.end(i)); });
}

// Elements [0, n) in chunks of at least `grain`, split across the pool.
template <class F>
static void forElements(int64_t n, int64_t grain, F&& body) {
  const Chunking blocks = chunking(n, grain);
  parallelFor(blocks.count, [&](int64_t i) { body(blocks.begin(i), blocks.end(i)); });
}

void linearForward(const float* x, const float* w, const float* bias, float* y, int m, int in, int out) {
  gemm(false, true, m, out, in, 1.f, x, in, w, in, 0.f, y, out);  // [M, out]
  if (bias == nullptr) return;
  forRowBlocks(m, out, [&](int64_t r0, int64_t r1) {
    for (int64_t i = r0; i < r1; i++) {
      float* row = y + i * out;
      for (int j = 0; j < out; j++) row[j] += bias[j];
    }
  });
}

// Column blocks of a [rows, cols] sum: each block sums its columns over the rows in order, so the
// result is the one of a single sequential pass whatever the split.
constexpr int COLUMN_BLOCK = 32;

template <class F>
static void forColumnBlocks(int64_t rows, int cols, F&& body) {
  const Chunking blocks = chunking(cols, std::max<int64_t>(COLUMN_BLOCK, ELEMENT_GRAIN / std::max<int64_t>(1, rows)), COLUMN_BLOCK);
  parallelFor(blocks.count, [&](int64_t i) { body((int)blocks.begin(i), (int)blocks.end(i)); });
}

void columnSums(const float* x, float* sums, int rows, int cols) {
  forColumnBlocks(rows, cols, [&](int j0, int j1) {
    std::vector<double> a(j1 - j0, 0.0);
    for (int i = 0; i < rows; i++) {
      const float* row = x + (int64_t)i * cols;
      for (int j = j0; j < j1; j++) a[j - j0] += row[j];
    }
    for (int j = j0; j < j1; j++) sums[j] = (float)a[j - j0];
  });
}

void linearBackward(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db, int m, int in, int out) {
  gemm(false, false, m, in, out, 1.f, dy, out, w, in, 0.f, dx, in);   // dx = dy·W    [M, in]
  gemm(true, false, out, in, m, 1.f, dy, out, x, in, 0.f, dw, in);    // dW = dyᵀ·x   [out, in]
  if (db != nullptr) columnSums(dy, db, m, out);                      // db           [out]
}

// Mean and 1/√(biased variance + eps) of one row, accumulated in double.
static void rowStats(const float* xr, int d, float eps, float& mean, float& rstd) {
  double sum = 0;
  for (int j = 0; j < d; j++) sum += xr[j];
  mean = (float)(sum / d);
  double sq = 0;
  for (int j = 0; j < d; j++) {
    const float c = xr[j] - mean;
    sq += (double)c * c;
  }
  rstd = (float)(1.0 / std::sqrt(sq / d + (double)eps));
}

void layerNormForward(const float* x, const float* w, const float* b, float* y, int rows, int d, float eps) {
  forRowBlocks(rows, d, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xr = x + r * d;
      float* yr = y + r * d;
      float mean, rstd;
      rowStats(xr, d, eps, mean, rstd);
      for (int j = 0; j < d; j++) {
        float v = (xr[j] - mean) * rstd;
        if (w != nullptr) v *= w[j];
        if (b != nullptr) v += b[j];
        yr[j] = v;
      }
    }
  });
}

// Two passes, each split across the pool: dx by blocks of rows (keeping each row's mean and 1/σ), then
// dw and db by blocks of columns, summing over the rows in order (one sequential pass's result).
void layerNormBackward(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db, int rows, int d, float eps) {
  std::vector<float> means(rows), rstds(rows);
  forRowBlocks(rows, d, [&](int64_t r0, int64_t r1) {
    std::vector<float> xhat(d), g(d);
    for (int64_t r = r0; r < r1; r++) {
      const float* xr = x + r * d;
      const float* dyr = dy + r * d;
      float* dxr = dx + r * d;
      float mean, rstd;
      rowStats(xr, d, eps, mean, rstd);
      means[r] = mean;
      rstds[r] = rstd;
      double meanG = 0, meanGX = 0;
      for (int j = 0; j < d; j++) {
        xhat[j] = (xr[j] - mean) * rstd;
        g[j] = w != nullptr ? dyr[j] * w[j] : dyr[j];
        meanG += g[j];
        meanGX += (double)g[j] * xhat[j];
      }
      const float mg = (float)(meanG / d), mgx = (float)(meanGX / d);
      for (int j = 0; j < d; j++) dxr[j] = rstd * (g[j] - mg - xhat[j] * mgx);
    }
  });
  if (dw == nullptr && db == nullptr) return;
  forColumnBlocks(rows, d, [&](int j0, int j1) {
    std::vector<double> dwAcc(j1 - j0, 0.0), dbAcc(j1 - j0, 0.0);
    for (int r = 0; r < rows; r++) {
      const float* xr = x + (int64_t)r * d;
      const float* dyr = dy + (int64_t)r * d;
      if (dw != nullptr)
        for (int j = j0; j < j1; j++) dwAcc[j - j0] += (double)dyr[j] * ((xr[j] - means[r]) * rstds[r]);
      if (db != nullptr)
        for (int j = j0; j < j1; j++) dbAcc[j - j0] += dyr[j];
    }
    if (dw != nullptr) for (int j = j0; j < j1; j++) dw[j] = (float)dwAcc[j - j0];
    if (db != nullptr) for (int j = j0; j < j1; j++) db[j] = (float)dbAcc[j - j0];
  });
}

// e^x for float32 in [-87, 88]: 2^n · p(r) with r = x − n·ln2 split in two parts, p of degree 6
// (Cephes' expf polynomial; relative error ≈ 1e-7). Branch-free, so the loops around it vectorise.
static inline float fastExp(float x) {
  x = std::min(88.3762626647949f, std::max(-87.3365447504f, x));
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// erf for float32 (Abramowitz & Stegun 7.1.26, |error| ≤ 1.5e-7), branch-free.
static inline float fastErf(float x) {
  const float ax = std::fabs(x);
  const float t = 1.f / (1.f + 0.3275911f * ax);
  float poly = 1.061405429f;
  poly = poly * t - 1.453152027f;
  poly = poly * t + 1.421413741f;
  poly = poly * t - 0.284496736f;
  poly = poly * t + 0.254829592f;
  poly *= t;
  const float y = 1.f - poly * fastExp(-ax * ax);
  return std::copysign(y, x);
}

void geluForward(const float* x, float* y, int64_t n) {
  forElements(n, ELEMENT_GRAIN, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) y[i] = 0.5f * x[i] * (1.f + fastErf(x[i] * 0.70710678118654752f));
  });
}

void geluBackward(const float* dy, const float* x, float* dx, int64_t n) {
  const float invSqrt2Pi = 0.39894228040143268f;
  forElements(n, ELEMENT_GRAIN, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      const float v = x[i];
      const float cdf = 0.5f * (1.f + fastErf(v * 0.70710678118654752f));
      const float pdf = invSqrt2Pi * fastExp(-0.5f * v * v);
      dx[i] = dy[i] * (cdf + v * pdf);
    }
  });
}

// One token row of the rotation (G·H·dh floats) for each (b, n), the pool splitting the B·N rows.
template <bool Backward>
static void rotatePairs(const PairRotation& s, const float* in, const float* cos, const float* sin, float* out) {
  const int64_t width = (int64_t)s.groups * s.heads * s.dh;
  forRowBlocks((int64_t)s.batch * s.tokens, width, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t b = r / s.tokens, n = r % s.tokens;
      const int64_t table = ((s.tableRows == 1 ? 0 : b) * s.tokens + n) * s.groups * s.dh;
      for (int g = 0; g < s.groups; g++) {
        const float* c = cos + table + (int64_t)g * s.dh;
        const float* sn = sin + table + (int64_t)g * s.dh;
        for (int h = 0; h < s.heads; h++) {
          const int64_t at = r * width + ((int64_t)g * s.heads + h) * s.dh;
          const float* x = in + at;
          float* y = out + at;
          for (int e = 0; e < s.dh; e += 2) {
            if (Backward) {
              y[e] = x[e] * c[e] + x[e + 1] * sn[e + 1];
              y[e + 1] = x[e + 1] * c[e + 1] + x[e] * sn[e];
            } else {
              y[e] = x[e] * c[e] + x[e + 1] * sn[e];
              y[e + 1] = x[e + 1] * c[e + 1] + x[e] * sn[e + 1];
            }
          }
        }
      }
    }
  });
}

void rotatePairsForward(const PairRotation& s, const float* x, const float* cos, const float* sin, float* out) { rotatePairs<false>(s, x, cos, sin, out); }
void rotatePairsBackward(const PairRotation& s, const float* dy, const float* cos, const float* sin, float* dx) { rotatePairs<true>(s, dy, cos, sin, dx); }

// Row reductions in LANES interleaved partials (lane l takes elements l, l + LANES, …), combined in
// order at the end: loops the compiler vectorises without reassociating anything itself.
constexpr int LANES = 16;

static float rowMax(const float* x, int n, float start) {
  float part[LANES];
  for (int l = 0; l < LANES; l++) part[l] = start;
  int j = 0;
  for (; j + LANES <= n; j += LANES)
    for (int l = 0; l < LANES; l++) part[l] = x[j + l] > part[l] ? x[j + l] : part[l];
  float max = start;
  for (int l = 0; l < LANES; l++) max = std::max(max, part[l]);
  for (; j < n; j++) max = std::max(max, x[j]);
  return max;
}

// Σ x[j]·(y ? y[j] : 1).
static float rowSum(const float* x, const float* y, int n) {
  float part[LANES] = {};
  int j = 0;
  if (y == nullptr) {
    for (; j + LANES <= n; j += LANES)
      for (int l = 0; l < LANES; l++) part[l] += x[j + l];
  } else {
    for (; j + LANES <= n; j += LANES)
      for (int l = 0; l < LANES; l++) part[l] += x[j + l] * y[j + l];
  }
  float sum = 0;
  for (int l = 0; l < LANES; l++) sum += part[l];
  for (; j < n; j++) sum += y == nullptr ? x[j] : x[j] * y[j];
  return sum;
}

// Exact softmax of each row: max, e^(x − max), the sum, one reciprocal (each a loop that vectorises).
static void softmaxRows(float* s, int rows, int cols) {
  for (int i = 0; i < rows; i++) {
    float* row = s + (int64_t)i * cols;
    const float max = rowMax(row, cols, row[0]);
    for (int j = 0; j < cols; j++) row[j] = fastExp(row[j] - max);
    const float inv = 1.f / rowSum(row, nullptr, cols);
    for (int j = 0; j < cols; j++) row[j] *= inv;
  }
}

// ---- Blockwise attention ------------------------------------------------------------------------
//
// Each head is computed QUERY_BLOCK query rows at a time, so that no kernel holds more than one block's
// scores. Up to FULL_ROW_KEYS keys, a block's scores are whole rows (an exact softmax per row, the
// formula of the plain reference); beyond, the keys come KEY_BLOCK at a time with an online softmax
// (running max and sum per row, the partial output rescaled as the max grows: FlashAttention's
// recurrence), and backward recomputes each block's weights from the rows' max and sum.

static int keyBlock(int nk) { return nk <= FULL_ROW_KEYS ? nk : KEY_BLOCK; }

int64_t attentionScratchFloats(const AttentionShape& s, bool backward) {
  const int64_t qb = std::min(s.nq, QUERY_BLOCK), kb = keyBlock(s.nk);
  return backward ? 2 * qb * kb + qb * s.dh + 3 * qb : qb * kb + 2 * qb;
}

static std::atomic<int64_t> largestScratch{0};

// This thread's scratch of at least `floats` floats: grows to the largest request, never shrinks.
static float* threadScratch(int64_t floats) {
  static thread_local std::vector<float> buffer;
  if ((int64_t)buffer.size() < floats) {
    buffer.resize(floats);
    int64_t seen = largestScratch.load();
    while (seen < floats && !largestScratch.compare_exchange_weak(seen, floats)) {
    }
  }
  return buffer.data();
}

int64_t attentionScratchHeld() { return largestScratch.load(); }

// The operands of one batch element and head.
struct Head {
  const float *q, *k, *v;
  float* out;
};

static Head headOf(const AttentionShape& s, const float* q, const float* k, const float* v, float* out, int b, int h) {
  return {q + (int64_t)b * s.nq * s.qs + h * s.dh, k + (int64_t)b * s.nk * s.ks + h * s.dh, v + (int64_t)b * s.nk * s.vs + h * s.dh,
          out + (int64_t)b * s.nq * s.os + h * s.dh};
}

// The online-softmax output of `qn` query rows at `qb` over all keys, KEY_BLOCK at a time, into `o`
// (row stride ldo), normalised; leaves each row's max in m and its sum of e^(s − max) in l.
static void onlineRows(const AttentionShape& s, const float* qb, const float* kh, const float* vh, int qn, float* o, int ldo, float* scores,
                       float* m, float* l) {
  for (int j0 = 0; j0 < s.nk; j0 += KEY_BLOCK) {
    const int kn = std::min(KEY_BLOCK, s.nk - j0);
    gemm(false, true, qn, kn, s.dh, s.scale, qb, s.qs, kh + (int64_t)j0 * s.ks, s.ks, 0.f, scores, kn);  // [qn, kn]
    for (int i = 0; i < qn; i++) {
      float* row = scores + (int64_t)i * kn;
      const float max = rowMax(row, kn, j0 == 0 ? row[0] : m[i]);
      for (int j = 0; j < kn; j++) row[j] = fastExp(row[j] - max);
      const float sum = rowSum(row, nullptr, kn);
      if (j0 == 0) {
        l[i] = sum;
      } else {
        const float shrink = fastExp(m[i] - max);  // the earlier blocks' terms, rescaled to the new max
        l[i] = l[i] * shrink + sum;
        float* orow = o + (int64_t)i * ldo;
        for (int c = 0; c < s.dh; c++) orow[c] *= shrink;
      }
      m[i] = max;
    }
    gemm(false, false, qn, s.dh, kn, 1.f, scores, kn, vh + (int64_t)j0 * s.vs, s.vs, j0 == 0 ? 0.f : 1.f, o, ldo);  // o += P·V
  }
  for (int i = 0; i < qn; i++) {
    const float inv = 1.f / l[i];
    float* orow = o + (int64_t)i * ldo;
    for (int c = 0; c < s.dh; c++) orow[c] *= inv;
  }
}

// Every (batch, head, query block) is one chunk of the pool's work: they write disjoint output rows.
void attentionForward(const AttentionShape& s, const float* q, const float* k, const float* v, float* out) {
  const int kb = keyBlock(s.nk);
  const int qbMax = std::min(s.nq, QUERY_BLOCK);
  const int64_t blocks = (s.nq + QUERY_BLOCK - 1) / QUERY_BLOCK;
  parallelFor((int64_t)s.batch * s.heads * blocks, [&](int64_t task) {
    float* scratch = threadScratch(attentionScratchFloats(s, false));
    float* scores = scratch;                     // [qb, kb]
    float* m = scratch + (int64_t)qbMax * kb;    // [qb]
    float* l = m + qbMax;                        // [qb]
    const int b = (int)(task / (s.heads * blocks)), h = (int)(task / blocks % s.heads), i0 = (int)(task % blocks) * QUERY_BLOCK;
    const Head x = headOf(s, q, k, v, out, b, h);
    const int qn = std::min(QUERY_BLOCK, s.nq - i0);
    const float* qb = x.q + (int64_t)i0 * s.qs;
    float* ob = x.out + (int64_t)i0 * s.os;
    if (kb < s.nk) {
      onlineRows(s, qb, x.k, x.v, qn, ob, s.os, scores, m, l);
      return;
    }
    gemm(false, true, qn, s.nk, s.dh, s.scale, qb, s.qs, x.k, s.ks, 0.f, scores, s.nk);  // scores [qn, Nk]
    softmaxRows(scores, qn, s.nk);                                                      // weights
    gemm(false, false, qn, s.dh, s.nk, 1.f, scores, s.nk, x.v, s.vs, 0.f, ob, s.os);    // [qn, dh]
  });
}

// dS = P ∘ (dP − D) over `qn` rows of `kn`, in place in dp; D per row.
static void softmaxBackwardRows(const float* p, float* dp, const float* d, int qn, int kn) {
  for (int i = 0; i < qn; i++) {
    const float* pr = p + (int64_t)i * kn;
    float* dpr = dp + (int64_t)i * kn;
    for (int j = 0; j < kn; j++) dpr[j] = pr[j] * (dpr[j] - d[i]);
  }
}

// Every (batch, head) is one chunk of the pool's work (its query blocks sum into the same dK and dV,
// in order).
void attentionBackward(const AttentionShape& s, const float* q, const float* k, const float* v, const float* dout,
                       float* dq, float* dk, float* dv) {
  const int kb = keyBlock(s.nk);
  const int qbMax = std::min(s.nq, QUERY_BLOCK);
  parallelFor((int64_t)s.batch * s.heads, [&](int64_t task) {
    const int b = (int)(task / s.heads), h = (int)(task % s.heads);
    float* p = threadScratch(attentionScratchFloats(s, true));  // [qb, kb]
    float* dp = p + (int64_t)qbMax * kb;             // [qb, kb]
    float* o = dp + (int64_t)qbMax * kb;             // [qb, dh] the recomputed output (online case)
    float* m = o + (int64_t)qbMax * s.dh;            // [qb]
    float* l = m + qbMax;                            // [qb]
    float* d = l + qbMax;                            // [qb] D = Σ_j P·dP = dO·O per row
    const int64_t qo = (int64_t)b * s.nq * s.qs + h * s.dh, ko = (int64_t)b * s.nk * s.ks + h * s.dh;
    const int64_t vo = (int64_t)b * s.nk * s.vs + h * s.dh, oo = (int64_t)b * s.nq * s.os + h * s.dh;
    for (int i0 = 0; i0 < s.nq; i0 += QUERY_BLOCK) {
      const int qn = std::min(QUERY_BLOCK, s.nq - i0);
      const float* qb = q + qo + (int64_t)i0 * s.qs;
      const float* dob = dout + oo + (int64_t)i0 * s.os;
      float* dqb = dq + qo + (int64_t)i0 * s.qs;
      const float into = i0 == 0 ? 0.f : 1.f;  // dK and dV sum over the query blocks
      if (kb == s.nk) {
        gemm(false, true, qn, s.nk, s.dh, s.scale, qb, s.qs, (k + ko), s.ks, 0.f, p, s.nk);   // scores [qn, Nk]
        softmaxRows(p, qn, s.nk);                                                       // P
        gemm(true, false, s.nk, s.dh, qn, 1.f, p, s.nk, dob, s.os, into, dv + vo, s.vs);  // dV += Pᵀ·dO
        gemm(false, true, qn, s.nk, s.dh, 1.f, dob, s.os, (v + vo), s.vs, 0.f, dp, s.nk);     // dP = dO·Vᵀ
        for (int i = 0; i < qn; i++) d[i] = rowSum(p + (int64_t)i * s.nk, dp + (int64_t)i * s.nk, s.nk);  // Σ_j P·dP
        softmaxBackwardRows(p, dp, d, qn, s.nk);                                                   // dS
        gemm(false, false, qn, s.dh, s.nk, s.scale, dp, s.nk, (k + ko), s.ks, 0.f, dqb, s.qs);         // dQ = scale·dS·K
        gemm(true, false, s.nk, s.dh, qn, s.scale, dp, s.nk, qb, s.qs, into, dk + ko, s.ks);      // dK += scale·dSᵀ·Q
        continue;
      }
      // The rows' max and sum, and D = dO·O from the recomputed output.
      onlineRows(s, qb, (k + ko), (v + vo), qn, o, s.dh, p, m, l);
      for (int i = 0; i < qn; i++) d[i] = rowSum(dob + (int64_t)i * s.os, o + (int64_t)i * s.dh, s.dh);
      for (int j0 = 0; j0 < s.nk; j0 += KEY_BLOCK) {
        const int kn = std::min(KEY_BLOCK, s.nk - j0);
        const float* kj = (k + ko) + (int64_t)j0 * s.ks;
        const float* vj = (v + vo) + (int64_t)j0 * s.vs;
        gemm(false, true, qn, kn, s.dh, s.scale, qb, s.qs, kj, s.ks, 0.f, p, kn);  // scores [qn, kn]
        for (int i = 0; i < qn; i++) {
          float* row = p + (int64_t)i * kn;
          const float inv = 1.f / l[i];
          for (int j = 0; j < kn; j++) row[j] = fastExp(row[j] - m[i]) * inv;      // P
        }
        gemm(true, false, kn, s.dh, qn, 1.f, p, kn, dob, s.os, into, dv + vo + (int64_t)j0 * s.vs, s.vs);  // dV += Pᵀ·dO
        gemm(false, true, qn, kn, s.dh, 1.f, dob, s.os, vj, s.vs, 0.f, dp, kn);                          // dP = dO·Vᵀ
        softmaxBackwardRows(p, dp, d, qn, kn);                                                           // dS
        gemm(false, false, qn, s.dh, kn, s.scale, dp, kn, kj, s.ks, j0 == 0 ? 0.f : 1.f, dqb, s.qs);     // dQ += scale·dS·K
        gemm(true, false, kn, s.dh, qn, s.scale, dp, kn, qb, s.qs, into, dk + ko + (int64_t)j0 * s.ks, s.ks);  // dK += scale·dSᵀ·Q
      }
    }
  });
}

void adamw(const AdamWScalars& s, const float* p, const float* m, const float* v, const float* g, float* pOut, float* mOut,
           float* vOut, int64_t n) {
  forElements(n, 2 * ELEMENT_GRAIN, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      const float grad = s.gradScale == 1.f ? g[i] : g[i] * s.gradScale;
      const float decayed = s.decayFactor == 1.f ? p[i] : p[i] * s.decayFactor;
      const float m1 = m[i] * s.beta1 + grad * s.oneMinusBeta1;
      const float v1 = v[i] * s.beta2 + (grad * s.oneMinusBeta2) * grad;
      const float denom = std::sqrt(v1) / s.sqrtBias2 + s.eps;
      mOut[i] = m1;
      vOut[i] = v1;
      pOut[i] = decayed + (m1 / denom) * s.negStepSize;
    }
  });
}

void ema(const float* t, const float* o, float* out, int64_t n, float momentum, float keep) {
  forElements(n, 2 * ELEMENT_GRAIN, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) out[i] = t[i] * momentum + o[i] * keep;
  });
}

bool gatherRows(const float* x, const int32_t* idx, float* out, int64_t count, int64_t rowSize, int64_t rows) {
  for (int64_t i = 0; i < count; i++)
    if (idx[i] < 0 || idx[i] >= rows) return false;
  for (int64_t i = 0; i < count; i++) std::memcpy(out + i * rowSize, x + (int64_t)idx[i] * rowSize, sizeof(float) * rowSize);
  return true;
}

double sumSquares(const float* x, int64_t n) {
  double acc = 0;
  for (int64_t i = 0; i < n; i++) acc += (double)x[i] * x[i];
  return acc;
}

}  // namespace vjepa
