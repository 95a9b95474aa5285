// N-API glue: every kernel takes the memory as a typed array (the wasm backend's HEAPU8) and byte
// offsets into it (-1 for an absent optional operand). One table below describes each kernel's
// arguments (a number, or an operand with its extent computed from the numbers); one function unpacks
// them, checks every offset and extent against the memory before the kernel runs (a bad call throws a
// RangeError instead of touching memory) and calls the kernel of kernels.h. The TypeScript side of the
// same functions is `NativeKernels` in @vjepa/base (packages/base/src/native-kernels.ts).
#define NAPI_VERSION 8
#include <node_api.h>

#if defined(VJEPA_APPLE_ACCELERATE)
#include <Accelerate/Accelerate.h>
#elif !defined(VJEPA_BUILTIN_GEMM)
#include <cblas.h>
#endif

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "kernels.h"
#include "pool.h"

#if defined(VJEPA_APPLE_ACCELERATE)
// Accelerate sizes its own thread pool; these keep the same JS surface.
static void openblas_set_num_threads(int) {}
static char* openblas_get_config(void) { return const_cast<char*>("Apple Accelerate"); }
static char* openblas_get_corename(void) { return const_cast<char*>("Apple Accelerate"); }
#elif defined(VJEPA_BUILTIN_GEMM)
// No BLAS: the addon's own GEMM, split across the addon's thread pool.
static void openblas_set_num_threads(int) {}
static char* openblas_get_config(void) {
  static std::string name = std::string(vjepa::builtinGemmName()) + " GEMM (no BLAS; vjepa-accelerate's own kernel)";
  return const_cast<char*>(name.c_str());
}
static char* openblas_get_corename(void) { return const_cast<char*>(vjepa::builtinGemmName()); }
#else
extern "C" {
void openblas_set_num_threads(int);
char* openblas_get_config(void);
char* openblas_get_corename(void);
}
#endif

namespace {

// ---- The argument table -------------------------------------------------------------------------

// Every argument's numeric value by its position in the JS call (position 0, the memory, stays 0).
using Numbers = std::vector<double>;
// The element count of an operand, from the numbers (4 bytes each: float32, or int32 indices).
using Extent = int64_t (*)(const Numbers&);

enum class Kind { Number, Operand, Optional };  // Optional: an operand that may be -1 (absent)

struct Arg {
  Kind kind;
  Extent extent;
};

constexpr Arg NUMBER{Kind::Number, nullptr};
constexpr Arg operand(Extent extent) { return {Kind::Operand, extent}; }
constexpr Arg optional(Extent extent) { return {Kind::Optional, extent}; }

// What a kernel's implementation gets: the numbers and the operands' pointers, by JS position.
struct Call {
  const Numbers& v;
  const std::vector<float*>& p;
  int i(size_t at) const { return static_cast<int>(v[at]); }
  int64_t n(size_t at) const { return static_cast<int64_t>(v[at]); }
  float f(size_t at) const { return static_cast<float>(v[at]); }
};

enum class Returns { Nothing, Boolean, Number };

struct Kernel {
  const char* name;
  std::vector<Arg> args;                // after the memory, in JS order
  double (*run)(const Call&);           // calls kernels.h; its value is returned as `returns` says
  Returns returns = Returns::Nothing;
  bool (*valid)(const Numbers&) = nullptr;  // checks of the numbers beyond the operands' extents
};

int I(const Numbers& v, size_t at) { return static_cast<int>(v[at]); }
int64_t N(const Numbers& v, size_t at) { return static_cast<int64_t>(v[at]); }

// Extent of a row-major operand with `rows` rows of stride ld.
int64_t strided(int rows, int cols, int ld) { return rows == 0 ? 0 : (int64_t)(rows - 1) * ld + cols; }

// Extent of `batch` blocks of `rows` rows of stride `stride`, `width` wide (the attention operands).
int64_t rowsExtent(int batch, int rows, int stride, int width) {
  return batch == 0 ? 0 : ((int64_t)batch * rows - 1) * stride + width;
}

// The attention shape whose numbers start at JS position `first`:
// batch, nq, nk, heads, dh, qs, ks, vs, os, scale.
vjepa::AttentionShape attentionShape(const Numbers& v, size_t first) {
  vjepa::AttentionShape s{};
  s.batch = I(v, first);
  s.nq = I(v, first + 1);
  s.nk = I(v, first + 2);
  s.heads = I(v, first + 3);
  s.dh = I(v, first + 4);
  s.qs = I(v, first + 5);
  s.ks = I(v, first + 6);
  s.vs = I(v, first + 7);
  s.os = I(v, first + 8);
  s.scale = static_cast<float>(v[first + 9]);
  return s;
}

template <size_t First>
bool validAttention(const Numbers& v) {
  const vjepa::AttentionShape s = attentionShape(v, First);
  const int width = s.heads * s.dh;
  return s.batch >= 0 && s.nq >= 1 && s.nk >= 1 && s.heads >= 1 && s.dh >= 1 && s.qs >= width && s.ks >= width &&
         s.vs >= width && s.os >= width;
}

// Extents of the attention operands: queries (nq rows) or keys/values (nk rows) of stride at `stride`.
template <size_t First, size_t Rows, size_t Stride>
int64_t attentionExtent(const Numbers& v) {
  return rowsExtent(I(v, First), I(v, Rows), I(v, Stride), I(v, First + 3) * I(v, First + 4));
}

// The pair rotation whose numbers start at JS position `first`: batch, tokens, groups, heads, dh, tableRows.
vjepa::PairRotation pairRotation(const Numbers& v, size_t first) {
  return {I(v, first), I(v, first + 1), I(v, first + 2), I(v, first + 3), I(v, first + 4), I(v, first + 5)};
}

template <size_t First>
bool validPairRotation(const Numbers& v) {
  const vjepa::PairRotation s = pairRotation(v, First);
  return s.batch >= 0 && s.tokens >= 0 && s.groups >= 1 && s.heads >= 1 && s.dh >= 2 && s.dh % 2 == 0 &&
         (s.tableRows == 1 || s.tableRows == s.batch);
}

// Extents: the tensor [B, N, G, H, dh] and a table [R, N, G, dh], numbers from position `First`.
template <size_t First>
int64_t rotationTensorExtent(const Numbers& v) {
  return (int64_t)I(v, First) * I(v, First + 1) * I(v, First + 2) * I(v, First + 3) * I(v, First + 4);
}
template <size_t First>
int64_t rotationTableExtent(const Numbers& v) {
  return (int64_t)I(v, First + 5) * I(v, First + 1) * I(v, First + 2) * I(v, First + 4);
}

#define EXTENT(expr) [](const Numbers& v) -> int64_t { return (expr); }
#define RUN(body) [](const Call& c) -> double { return (body); }

// The kernels, each with its JS signature. Positions count from the memory (0).
const std::vector<Kernel>& kernels() {
  // Attention: the shape starts at 5 in forward (q, k, v, out before it), at 8 in backward.
  constexpr size_t F = 5, B = 8;
  static const std::vector<Kernel> table = {
      // gemm(mem, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
      {"gemm",
       {NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER,
        operand(EXTENT(v[1] != 0 ? strided(I(v, 5), I(v, 3), I(v, 8)) : strided(I(v, 3), I(v, 5), I(v, 8)))), NUMBER,
        operand(EXTENT(v[2] != 0 ? strided(I(v, 4), I(v, 5), I(v, 10)) : strided(I(v, 5), I(v, 4), I(v, 10)))), NUMBER, NUMBER,
        operand(EXTENT(strided(I(v, 3), I(v, 4), I(v, 13)))), NUMBER},
       RUN((vjepa::gemm(c.v[1] != 0, c.v[2] != 0, c.i(3), c.i(4), c.i(5), c.f(6), c.p[7], c.i(8), c.p[9], c.i(10), c.f(11), c.p[12], c.i(13)), 0))},
      // linearForward(mem, x, w, bias|-1, y, m, in, out)
      {"linearForward",
       {operand(EXTENT((int64_t)I(v, 5) * I(v, 6))), operand(EXTENT((int64_t)I(v, 7) * I(v, 6))), optional(EXTENT(I(v, 7))),
        operand(EXTENT((int64_t)I(v, 5) * I(v, 7))), NUMBER, NUMBER, NUMBER},
       RUN((vjepa::linearForward(c.p[1], c.p[2], c.p[3], c.p[4], c.i(5), c.i(6), c.i(7)), 0))},
      // linearBackward(mem, dy, x, w, dx, dw, db|-1, m, in, out)
      {"linearBackward",
       {operand(EXTENT((int64_t)I(v, 7) * I(v, 9))), operand(EXTENT((int64_t)I(v, 7) * I(v, 8))), operand(EXTENT((int64_t)I(v, 9) * I(v, 8))),
        operand(EXTENT((int64_t)I(v, 7) * I(v, 8))), operand(EXTENT((int64_t)I(v, 9) * I(v, 8))), optional(EXTENT(I(v, 9))), NUMBER, NUMBER,
        NUMBER},
       RUN((vjepa::linearBackward(c.p[1], c.p[2], c.p[3], c.p[4], c.p[5], c.p[6], c.i(7), c.i(8), c.i(9)), 0))},
      // layerNormForward(mem, x, w|-1, b|-1, y, rows, d, eps)
      {"layerNormForward",
       {operand(EXTENT((int64_t)I(v, 5) * I(v, 6))), optional(EXTENT(I(v, 6))), optional(EXTENT(I(v, 6))),
        operand(EXTENT((int64_t)I(v, 5) * I(v, 6))), NUMBER, NUMBER, NUMBER},
       RUN((vjepa::layerNormForward(c.p[1], c.p[2], c.p[3], c.p[4], c.i(5), c.i(6), c.f(7)), 0))},
      // layerNormBackward(mem, dy, x, w|-1, dx, dw|-1, db|-1, rows, d, eps)
      {"layerNormBackward",
       {operand(EXTENT((int64_t)I(v, 7) * I(v, 8))), operand(EXTENT((int64_t)I(v, 7) * I(v, 8))), optional(EXTENT(I(v, 8))),
        operand(EXTENT((int64_t)I(v, 7) * I(v, 8))), optional(EXTENT(I(v, 8))), optional(EXTENT(I(v, 8))), NUMBER, NUMBER, NUMBER},
       RUN((vjepa::layerNormBackward(c.p[1], c.p[2], c.p[3], c.p[4], c.p[5], c.p[6], c.i(7), c.i(8), c.f(9)), 0))},
      // geluForward(mem, x, y, n)
      {"geluForward", {operand(EXTENT(N(v, 3))), operand(EXTENT(N(v, 3))), NUMBER},
       RUN((vjepa::geluForward(c.p[1], c.p[2], c.n(3)), 0))},
      // geluBackward(mem, dy, x, dx, n)
      {"geluBackward", {operand(EXTENT(N(v, 4))), operand(EXTENT(N(v, 4))), operand(EXTENT(N(v, 4))), NUMBER},
       RUN((vjepa::geluBackward(c.p[1], c.p[2], c.p[3], c.n(4)), 0))},
      // rotatePairsForward(mem, x, cos, sin, out, batch, tokens, groups, heads, dh, tableRows)
      {"rotatePairsForward",
       {operand(rotationTensorExtent<5>), operand(rotationTableExtent<5>), operand(rotationTableExtent<5>), operand(rotationTensorExtent<5>),
        NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER},
       RUN((vjepa::rotatePairsForward(pairRotation(c.v, 5), c.p[1], c.p[2], c.p[3], c.p[4]), 0)), Returns::Nothing, validPairRotation<5>},
      // rotatePairsBackward(mem, dy, cos, sin, dx, batch, tokens, groups, heads, dh, tableRows)
      {"rotatePairsBackward",
       {operand(rotationTensorExtent<5>), operand(rotationTableExtent<5>), operand(rotationTableExtent<5>), operand(rotationTensorExtent<5>),
        NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER},
       RUN((vjepa::rotatePairsBackward(pairRotation(c.v, 5), c.p[1], c.p[2], c.p[3], c.p[4]), 0)), Returns::Nothing, validPairRotation<5>},
      // attentionForward(mem, q, k, v, out, batch, nq, nk, heads, dh, qs, ks, vs, os, scale)
      {"attentionForward",
       {operand(attentionExtent<F, F + 1, F + 5>), operand(attentionExtent<F, F + 2, F + 6>), operand(attentionExtent<F, F + 2, F + 7>),
        operand(attentionExtent<F, F + 1, F + 8>), NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER},
       [](const Call& c) -> double {
         const vjepa::AttentionShape s = attentionShape(c.v, F);
         vjepa::attentionForward(s, c.p[1], c.p[2], c.p[3], c.p[4]);
         return 0;
       },
       Returns::Nothing, validAttention<F>},
      // attentionBackward(mem, q, k, v, dout, dq, dk, dv, batch, nq, nk, heads, dh, qs, ks, vs, os, scale)
      {"attentionBackward",
       {operand(attentionExtent<B, B + 1, B + 5>), operand(attentionExtent<B, B + 2, B + 6>), operand(attentionExtent<B, B + 2, B + 7>),
        operand(attentionExtent<B, B + 1, B + 8>), operand(attentionExtent<B, B + 1, B + 5>), operand(attentionExtent<B, B + 2, B + 6>),
        operand(attentionExtent<B, B + 2, B + 7>), NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER},
       [](const Call& c) -> double {
         const vjepa::AttentionShape s = attentionShape(c.v, B);
         vjepa::attentionBackward(s, c.p[1], c.p[2], c.p[3], c.p[4], c.p[5], c.p[6], c.p[7]);
         return 0;
       },
       Returns::Nothing, validAttention<B>},
      // adamw(mem, p, m, v, g, pOut, mOut, vOut, n, decayFactor, beta1, beta2, sqrtBias2, eps, negStepSize, gradScale)
      {"adamw",
       {operand(EXTENT(N(v, 8))), operand(EXTENT(N(v, 8))), operand(EXTENT(N(v, 8))), operand(EXTENT(N(v, 8))), operand(EXTENT(N(v, 8))),
        operand(EXTENT(N(v, 8))), operand(EXTENT(N(v, 8))), NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER},
       [](const Call& c) -> double {
         vjepa::AdamWScalars s{};
         s.decayFactor = c.f(9);
         s.beta1 = c.f(10);
         s.beta2 = c.f(11);
         s.oneMinusBeta1 = (float)(1 - c.v[10]);
         s.oneMinusBeta2 = (float)(1 - c.v[11]);
         s.sqrtBias2 = c.f(12);
         s.eps = c.f(13);
         s.negStepSize = c.f(14);
         s.gradScale = c.f(15);
         vjepa::adamw(s, c.p[1], c.p[2], c.p[3], c.p[4], c.p[5], c.p[6], c.p[7], c.n(8));
         return 0;
       }},
      // ema(mem, target, online, out, n, momentum, keep)
      {"ema", {operand(EXTENT(N(v, 4))), operand(EXTENT(N(v, 4))), operand(EXTENT(N(v, 4))), NUMBER, NUMBER, NUMBER},
       RUN((vjepa::ema(c.p[1], c.p[2], c.p[3], c.n(4), c.f(5), c.f(6)), 0))},
      // gatherRows(mem, x, idx, out, count, rowSize, rows) → false when an index is out of range (nothing written)
      {"gatherRows",
       {operand(EXTENT(N(v, 6) * N(v, 5))), operand(EXTENT(N(v, 4))), operand(EXTENT(N(v, 4) * N(v, 5))), NUMBER, NUMBER, NUMBER},
       RUN(vjepa::gatherRows(c.p[1], reinterpret_cast<const int32_t*>(c.p[2]), c.p[3], c.n(4), c.n(5), c.n(6)) ? 1 : 0),
       Returns::Boolean},
      // sumSquares(mem, x, n) → number
      {"sumSquares", {operand(EXTENT(N(v, 2))), NUMBER}, RUN(vjepa::sumSquares(c.p[1], c.n(2))), Returns::Number},
  };
  return table;
}

#undef EXTENT
#undef RUN

// ---- The one unpacking function -----------------------------------------------------------------

constexpr size_t MAX_ARGS = 20;

// The operand at byte `offset` with `count` elements, or null for -1 when optional; false when it lies
// outside the memory, is misaligned or has a negative extent.
bool locate(uint8_t* base, size_t length, double offset, int64_t count, bool optional, float*& out) {
  out = nullptr;
  if (offset == -1 && optional) return true;
  if (offset < 0 || static_cast<uint64_t>(offset) % 4 != 0 || count < 0 ||
      static_cast<uint64_t>(offset) + static_cast<uint64_t>(count) * 4 > length)
    return false;
  out = reinterpret_cast<float*>(base + static_cast<uint64_t>(offset));
  return true;
}

napi_value Invoke(napi_env env, napi_callback_info info) {
  size_t argc = MAX_ARGS;
  napi_value argv[MAX_ARGS];
  void* data = nullptr;
  napi_get_cb_info(env, info, &argc, argv, nullptr, &data);
  const Kernel& kernel = *static_cast<const Kernel*>(data);
  const size_t count = 1 + kernel.args.size();
  if (argc < count) {
    napi_throw_type_error(env, nullptr, "vjepa-accelerate: too few arguments");
    return nullptr;
  }
  napi_typedarray_type type;
  size_t length;
  void* memory;
  napi_value buffer;
  size_t byteOffset;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &memory, &buffer, &byteOffset) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, nullptr, "vjepa-accelerate: memory: expected a Uint8Array");
    return nullptr;
  }
  Numbers v(count, 0.0);
  bool ok = true;
  for (size_t at = 1; at < count; at++) ok = napi_get_value_double(env, argv[at], &v[at]) == napi_ok && ok;
  if (ok && kernel.valid != nullptr) ok = kernel.valid(v);
  std::vector<float*> p(count, nullptr);
  for (size_t at = 1; ok && at < count; at++) {
    const Arg& arg = kernel.args[at - 1];
    if (arg.kind != Kind::Number) ok = locate(static_cast<uint8_t*>(memory), length, v[at], arg.extent(v), arg.kind == Kind::Optional, p[at]);
  }
  if (!ok) {
    const std::string text = std::string("vjepa-accelerate: ") + kernel.name + ": an operand lies outside the memory or an argument is not a number";
    napi_throw_range_error(env, nullptr, text.c_str());
    return nullptr;
  }
  const double result = kernel.run(Call{v, p});
  napi_value value;
  if (kernel.returns == Returns::Boolean) napi_get_boolean(env, result != 0, &value);
  else if (kernel.returns == Returns::Number) napi_create_double(env, result, &value);
  else napi_get_undefined(env, &value);
  return value;
}

// ---- The BLAS's own functions (no memory) -------------------------------------------------------

// setThreads(n) → the pool's size now in use (n < 1: the default, defaultThreads()). The BLAS itself
// always runs single-threaded: the pool splits its calls.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  double n = 0;
  if (argc >= 1) napi_get_value_double(env, arg, &n);
  openblas_set_num_threads(1);
  const int used = vjepa::setPoolThreads(n >= 1 ? (int)std::min(n, 256.0) : vjepa::defaultPoolThreads());
  napi_value result;
  napi_create_int32(env, used, &result);
  return result;
}

// defaultThreads() → the CPUs this process may use, capped at 8
napi_value DefaultThreads(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_int32(env, vjepa::defaultPoolThreads(), &result);
  return result;
}

// blasCore() → the GEMM's kernel: OpenBLAS's core name (openblas_get_corename), else the built-in GEMM's
napi_value BlasCore(napi_env env, napi_callback_info) {
  napi_value result;
  const char* core = openblas_get_corename();
  napi_create_string_utf8(env, core != nullptr ? core : "unknown", NAPI_AUTO_LENGTH, &result);
  return result;
}

// blasInfo() → OpenBLAS's configuration string
napi_value BlasInfo(napi_env env, napi_callback_info) {
  napi_value result;
  const char* config = openblas_get_config();
  napi_create_string_utf8(env, config != nullptr ? config : "unknown", NAPI_AUTO_LENGTH, &result);
  return result;
}

// scratchFloats() → the floats of scratch one thread holds (the largest any thread's calls asked for)
napi_value ScratchFloats(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_double(env, static_cast<double>(vjepa::attentionScratchHeld()), &result);
  return result;
}

// poolBackoffs() → [back-offs, regions run inline by them]: how often the pool stopped splitting because
// splitting did not pay (a competing process), since the process started
napi_value PoolBackoffs(napi_env env, napi_callback_info) {
  napi_value result, backoffs, inlined;
  napi_create_array_with_length(env, 2, &result);
  napi_create_double(env, static_cast<double>(vjepa::poolBackoffs()), &backoffs);
  napi_create_double(env, static_cast<double>(vjepa::poolInlineRegions()), &inlined);
  napi_set_element(env, result, 0, backoffs);
  napi_set_element(env, result, 1, inlined);
  return result;
}

void define(napi_env env, napi_value exports, const char* name, napi_callback fn, void* data) {
  napi_value value;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, data, &value);
  napi_set_named_property(env, exports, name, value);
}

napi_value Init(napi_env env, napi_value exports) {
  for (const Kernel& kernel : kernels()) define(env, exports, kernel.name, Invoke, const_cast<Kernel*>(&kernel));
  openblas_set_num_threads(1);  // the BLAS's own threads never run: the pool splits the products
  define(env, exports, "setThreads", SetThreads, nullptr);
  define(env, exports, "defaultThreads", DefaultThreads, nullptr);
  define(env, exports, "blasCore", BlasCore, nullptr);
  define(env, exports, "blasInfo", BlasInfo, nullptr);
  define(env, exports, "scratchFloats", ScratchFloats, nullptr);
  define(env, exports, "poolBackoffs", PoolBackoffs, nullptr);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
