import { expect, it } from 'vitest';
import { activeNativeKernels } from '../native';
import { gemmKernel, measureGemm } from './gemm-probe';
import { describeNative } from './native-vs-reference.test-util';

describeNative('measureGemm: the doctor’s probe of the native GEMM', () => {
  it('names the GEMM the addon runs and measures a positive rate (one product when minSeconds is 0)', () => {
    const kernels = activeNativeKernels()!;
    const probe = measureGemm(kernels, 64, 0);
    expect(probe).toMatchObject({ gemm: kernels.blasInfo().trim(), size: 64, runs: 1 });
    expect(probe.gflops).toBeGreaterThan(0);
    expect(Number.isFinite(probe.gflops)).toBe(true);
  });
});

describeNative('gemmKernel: which GEMM kernel runs', () => {
  it('is the library’s own answer (core name and config) and OPENBLAS_CORETYPE as the environment has it', () => {
    const kernels = activeNativeKernels()!;
    const found = gemmKernel(kernels);
    expect(found.config).toBe(kernels.blasInfo().trim());
    expect(found.core).toBe(kernels.blasCore().trim());
    expect(found.core.length).toBeGreaterThan(0);
    expect(found.coreType).toBe(process.env.OPENBLAS_CORETYPE || null); // read, never set
    if (found.config.startsWith('OpenBLAS')) expect(found.config).toContain(found.core.split(' ')[0]); // OpenBLAS's config names its core
  });
});
