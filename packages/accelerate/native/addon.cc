// N-API glue: every function takes the memory as a typed array (the wasm backend's HEAPU8) and byte
// offsets into it (-1 for an absent optional operand). Offsets and extents are checked against the
// memory before a kernel runs; a bad call throws a RangeError instead of touching memory.
#define NAPI_VERSION 8
#include <node_api.h>

#ifdef VJEPA_APPLE_ACCELERATE
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "kernels.h"

#ifdef VJEPA_APPLE_ACCELERATE
// Accelerate sizes its own thread pool; these keep the same JS surface.
static void openblas_set_num_threads(int) {}
static int openblas_get_num_threads(void) { return 0; }
static char* openblas_get_config(void) { return const_cast<char*>("Apple Accelerate"); }
#else
extern "C" {
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
}
#endif

namespace {

struct Args {
  napi_env env;
  std::vector<napi_value> values;
  uint8_t* base = nullptr;
  size_t length = 0;
  bool ok = true;
};

bool fetch(napi_env env, napi_callback_info info, size_t count, Args& args) {
  args.env = env;
  args.values.resize(count);
  size_t argc = count;
  napi_get_cb_info(env, info, &argc, args.values.data(), nullptr, nullptr);
  if (argc < count) {
    napi_throw_type_error(env, nullptr, "vjepa-accelerate: too few arguments");
    return false;
  }
  napi_typedarray_type type;
  size_t elements;
  void* data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, args.values[0], &type, &elements, &data, &buffer, &offset) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, nullptr, "vjepa-accelerate: memory: expected a Uint8Array");
    return false;
  }
  args.base = static_cast<uint8_t*>(data);
  args.length = elements;
  return true;
}

double number(Args& a, size_t i) {
  double v = 0;
  if (napi_get_value_double(a.env, a.values[i], &v) != napi_ok) a.ok = false;
  return v;
}

int integer(Args& a, size_t i) { return static_cast<int>(number(a, i)); }

// A float32 operand of `count` elements at byte offset argument i; null for -1 when optional.
float* pointer(Args& a, size_t i, int64_t count, bool optional = false) {
  const double offset = number(a, i);
  if (!a.ok) return nullptr;
  if (offset == -1 && optional) return nullptr;
  if (offset < 0 || static_cast<uint64_t>(offset) % 4 != 0 || count < 0 ||
      static_cast<uint64_t>(offset) + static_cast<uint64_t>(count) * 4 > a.length) {
    a.ok = false;
    return nullptr;
  }
  return reinterpret_cast<float*>(a.base + static_cast<uint64_t>(offset));
}

napi_value fail(Args& a, const char* name) {
  std::string text = std::string("vjepa-accelerate: ") + name + ": an operand lies outside the memory or an argument is not a number";
  napi_throw_range_error(a.env, nullptr, text.c_str());
  return nullptr;
}

napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// gemm(mem, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
napi_value Gemm(napi_env env, napi_callback_info info) {
  Args a;
  if (!fetch(env, info, 14, a)) return nullptr;
  const bool ta = number(a, 1) != 0, tb = number(a, 2) != 0;
  const int m = integer(a, 3), n = integer(a, 4), k = integer(a, 5);
  const float alpha = (float)number(a, 6), beta = (float)number(a, 11);
  const int lda = integer(a, 8), ldb = integer(a, 10), ldc = integer(a, 13);
  // Extent of a row-major operand with `rows` rows of stride ld.
  auto extent = [](int rows, int cols, int ld) -> int64_t { return rows == 0 ? 0 : (int64_t)(rows - 1) * ld + cols; };
  const float* pa = pointer(a, 7, ta ? extent(k, m, lda) : extent(m, k, lda));
  const float* pb = pointer(a, 9, tb ? extent(n, k, ldb) : extent(k, n, ldb));
  float* pc = pointer(a, 12, extent(m, n, ldc));
  if (!a.ok) return fail(a, "gemm");
  vjepa::gemm(ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
  return undefinedValue(env);
}

// linearForward(mem, x, w, bias|-1, y, m, in, out)
napi_value LinearForward(napi_env env, napi_callback_info info) {
  Args a;
  if (!fetch(env, info, 8, a)) return nullptr;
  const int m = integer(a, 5), in = integer(a, 6), out = integer(a, 7);
  const float* x = pointer(a, 1, (int64_t)m * in);
  const float* w = pointer(a, 2, (int64_t)out * in);
  const float* b = pointer(a, 3, out, true);
  float* y = pointer(a, 4, (int64_t)m * out);
  if (!a.ok) return fail(a, "linearForward");
  vjepa::linearForward(x, w, b, y, m, in, out);
  return undefinedValue(env);
}

// linearBackward(mem, dy, x, w, dx, dw, db|-1, m, in, out)
napi_value LinearBackward(napi_env env, napi_callback_info info) {
  Args a;
  if (!fetch(env, info, 10, a)) return nullptr;
  const int m = integer(a, 7), in = integer(a, 8), out = integer(a, 9);
  const float* dy = pointer(a, 1, (int64_t)m * out);
  const float* x = pointer(a, 2, (int64_t)m * in);
  const float* w = pointer(a, 3, (int64_t)out * in);
  float* dx = pointer(a, 4, (int64_t)m * in);
  float* dw = pointer(a, 5, (int64_t)out * in);
  float* db = pointer(a, 6, out, true);
  if (!a.ok) return fail(a, "linearBackward");
  vjepa::linearBackward(dy, x, w, dx, dw, db, m, in, out);
  return undefinedValue(env);
}

// layerNormForward(mem, x, w|-1, b|-1, y, rows, d, eps)
napi_value LayerNormForward(napi_env env, napi_callback_info info) {
  Args a;
  if (!fetch(env, info, 8, a)) return nullptr;
  const int rows = integer(a, 5), d = integer(a, 6);
  const float eps = (float)number(a, 7);
  const float* x = pointer(a, 1, (int64_t)rows * d);
  const float* w = pointer(a, 2, d, true);
  const float* b = pointer(a, 3, d, true);
  float* y = pointer(a, 4, (int64_t)rows * d);
  if (!a.ok) return fail(a, "layerNormForward");
  vjepa::layerNormForward(x, w, b, y, rows, d, eps);
  return undefinedValue(env);
}

// layerNormBackward(mem, dy, x, w|-1, dx, dw|-1, db|-1, rows, d, eps)
napi_value LayerNormBackward(napi_env env, napi_callback_info info) {
  Args a;
  if (!fetch(env, info, 10, a)) return nullptr;
  const int rows = integer(a, 7), d = integer(a, 8);
  const float eps = (float)number(a, 9);
  const float* dy = pointer(a, 1, (int64_t)rows * d);
  const float* x = pointer(a, 2, (int64_t)rows * d);
  const float* w = pointer(a, 3, d, true);
  float* dx = pointer(a, 4, (int64_t)rows * d);
  float* dw = pointer(a, 5, d, true);
  float* db = pointer(a, 6, d, true);
  if (!a.ok) return fail(a, "layerNormBackward");
  vjepa::layerNormBackward(dy, x, w, dx, dw, db, rows, d, eps);
  return undefinedValue(env);
}

// geluForward(mem, x, y, n) / geluBackward(mem, dy, x, dx, n)
napi_value GeluForward(napi_env env, napi_callback_info info) {
  Args a;
  if (!fetch(env, info, 4, a)) return nullptr;
  const int64_t n = (int64_t)number(a, 3);
  const float* x = pointer(a, 1, n);
  float* y = pointer(a, 2, n);
  if (!a.ok) return fail(a, "geluForward");
  vjepa::geluForward(x, y, n);
  return undefinedValue(env);
}

napi_value GeluBackward(napi_env env, napi_callback_info info) {
  Args a;
  if (!fetch(env, info, 5, a)) return nullptr;
  const int64_t n = (int64_t)number(a, 4);
  const float* dy = pointer(a, 1, n);
  const float* x = pointer(a, 2, n);
  float* dx = pointer(a, 3, n);
  if (!a.ok) return fail(a, "geluBackward");
  vjepa::geluBackward(dy, x, dx, n);
  return undefinedValue(env);
}

bool attentionShape(Args& a, size_t first, vjepa::AttentionShape& s) {
  s.batch = integer(a, first);
  s.nq = integer(a, first + 1);
  s.nk = integer(a, first + 2);
  s.heads = integer(a, first + 3);
  s.dh = integer(a, first + 4);
  s.qs = integer(a, first + 5);
  s.ks = integer(a, first + 6);
  s.vs = integer(a, first + 7);
  s.os = integer(a, first + 8);
  s.scale = (float)number(a, first + 9);
  return a.ok && s.batch >= 0 && s.nq >= 1 && s.nk >= 1 && s.heads >= 1 && s.dh >= 1 && s.qs >= s.heads * s.dh &&
         s.ks >= s.heads * s.dh && s.vs >= s.heads * s.dh && s.os >= s.heads * s.dh;
}

int64_t rowsExtent(int batch, int rows, int stride, int width) {
  return batch == 0 ? 0 : ((int64_t)batch * rows - 1) * stride + width;
}

std::vector<float>& scratch(int64_t size) {
  static thread_local std::vector<float> buffer;
  if ((int64_t)buffer.size() < size) buffer.resize(size);
  return buffer;
}

// attentionForward(mem, q, k, v, out, batch, nq, nk, heads, dh, qs, ks, vs, os, scale)
napi_value AttentionForward(napi_env env, napi_callback_info info) {
  Args a;
  if (!fetch(env, info, 15, a)) return nullptr;
  vjepa::AttentionShape s{};
  if (!attentionShape(a, 5, s)) return fail(a, "attentionForward");
  const int width = s.heads * s.dh;
  const float* q = pointer(a, 1, rowsExtent(s.batch, s.nq, s.qs, width));
  const float* k = pointer(a, 2, rowsExtent(s.batch, s.nk, s.ks, width));
  const float* v = pointer(a, 3, rowsExtent(s.batch, s.nk, s.vs, width));
  float* out = pointer(a, 4, rowsExtent(s.batch, s.nq, s.os, width));
  if (!a.ok) return fail(a, "attentionForward");
  vjepa::attentionForward(s, q, k, v, out, scratch((int64_t)s.nq * s.nk).data());
  return undefinedValue(env);
}

// attentionBackward(mem, q, k, v, dout, dq, dk, dv, batch, nq, nk, heads, dh, qs, ks, vs, os, scale)
napi_value AttentionBackward(napi_env env, napi_callback_info info) {
  Args a;
  if (!fetch(env, info, 18, a)) return nullptr;
  vjepa::AttentionShape s{};
  if (!attentionShape(a, 8, s)) return fail(a, "attentionBackward");
  const int width = s.heads * s.dh;
  const int64_t qe = rowsExtent(s.batch, s.nq, s.qs, width), ke = rowsExtent(s.batch, s.nk, s.ks, width);
  const int64_t ve = rowsExtent(s.batch, s.nk, s.vs, width), oe = rowsExtent(s.batch, s.nq, s.os, width);
  const float* q = pointer(a, 1, qe);
  const float* k = pointer(a, 2, ke);
  const float* v = pointer(a, 3, ve);
  const float* dout = pointer(a, 4, oe);
  float* dq = pointer(a, 5, qe);
  float* dk = pointer(a, 6, ke);
  float* dv = pointer(a, 7, ve);
  if (!a.ok) return fail(a, "attentionBackward");
  vjepa::attentionBackward(s, q, k, v, dout, dq, dk, dv, scratch(2 * (int64_t)s.nq * s.nk).data());
  return undefinedValue(env);
}

// adamw(mem, p, m, v, g, pOut, mOut, vOut, n, decayFactor, beta1, beta2, sqrtBias2, eps, negStepSize, gradScale)
napi_value AdamW(napi_env env, napi_callback_info info) {
  Args a;
  if (!fetch(env, info, 16, a)) return nullptr;
  const int64_t n = (int64_t)number(a, 8);
  vjepa::AdamWScalars s{};
  s.decayFactor = (float)number(a, 9);
  const double beta1 = number(a, 10), beta2 = number(a, 11);
  s.beta1 = (float)beta1;
  s.beta2 = (float)beta2;
  s.oneMinusBeta1 = (float)(1 - beta1);
  s.oneMinusBeta2 = (float)(1 - beta2);
  s.sqrtBias2 = (float)number(a, 12);
  s.eps = (float)number(a, 13);
  s.negStepSize = (float)number(a, 14);
  s.gradScale = (float)number(a, 15);
  const float* p = pointer(a, 1, n);
  const float* m = pointer(a, 2, n);
  const float* v = pointer(a, 3, n);
  const float* g = pointer(a, 4, n);
  float* po = pointer(a, 5, n);
  float* mo = pointer(a, 6, n);
  float* vo = pointer(a, 7, n);
  if (!a.ok) return fail(a, "adamw");
  vjepa::adamw(s, p, m, v, g, po, mo, vo, n);
  return undefinedValue(env);
}

// ema(mem, t, o, out, n, momentum, keep)
napi_value Ema(napi_env env, napi_callback_info info) {
  Args a;
  if (!fetch(env, info, 7, a)) return nullptr;
  const int64_t n = (int64_t)number(a, 4);
  const float momentum = (float)number(a, 5), keep = (float)number(a, 6);
  const float* t = pointer(a, 1, n);
  const float* o = pointer(a, 2, n);
  float* out = pointer(a, 3, n);
  if (!a.ok) return fail(a, "ema");
  vjepa::ema(t, o, out, n, momentum, keep);
  return undefinedValue(env);
}

// gatherRows(mem, x, idx, out, count, rowSize, rows) → false when an index is out of range (nothing written)
napi_value GatherRows(napi_env env, napi_callback_info info) {
  Args a;
  if (!fetch(env, info, 7, a)) return nullptr;
  const int64_t count = (int64_t)number(a, 4), rowSize = (int64_t)number(a, 5), rows = (int64_t)number(a, 6);
  const float* x = pointer(a, 1, rows * rowSize);
  const int32_t* idx = reinterpret_cast<const int32_t*>(pointer(a, 2, count));
  float* out = pointer(a, 3, count * rowSize);
  if (!a.ok) return fail(a, "gatherRows");
  napi_value result;
  napi_get_boolean(env, vjepa::gatherRows(x, idx, out, count, rowSize, rows), &result);
  return result;
}

// sumSquares(mem, x, n) → number
napi_value SumSquares(napi_env env, napi_callback_info info) {
  Args a;
  if (!fetch(env, info, 3, a)) return nullptr;
  const int64_t n = (int64_t)number(a, 2);
  const float* x = pointer(a, 1, n);
  if (!a.ok) return fail(a, "sumSquares");
  napi_value result;
  napi_create_double(env, vjepa::sumSquares(x, n), &result);
  return result;
}

// setThreads(n) → the thread count now in use
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  double n = 1;
  if (argc >= 1) napi_get_value_double(env, arg, &n);
  openblas_set_num_threads(n < 1 ? 1 : (int)n);
  napi_value result;
  napi_create_int32(env, openblas_get_num_threads(), &result);
  return result;
}

// blasInfo() → OpenBLAS's configuration string
napi_value BlasInfo(napi_env env, napi_callback_info) {
  napi_value result;
  const char* config = openblas_get_config();
  napi_create_string_utf8(env, config != nullptr ? config : "unknown", NAPI_AUTO_LENGTH, &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  const struct {
    const char* name;
    napi_callback fn;
  } functions[] = {
      {"gemm", Gemm},
      {"linearForward", LinearForward},
      {"linearBackward", LinearBackward},
      {"layerNormForward", LayerNormForward},
      {"layerNormBackward", LayerNormBackward},
      {"geluForward", GeluForward},
      {"geluBackward", GeluBackward},
      {"attentionForward", AttentionForward},
      {"attentionBackward", AttentionBackward},
      {"adamw", AdamW},
      {"ema", Ema},
      {"gatherRows", GatherRows},
      {"sumSquares", SumSquares},
      {"setThreads", SetThreads},
      {"blasInfo", BlasInfo},
  };
  for (const auto& f : functions) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
