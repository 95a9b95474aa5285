// Float32 kernels of V-JEPA's hot ops, row-major, on caller-owned memory (the wasm backend's heap): the
// one C++ declaration (addon.cc exposes them to JS from one argument table; the JS signatures are
// `NativeKernels` in @vjepa/base). Each has a plain tfjs reference in @vjepa/core, in its kernel's file
// under packages/core/src/accel/kernels/, that the tests compare against; src/kernels.test.ts here checks
// each against a plain JavaScript loop.
#pragma once
#include <cstdint>

namespace vjepa {

// C = alpha · op(A) · op(B) + beta · C (cblas_sgemm, row-major): the system BLAS's, or builtinGemm
// where the addon was built without one (-DVJEPA_BUILTIN_GEMM).
void gemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb,
          float beta, float* c, int ldc);

// The addon's own vectorised GEMM (gemm.cc), for m, n, k ≥ 1; its name says the vector unit it was
// compiled for ("built-in AVX-512", "built-in AVX2", "built-in NEON", "built-in portable (scalar)").
void builtinGemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb,
                 float beta, float* c, int ldc);
const char* builtinGemmName();

// y[M, out] = x[M, in] · w[out, in]ᵀ (+ bias[out]).
void linearForward(const float* x, const float* w, const float* bias, float* y, int m, int in, int out);
// dx = dy·w, dw = dyᵀ·x, db = Σ_rows dy (db may be null).
void linearBackward(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db, int m, int in, int out);

// LayerNorm over the last axis (biased variance, PyTorch's formula); weight/bias may be null.
void layerNormForward(const float* x, const float* w, const float* b, float* y, int rows, int d, float eps);
void layerNormBackward(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db, int rows, int d, float eps);

// Exact GELU 0.5·x·(1 + erf(x/√2)) and its derivative.
void geluForward(const float* x, float* y, int64_t n);
void geluBackward(const float* dy, const float* x, float* dx, int64_t n);

// Rotary positions on channel pairs: x [B, N, G, H, dh] (dh even) turned by tables cos, sin [R, N, G, dh]
// (R = 1: one table for the batch, else R = B; shared by the H heads):
//   out[e] = x[e]·cos[e] + x[e^1]·sin[e]   (e^1: the other channel of e's pair; the sign sits in sin).
// Backward: dx[e] = dy[e]·cos[e] + dy[e^1]·sin[e^1].
struct PairRotation {
  int batch, tokens, groups, heads, dh, tableRows;
};
void rotatePairsForward(const PairRotation& s, const float* x, const float* cos, const float* sin, float* out);
void rotatePairsBackward(const PairRotation& s, const float* dy, const float* cos, const float* sin, float* dx);

// Multi-head attention softmax(scale·QKᵀ)V over `heads` contiguous head slices of width dh.
// q: [B, Nq, ·] rows of stride qs; k, v: [B, Nk, ·] rows of stride ks / vs; out: [B, Nq, ·] stride os.
// Blockwise: QUERY_BLOCK query rows at a time; up to FULL_ROW_KEYS keys each block's scores are whole
// rows (exact softmax), beyond that KEY_BLOCK keys at a time with an online softmax. The scratch of
// either direction is attentionScratchFloats(shape) floats: O(QUERY_BLOCK · min(Nk, KEY_BLOCK)),
// never Nq × Nk.
struct AttentionShape {
  int batch, nq, nk, heads, dh, qs, ks, vs, os;
  float scale;
};
constexpr int QUERY_BLOCK = 64;
constexpr int KEY_BLOCK = 1024;
constexpr int FULL_ROW_KEYS = 4096;
// Each thread of the pool (pool.h) that runs a block holds its own scratch; attentionScratchHeld() is
// the largest any thread holds. Forward splits over batch × heads × query blocks, backward over
// batch × heads.
int64_t attentionScratchFloats(const AttentionShape& s, bool backward);
int64_t attentionScratchHeld();
void attentionForward(const AttentionShape& s, const float* q, const float* k, const float* v, float* out);
// Recomputes the weights block by block; dq/dk/dv use the strides of q/k/v.
void attentionBackward(const AttentionShape& s, const float* q, const float* k, const float* v, const float* dout,
                       float* dq, float* dk, float* dv);

// torch.optim.AdamW's update of one parameter, out of place.
struct AdamWScalars {
  float decayFactor;  // 1 − lr·wd
  float beta1, beta2, oneMinusBeta1, oneMinusBeta2;
  float sqrtBias2;    // √(1 − β₂ᵗ)
  float eps;
  float negStepSize;  // −lr / (1 − β₁ᵗ)
  float gradScale;    // multiplies the gradient first (clipping); 1 for none
};
void adamw(const AdamWScalars& s, const float* p, const float* m, const float* v, const float* g, float* pOut, float* mOut,
           float* vOut, int64_t n);

// out = t·m + o·(1 − m), both factors float32 as the official in-place update rounds them.
void ema(const float* t, const float* o, float* out, int64_t n, float momentum, float keep);

// out[i, :] = x[idx[i], :] for rows of `rowSize` floats; false (nothing written) if an index is outside [0, rows).
bool gatherRows(const float* x, const int32_t* idx, float* out, int64_t count, int64_t rowSize, int64_t rows);

// Σ x² in double.
double sumSquares(const float* x, int64_t n);

}  // namespace vjepa
