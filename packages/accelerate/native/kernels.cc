// The kernels of kernels.h. Compiled with -ffp-contract=off, so that the element-wise kernels round as
// the tfjs reference ops do (one float32 rounding per operation), and -fno-trapping-math, which lets the
// float→int step of exp vectorise without changing any result.
#include "kernels.h"

#ifdef VJEPA_APPLE_ACCELERATE
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace vjepa {

void gemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb,
          float beta, float* c, int ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) c[(int64_t)i * ldc + j] = beta == 0 ? 0.f : beta * c[(int64_t)i * ldc + j];
    return;
  }
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a,
              lda, b, ldb, beta, c, ldc);
}

void linearForward(const float* x, const float* w, const float* bias, float* y, int m, int in, int out) {
  gemm(false, true, m, out, in, 1.f, x, in, w, in, 0.f, y, out);  // [M, out]
  if (bias == nullptr) return;
  for (int i = 0; i < m; i++) {
    float* row = y + (int64_t)i * out;
    for (int j = 0; j < out; j++) row[j] += bias[j];
  }
}

void columnSums(const float* x, float* sums, int rows, int cols) {
  std::vector<double> acc(cols, 0.0);
  for (int i = 0; i < rows; i++) {
    const float* row = x + (int64_t)i * cols;
    for (int j = 0; j < cols; j++) acc[j] += row[j];
  }
  for (int j = 0; j < cols; j++) sums[j] = (float)acc[j];
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
  for (int r = 0; r < rows; r++) {
    const float* xr = x + (int64_t)r * d;
    float* yr = y + (int64_t)r * d;
    float mean, rstd;
    rowStats(xr, d, eps, mean, rstd);
    for (int j = 0; j < d; j++) {
      float v = (xr[j] - mean) * rstd;
      if (w != nullptr) v *= w[j];
      if (b != nullptr) v += b[j];
      yr[j] = v;
    }
  }
}

void layerNormBackward(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db, int rows, int d, float eps) {
  std::vector<double> dwAcc(dw != nullptr ? d : 0, 0.0), dbAcc(db != nullptr ? d : 0, 0.0);
  std::vector<float> xhat(d), g(d);
  for (int r = 0; r < rows; r++) {
    const float* xr = x + (int64_t)r * d;
    const float* dyr = dy + (int64_t)r * d;
    float* dxr = dx + (int64_t)r * d;
    float mean, rstd;
    rowStats(xr, d, eps, mean, rstd);
    double meanG = 0, meanGX = 0;
    for (int j = 0; j < d; j++) {
      xhat[j] = (xr[j] - mean) * rstd;
      g[j] = w != nullptr ? dyr[j] * w[j] : dyr[j];
      meanG += g[j];
      meanGX += (double)g[j] * xhat[j];
    }
    const float mg = (float)(meanG / d), mgx = (float)(meanGX / d);
    for (int j = 0; j < d; j++) dxr[j] = rstd * (g[j] - mg - xhat[j] * mgx);
    if (dw != nullptr) for (int j = 0; j < d; j++) dwAcc[j] += (double)dyr[j] * xhat[j];
    if (db != nullptr) for (int j = 0; j < d; j++) dbAcc[j] += dyr[j];
  }
  if (dw != nullptr) for (int j = 0; j < d; j++) dw[j] = (float)dwAcc[j];
  if (db != nullptr) for (int j = 0; j < d; j++) db[j] = (float)dbAcc[j];
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
  for (int64_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.f + fastErf(x[i] * 0.70710678118654752f));
}

void geluBackward(const float* dy, const float* x, float* dx, int64_t n) {
  const float invSqrt2Pi = 0.39894228040143268f;
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    const float cdf = 0.5f * (1.f + fastErf(v * 0.70710678118654752f));
    const float pdf = invSqrt2Pi * fastExp(-0.5f * v * v);
    dx[i] = dy[i] * (cdf + v * pdf);
  }
}

static void softmaxRows(float* s, int rows, int cols) {
  for (int i = 0; i < rows; i++) {
    float* row = s + (int64_t)i * cols;
    float max = row[0];
    for (int j = 1; j < cols; j++) max = std::max(max, row[j]);
    float sum = 0;
    for (int j = 0; j < cols; j++) {
      row[j] = fastExp(row[j] - max);
      sum += row[j];
    }
    const float inv = 1.f / sum;
    for (int j = 0; j < cols; j++) row[j] *= inv;
  }
}

void attentionForward(const AttentionShape& s, const float* q, const float* k, const float* v, float* out, float* scratch) {
  for (int b = 0; b < s.batch; b++) {
    for (int h = 0; h < s.heads; h++) {
      const float* qb = q + (int64_t)b * s.nq * s.qs + h * s.dh;
      const float* kb = k + (int64_t)b * s.nk * s.ks + h * s.dh;
      const float* vb = v + (int64_t)b * s.nk * s.vs + h * s.dh;
      float* ob = out + (int64_t)b * s.nq * s.os + h * s.dh;
      gemm(false, true, s.nq, s.nk, s.dh, s.scale, qb, s.qs, kb, s.ks, 0.f, scratch, s.nk);  // scores [Nq, Nk]
      softmaxRows(scratch, s.nq, s.nk);                                                       // weights
      gemm(false, false, s.nq, s.dh, s.nk, 1.f, scratch, s.nk, vb, s.vs, 0.f, ob, s.os);     // [Nq, dh]
    }
  }
}

void attentionBackward(const AttentionShape& s, const float* q, const float* k, const float* v, const float* dout,
                       float* dq, float* dk, float* dv, float* scratch) {
  float* p = scratch;
  float* dp = scratch + (int64_t)s.nq * s.nk;
  for (int b = 0; b < s.batch; b++) {
    for (int h = 0; h < s.heads; h++) {
      const int64_t qo = (int64_t)b * s.nq * s.qs + h * s.dh, ko = (int64_t)b * s.nk * s.ks + h * s.dh;
      const int64_t vo = (int64_t)b * s.nk * s.vs + h * s.dh, oo = (int64_t)b * s.nq * s.os + h * s.dh;
      gemm(false, true, s.nq, s.nk, s.dh, s.scale, q + qo, s.qs, k + ko, s.ks, 0.f, p, s.nk);  // scores
      softmaxRows(p, s.nq, s.nk);                                                              // P [Nq, Nk]
      gemm(true, false, s.nk, s.dh, s.nq, 1.f, p, s.nk, dout + oo, s.os, 0.f, dv + vo, s.vs);  // dV = Pᵀ·dO
      gemm(false, true, s.nq, s.nk, s.dh, 1.f, dout + oo, s.os, v + vo, s.vs, 0.f, dp, s.nk);  // dP = dO·Vᵀ
      for (int i = 0; i < s.nq; i++) {
        float* pr = p + (int64_t)i * s.nk;
        float* dpr = dp + (int64_t)i * s.nk;
        float dot = 0;
        for (int j = 0; j < s.nk; j++) dot += pr[j] * dpr[j];
        for (int j = 0; j < s.nk; j++) dpr[j] = pr[j] * (dpr[j] - dot);  // dS
      }
      gemm(false, false, s.nq, s.dh, s.nk, s.scale, dp, s.nk, k + ko, s.ks, 0.f, dq + qo, s.qs);  // dQ = scale·dS·K
      gemm(true, false, s.nk, s.dh, s.nq, s.scale, dp, s.nk, q + qo, s.qs, 0.f, dk + ko, s.ks);   // dK = scale·dSᵀ·Q
    }
  }
}

void adamw(const AdamWScalars& s, const float* p, const float* m, const float* v, const float* g, float* pOut, float* mOut,
           float* vOut, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float grad = s.gradScale == 1.f ? g[i] : g[i] * s.gradScale;
    const float decayed = s.decayFactor == 1.f ? p[i] : p[i] * s.decayFactor;
    const float m1 = m[i] * s.beta1 + grad * s.oneMinusBeta1;
    const float v1 = v[i] * s.beta2 + (grad * s.oneMinusBeta2) * grad;
    const float denom = std::sqrt(v1) / s.sqrtBias2 + s.eps;
    mOut[i] = m1;
    vOut[i] = v1;
    pOut[i] = decayed + (m1 / denom) * s.negStepSize;
  }
}

void ema(const float* t, const float* o, float* out, int64_t n, float momentum, float keep) {
  for (int64_t i = 0; i < n; i++) out[i] = t[i] * momentum + o[i] * keep;
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
