import { expect, it } from 'vitest';
import { activeNativeKernels } from '../native';
import { measureGemm } from './gemm-probe';
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
