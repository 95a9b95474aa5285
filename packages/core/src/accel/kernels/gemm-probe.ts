import type { NativeKernels } from '@vjepa/base';

/** What {@link measureGemm} found: which GEMM the native kernels run and how fast it went. */
export interface GemmMeasurement {
  /** The addon's GEMM: the BLAS's configuration string (OpenBLAS names its core kernel) or its built-in GEMM's name. */
  gemm: string;
  /** Measured GFLOP/s of a square sgemm (2·n³ flops per product). */
  gflops: number;
  /** The matrices' side n. */
  size: number;
  /** Products timed (after one untimed warm-up). */
  runs: number;
}

/**
 * A short probe of the native GEMM (`vjepa doctor` runs it): square `size`³ products on the addon's
 * own memory, repeated for at least `minSeconds` after one warm-up, with the BLAS's current threads.
 * A diagnostic, not a benchmark: `vjepa bench` times whole steps.
 *
 * @example
 * const kernels = activeNativeKernels();
 * if (kernels) console.log(`${measureGemm(kernels).gflops.toFixed(0)} GFLOP/s`);
 */
export function measureGemm(kernels: NativeKernels, size = 384, minSeconds = 0.25): GemmMeasurement {
  const floats = size * size;
  const mem = new Uint8Array(3 * 4 * floats);
  const view = new Float32Array(mem.buffer);
  for (let i = 0; i < 2 * floats; i++) view[i] = ((i * 7919) % 1000) / 1000 - 0.5; // A and B; C is written
  const product = () => kernels.gemm(mem, 0, 0, size, size, size, 1, 0, size, 4 * floats, size, 0, 8 * floats, size);
  product(); // warm-up: packing buffers, BLAS threads
  const start = performance.now();
  let runs = 0;
  do {
    product();
    runs++;
  } while (performance.now() - start < minSeconds * 1000);
  const seconds = (performance.now() - start) / 1000;
  return { gemm: kernels.blasInfo().trim(), gflops: (2 * size ** 3 * runs) / seconds / 1e9, size, runs };
}

/** Which matrix-product kernel the native kernels run: {@link gemmKernel}'s answer. */
export interface GemmKernel {
  /** The BLAS's configuration string (`openblas_get_config()`), or the built-in GEMM's description. */
  config: string;
  /** The kernel itself: OpenBLAS's core name (`openblas_get_corename()`: `Haswell`, `SkylakeX`, `Zen`, …), `Apple Accelerate`, or the built-in GEMM's name. */
  core: string;
  /** `OPENBLAS_CORETYPE` when set (it forces OpenBLAS's core; this project never sets it), else null. */
  coreType: string | null;
}

/**
 * Asks the addon which GEMM kernel runs: the library's own answer where OpenBLAS is linked, and whether
 * `OPENBLAS_CORETYPE` forced it. `vjepa doctor` and `vjepa bench --json` report it.
 *
 * @example
 * const kernels = activeNativeKernels();
 * if (kernels) console.log(gemmKernel(kernels).core); // e.g. Haswell
 */
export function gemmKernel(kernels: NativeKernels): GemmKernel {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const coreType = env?.OPENBLAS_CORETYPE;
  return { config: kernels.blasInfo().trim(), core: kernels.blasCore().trim(), coreType: coreType === undefined || coreType === '' ? null : coreType };
}
