/**
 * The functions of `@vjepa/accelerate`'s native addon, declared once for both sides: the addon's loader
 * (`@vjepa/accelerate`, which has no tfjs) returns them and `@vjepa/core`'s kernels call them. The C++
 * side is `packages/accelerate/native/kernels.h`; `native/addon.cc` unpacks these arguments from one table.
 *
 * Every kernel takes the memory as a `Uint8Array` (the wasm backend's `HEAPU8`) and byte offsets of
 * float32 operands in it (`-1` for an absent optional operand); shapes are row-major. Every operand's
 * extent is checked against the memory first: a bad offset or a non-number throws a `RangeError`, a
 * missing argument or a memory that is not a `Uint8Array` a `TypeError`.
 */
export interface NativeKernels {
  /** `C = α·op(A)·op(B) + β·C` (cblas_sgemm); `transA`/`transB` 0 or 1, leading dimensions in elements. */
  gemm(mem: Uint8Array, transA: number, transB: number, m: number, n: number, k: number, alpha: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): void;
  /** `y[M, out] = x[M, in]·w[out, in]ᵀ (+ bias[out])`; `bias` may be -1. */
  linearForward(mem: Uint8Array, x: number, w: number, bias: number, y: number, m: number, inFeatures: number, outFeatures: number): void;
  /** `dx = dy·w`, `dw = dyᵀ·x`, `db = Σ dy` over the rows (`db` may be -1). */
  linearBackward(mem: Uint8Array, dy: number, x: number, w: number, dx: number, dw: number, db: number, m: number, inFeatures: number, outFeatures: number): void;
  /** LayerNorm over the last axis of `[rows, d]` (biased variance, PyTorch's formula); `w`/`b` may be -1. */
  layerNormForward(mem: Uint8Array, x: number, w: number, b: number, y: number, rows: number, d: number, eps: number): void;
  /** The gradient of {@link NativeKernels.layerNormForward}: `dx`, and `dw`/`db` (each may be -1). */
  layerNormBackward(mem: Uint8Array, dy: number, x: number, w: number, dx: number, dw: number, db: number, rows: number, d: number, eps: number): void;
  /** Exact GELU `0.5·x·(1 + erf(x/√2))` of `n` floats. */
  geluForward(mem: Uint8Array, x: number, y: number, n: number): void;
  /** `dx = dy·GELU'(x)` of `n` floats. */
  geluBackward(mem: Uint8Array, dy: number, x: number, dx: number, n: number): void;
  /**
   * Rotary positions on channel pairs: `x [B, N, G, H, dh]` (dh even) turned by tables `cos`, `sin`
   * `[R, N, G, dh]` (R = 1 or B, shared by the heads): `out[e] = x[e]·cos[e] + x[e^1]·sin[e]`.
   */
  rotatePairsForward(mem: Uint8Array, x: number, cos: number, sin: number, out: number, batch: number, tokens: number, groups: number, heads: number, dh: number, tableRows: number): void;
  /** The gradient of {@link NativeKernels.rotatePairsForward} in `x`: `dx[e] = dy[e]·cos[e] + dy[e^1]·sin[e^1]`. */
  rotatePairsBackward(mem: Uint8Array, dy: number, cos: number, sin: number, dx: number, batch: number, tokens: number, groups: number, heads: number, dh: number, tableRows: number): void;
  /** `softmax(scale·QKᵀ)·V` per batch and head (heads contiguous slices of width `dh`); q/k/v/out rows have strides qs/ks/vs/os (elements). Blockwise: its scratch is bounded by 64 query rows × at most 4,096 keys (1,024 at a time with an online softmax beyond), never `Nq·Nk`. */
  attentionForward(mem: Uint8Array, q: number, k: number, v: number, out: number, batch: number, nq: number, nk: number, heads: number, dh: number, qs: number, ks: number, vs: number, os: number, scale: number): void;
  /** The gradient of {@link NativeKernels.attentionForward} (weights recomputed block by block, bounded scratch as forward); dq/dk/dv have the strides of q/k/v. */
  attentionBackward(mem: Uint8Array, q: number, k: number, v: number, dout: number, dq: number, dk: number, dv: number, batch: number, nq: number, nk: number, heads: number, dh: number, qs: number, ks: number, vs: number, os: number, scale: number): void;
  /** torch.optim.AdamW's update of `n` floats, out of place: `decayFactor` = 1 − lr·wd, `sqrtBias2` = √(1 − β₂ᵗ), `negStepSize` = −lr/(1 − β₁ᵗ), `gradScale` multiplies the gradient first. */
  adamw(mem: Uint8Array, p: number, m: number, v: number, g: number, pOut: number, mOut: number, vOut: number, n: number, decayFactor: number, beta1: number, beta2: number, sqrtBias2: number, eps: number, negStepSize: number, gradScale: number): void;
  /** `out = target·momentum + online·keep` of `n` floats (`keep` = 1 − momentum, each factor rounded to float32). */
  ema(mem: Uint8Array, target: number, online: number, out: number, n: number, momentum: number, keep: number): void;
  /** `out[i] = x[idx[i]]` for rows of `rowSize` floats (`idx` int32); false (nothing written) when an index is outside `[0, rows)`. */
  gatherRows(mem: Uint8Array, x: number, idx: number, out: number, count: number, rowSize: number, rows: number): boolean;
  /** `Σ x²` of `n` floats, accumulated in double. */
  sumSquares(mem: Uint8Array, x: number, n: number): number;
  /**
   * Sizes the addon's thread pool: `threads` threads in all, the calling one included (below 1: {@link
   * NativeKernels.defaultThreads}). The pool splits the products, attention (batch × heads × query
   * blocks), LayerNorm, GELU, AdamW and the EMA in chunks fixed by the shapes alone, so the results do
   * not depend on the count; the BLAS itself always runs single-threaded. Whether splitting pays (the
   * back-off beside a competing process) is judged afresh at a new size, and kept across a resize to 1
   * and back. Returns the size now in use.
   */
  setThreads(threads: number): number;
  /** The pool's default size: the CPUs this process may run on (its affinity mask), at most 8. */
  defaultThreads(): number;
  /** The BLAS library's configuration string, or which built-in GEMM the addon was compiled with where it has no BLAS. */
  blasInfo(): string;
  /** The GEMM's kernel: OpenBLAS's core name (`openblas_get_corename()`, e.g. `Haswell`, `SkylakeX`, `Zen`), `Apple Accelerate`, or the built-in GEMM's name. */
  blasCore(): string;
  /** The floats of scratch memory one thread holds: the largest any thread's calls needed (attention's blocks; never `Nq·Nk`). */
  scratchFloats(): number;
  /**
   * `[backOffs, inlineRegions]` since the process started: how often the pool stopped splitting because
   * split regions gained too little (a competing process took the cores), and how many regions it ran
   * inline, on the calling thread alone, during those back-offs.
   */
  poolBackoffs(): [number, number];
}

/** What `@vjepa/accelerate`'s `loadNativeKernels()` found. */
export interface NativeLoad {
  /** The addon's functions, or null when it was not built or does not load. */
  kernels: NativeKernels | null;
  /** One sentence: what loaded, or why nothing did and what would fix it. */
  reason: string;
}
