import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The addon's functions. Each takes the memory as a `Uint8Array` (the wasm backend's `HEAPU8`) and byte
 * offsets of float32 operands in it (`-1` for an absent optional operand); shapes are row-major. Every
 * operand's extent is checked against the memory first: a bad call throws a `RangeError`.
 */
export interface NativeKernels {
  /** `C = α·op(A)·op(B) + β·C` (cblas_sgemm). */
  gemm(mem: Uint8Array, transA: number, transB: number, m: number, n: number, k: number, alpha: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): void;
  /** `y[M, out] = x[M, in]·w[out, in]ᵀ (+ bias)`. */
  linearForward(mem: Uint8Array, x: number, w: number, bias: number, y: number, m: number, inFeatures: number, outFeatures: number): void;
  /** `dx = dy·w`, `dw = dyᵀ·x`, `db = Σ dy`. */
  linearBackward(mem: Uint8Array, dy: number, x: number, w: number, dx: number, dw: number, db: number, m: number, inFeatures: number, outFeatures: number): void;
  layerNormForward(mem: Uint8Array, x: number, w: number, b: number, y: number, rows: number, d: number, eps: number): void;
  layerNormBackward(mem: Uint8Array, dy: number, x: number, w: number, dx: number, dw: number, db: number, rows: number, d: number, eps: number): void;
  geluForward(mem: Uint8Array, x: number, y: number, n: number): void;
  geluBackward(mem: Uint8Array, dy: number, x: number, dx: number, n: number): void;
  /** softmax(scale·QKᵀ)·V per batch and head; q/k/v/out rows have strides qs/ks/vs/os (elements). */
  attentionForward(mem: Uint8Array, q: number, k: number, v: number, out: number, batch: number, nq: number, nk: number, heads: number, dh: number, qs: number, ks: number, vs: number, os: number, scale: number): void;
  attentionBackward(mem: Uint8Array, q: number, k: number, v: number, dout: number, dq: number, dk: number, dv: number, batch: number, nq: number, nk: number, heads: number, dh: number, qs: number, ks: number, vs: number, os: number, scale: number): void;
  adamw(mem: Uint8Array, p: number, m: number, v: number, g: number, pOut: number, mOut: number, vOut: number, n: number, decayFactor: number, beta1: number, beta2: number, sqrtBias2: number, eps: number, negStepSize: number, gradScale: number): void;
  ema(mem: Uint8Array, target: number, online: number, out: number, n: number, momentum: number, keep: number): void;
  /** `out[i] = x[idx[i]]` for rows of `rowSize` floats; false (nothing written) when an index is outside `[0, rows)`. */
  gatherRows(mem: Uint8Array, x: number, idx: number, out: number, count: number, rowSize: number, rows: number): boolean;
  sumSquares(mem: Uint8Array, x: number, n: number): number;
  /** Sets the BLAS thread count; returns the count now in use (0 where the BLAS sizes its own pool). */
  setThreads(threads: number): number;
  /** The BLAS library's configuration string. */
  blasInfo(): string;
}

/** What {@link loadNativeKernels} found. */
export interface NativeLoad {
  kernels: NativeKernels | null;
  /** One sentence: what loaded, or why nothing did and what would fix it. */
  reason: string;
}

const ADDON = 'vjepa_accelerate.node';
const REBUILD = 'node node_modules/@vjepa/accelerate/scripts/build.cjs';

function packageRoot(): string {
  // src/ and dist/ both sit one level below the package root.
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

function buildStatus(root: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(root, 'build', 'status.json'), 'utf8')) as { reason?: string }).reason;
  } catch {
    return undefined;
  }
}

let cached: NativeLoad | undefined;

/**
 * Loads the native kernels built at install time, once per process. Returns `kernels: null` with the
 * reason when the addon was not built (no compiler, headers or BLAS) or does not load; nothing throws.
 *
 * @example
 * const { kernels, reason } = loadNativeKernels();
 * console.log(kernels ? `native: ${kernels.blasInfo()}` : `not active: ${reason}`);
 */
export function loadNativeKernels(): NativeLoad {
  if (cached) return cached;
  const root = packageRoot();
  const file = join(root, 'build', ADDON);
  if (!existsSync(file)) {
    const status = buildStatus(root);
    cached = {
      kernels: null,
      reason: `the addon was not built (${status ?? 'its install script did not run'}); install a C++ compiler and a BLAS (Debian/Ubuntu: apt-get install g++ libopenblas-dev), then run ${REBUILD}`,
    };
    return cached;
  }
  try {
    const kernels = createRequire(import.meta.url)(file) as NativeKernels;
    cached = { kernels, reason: `native kernels loaded (${kernels.blasInfo().trim()})` };
  } catch (error) {
    const text = error instanceof Error ? error.message.split('\n')[0] : String(error);
    cached = { kernels: null, reason: `the addon ${file} does not load (${text}); rebuild it with ${REBUILD}` };
  }
  return cached;
}
