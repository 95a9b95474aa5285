// The addon's own single-precision GEMM, for machines without a system BLAS (built with
// -DVJEPA_BUILTIN_GEMM). BLIS's layout: B packed KC × NC in panels of NR columns, A packed MC × KC in
// panels of MR rows, and an MR × NR register-tile micro-kernel of fused multiply-adds. The vector
// width is chosen when the addon is compiled (it is built on the machine that runs it, -march=native):
// AVX-512 (16 floats), AVX2 + FMA (8), NEON on arm64 (4), else plain scalar code. The intrinsics are
// explicit fused multiply-adds, so -ffp-contract=off (which keeps the element-wise kernels' rounding)
// does not slow this down.
#include "kernels.h"
#include "pool.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#elif defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#endif

namespace vjepa {
namespace {

// AVX-512 and AVX2 name their operations alike: _mm512_… and _mm256_….
#define VJEPA_X86_VECTOR_OPS(P)                                          \
  inline Vec vzero() { return P##setzero_ps(); }                         \
  inline Vec vload(const float* p) { return P##loadu_ps(p); }            \
  inline Vec vbroadcast(const float* p) { return P##set1_ps(*p); }       \
  inline Vec vfma(Vec a, Vec b, Vec acc) { return P##fmadd_ps(a, b, acc); } \
  inline void vstore(float* p, Vec v) { P##storeu_ps(p, v); }

#if defined(__AVX512F__)
using Vec = __m512;
constexpr int WIDTH = 16, MR = 12, NR = 32;
constexpr const char* NAME = "built-in AVX-512";
VJEPA_X86_VECTOR_OPS(_mm512_)
#elif defined(__AVX2__) && defined(__FMA__)
using Vec = __m256;
constexpr int WIDTH = 8, MR = 6, NR = 16;
constexpr const char* NAME = "built-in AVX2";
VJEPA_X86_VECTOR_OPS(_mm256_)
#elif defined(__aarch64__) && defined(__ARM_NEON)
using Vec = float32x4_t;
constexpr int WIDTH = 4, MR = 8, NR = 12;
constexpr const char* NAME = "built-in NEON";
inline Vec vzero() { return vdupq_n_f32(0.f); }
inline Vec vload(const float* p) { return vld1q_f32(p); }
inline Vec vbroadcast(const float* p) { return vld1q_dup_f32(p); }
inline Vec vfma(Vec a, Vec b, Vec acc) { return vfmaq_f32(acc, a, b); }
inline void vstore(float* p, Vec v) { vst1q_f32(p, v); }
#else
using Vec = float;
constexpr int WIDTH = 1, MR = 4, NR = 4;
constexpr const char* NAME = "built-in portable (scalar)";
inline Vec vzero() { return 0.f; }
inline Vec vload(const float* p) { return *p; }
inline Vec vbroadcast(const float* p) { return *p; }
inline Vec vfma(Vec a, Vec b, Vec acc) { return acc + a * b; }
inline void vstore(float* p, Vec v) { *p = v; }
#endif

constexpr int NV = NR / WIDTH;  // vectors per tile row
constexpr int KC = 256;         // depth of a packed block
constexpr int MC = 8 * MR;      // rows of a packed A block
constexpr int NC = 64 * NR;     // columns of a packed B block
constexpr double BUILTIN_SPLIT_FLOPS = 4e6;  // a smaller block product runs on the calling thread

// C[mr, nr] = alpha · Σ_p ap[p][·] ⊗ bp[p][·] + beta · C, over kc steps of the packed panels (an
// MR-row panel of A and an NR-column panel of B, zero-padded); beta 0 never reads C.
void microKernel(int kc, const float* ap, const float* bp, float* c, int ldc, int mr, int nr, float alpha, float beta) {
  Vec acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) acc[i][v] = vzero();
  for (int p = 0; p < kc; p++) {
    Vec b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) b[v] = vload(bp + v * WIDTH);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      const Vec a = vbroadcast(ap + i);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc[i][v] = vfma(a, b[v], acc[i][v]);
    }
    ap += MR;
    bp += NR;
  }
  alignas(64) float tile[MR * NR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) vstore(tile + i * NR + v * WIDTH, acc[i][v]);
  for (int i = 0; i < mr; i++) {
    float* row = c + (int64_t)i * ldc;
    const float* t = tile + i * NR;
    if (beta == 0.f) {
      for (int j = 0; j < nr; j++) row[j] = alpha * t[j];
    } else if (beta == 1.f) {
      for (int j = 0; j < nr; j++) row[j] += alpha * t[j];
    } else {
      for (int j = 0; j < nr; j++) row[j] = alpha * t[j] + beta * row[j];
    }
  }
}

// Packs `lines` lines × `depth` of an operand into panels of R lines, out[panel][p][r], zero past the
// last line: the lines are op(A)'s rows or op(B)'s columns, the depth runs along k. Element (line, p) is
// x[line·ld + p] when the lines are contiguous in memory (`alongDepth`), else x[p·ld + line].
void pack(const float* x, int ld, bool alongDepth, int line0, int depth0, int lines, int depth, int R, float* out) {
  for (int l0 = 0; l0 < lines; l0 += R) {
    const int count = std::min(R, lines - l0);
    float* panel = out + (int64_t)l0 * depth;
    if (alongDepth) {
      for (int r = 0; r < R; r++) {
        if (r >= count) {
          for (int p = 0; p < depth; p++) panel[p * R + r] = 0.f;
          continue;
        }
        const float* src = x + (int64_t)(line0 + l0 + r) * ld + depth0;
        for (int p = 0; p < depth; p++) panel[p * R + r] = src[p];
      }
    } else {
      for (int p = 0; p < depth; p++) {
        const float* src = x + (int64_t)(depth0 + p) * ld + line0 + l0;
        float* dst = panel + p * R;
        for (int r = 0; r < count; r++) dst[r] = src[r];
        for (int r = count; r < R; r++) dst[r] = 0.f;
      }
    }
  }
}

std::vector<float>& packBuffer(int which, size_t size) {
  static thread_local std::vector<float> buffers[2];
  if (buffers[which].size() < size) buffers[which].resize(size);
  return buffers[which];
}

}  // namespace

const char* builtinGemmName() { return NAME; }

// B is packed once per (column block, depth block) by the calling thread; the MC-row blocks of A under
// it are the pool's chunks (each packs its own A block into its thread's buffer). Every element is
// summed over k in the same order whichever thread computes it, so the result is the same for any
// number of threads.
void builtinGemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb,
                 float beta, float* c, int ldc) {
  float* bp = packBuffer(0, (size_t)KC * NC).data();
  const int rowBlocks = (m + MC - 1) / MC;
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = std::min(NC, n - jc);
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = std::min(KC, k - pc);
      const float blockBeta = pc == 0 ? beta : 1.f;  // later depth blocks add to what the first wrote
      pack(b, ldb, transB, jc, pc, nc, kc, NR, bp);  // op(B)[pc : pc+kc, jc : jc+nc], by columns
      const auto rows = [&](int64_t block) {
        float* ap = packBuffer(1, (size_t)MC * KC).data();
        const int ic = (int)block * MC;
        const int mc = std::min(MC, m - ic);
        pack(a, lda, !transA, ic, pc, mc, kc, MR, ap);  // op(A)[ic : ic+mc, pc : pc+kc], by rows
        for (int jr = 0; jr < nc; jr += NR) {
          for (int ir = 0; ir < mc; ir += MR) {
            microKernel(kc, ap + (int64_t)ir * kc, bp + (int64_t)jr * kc, c + (int64_t)(ic + ir) * ldc + jc + jr, ldc, std::min(MR, mc - ir),
                        std::min(NR, nc - jr), alpha, blockBeta);
          }
        }
      };
      if (2.0 * m * nc * kc >= BUILTIN_SPLIT_FLOPS) parallelFor(rowBlocks, rows);
      else for (int block = 0; block < rowBlocks; block++) rows(block);
    }
  }
}

}  // namespace vjepa
