import { describe, expect, it } from 'vitest';
import { selectBackend } from '@vjepa/core';
import { acceleratorLines, gemmLines, runDoctor, webgpuLine } from './doctor';

describe('vjepa doctor: the accelerator', () => {
  it('names the native accelerator and the fast path', () => {
    const lines = acceleratorLines({ backend: 'wasm', accelerator: { name: 'native', reason: 'OpenBLAS kernels loaded' } });
    expect(lines).toEqual(['accelerator: native — OpenBLAS kernels loaded', "  fast path: the native kernels run on the wasm backend's memory"]);
  });

  it('says plainly when the slow path runs on wasm or cpu', () => {
    const wasm = acceleratorLines({ backend: 'wasm', accelerator: { name: 'none', reason: 'the addon is not built' } });
    expect(wasm[0]).toBe('accelerator: none — the addon is not built');
    expect(wasm[1]).toMatch(/^ {2}the SLOW path is running: tfjs's own wasm kernels/);
    expect(acceleratorLines({ backend: 'cpu', accelerator: { name: 'none', reason: 'x' } })[1]).toContain('slower still than wasm');
    // native TensorFlow is not the slow path
    expect(acceleratorLines({ backend: 'tensorflow', accelerator: { name: 'none', reason: 'x' } })).toEqual(['accelerator: none — x']);
  });

  it('names the GEMM, its measured rate and threads, and OpenBLAS’s core kernel (forced by OPENBLAS_CORETYPE or not)', () => {
    const probe = { gemm: 'built-in AVX-512 GEMM (no BLAS)', gflops: 123.456, size: 384, runs: 9 };
    const builtin = { config: probe.gemm, core: 'built-in AVX-512', coreType: 'Haswell' };
    expect(gemmLines(probe, builtin, 2)).toEqual(['  gemm: built-in AVX-512 GEMM (no BLAS) — 123.5 GFLOP/s measured (sgemm 384³, 9 runs, 2 thread(s))']);
    const config = 'OpenBLAS 0.3.21 DYNAMIC_ARCH Haswell';
    expect(gemmLines({ ...probe, gemm: config }, { config, core: 'Haswell', coreType: 'Haswell' }, 1)).toEqual([
      '  gemm: OpenBLAS 0.3.21 DYNAMIC_ARCH Haswell — 123.5 GFLOP/s measured (sgemm 384³, 9 runs, 1 thread(s))',
      '  gemm kernel: OpenBLAS core Haswell (forced by OPENBLAS_CORETYPE=Haswell)',
    ]);
    expect(gemmLines({ ...probe, gemm: config }, { config, core: 'Cooperlake', coreType: null }, 2)[1]).toBe(
      '  gemm kernel: OpenBLAS core Cooperlake (OPENBLAS_CORETYPE unset: OpenBLAS chose it for this CPU)',
    );
  });

  it('prints the accelerator line of the chosen backend', async () => {
    const lines: string[] = [];
    const report = await runDoctor((line) => lines.push(line));
    const choice = await selectBackend('auto');
    expect(report).toEqual({ backend: choice.backend, accelerator: choice.accelerator.name });
    expect(lines).toContain(`accelerator: ${choice.accelerator.name} — ${choice.accelerator.reason}`);
    if (choice.accelerator.name === 'native') expect(lines.some((line) => /^ {2}gemm: .+ — [\d.]+ GFLOP\/s measured/.test(line))).toBe(true);
  });
});

describe('vjepa doctor: the WebGPU adapter line', () => {
  it('names the adapter and says whether it is a software one', () => {
    expect(webgpuLine({ adapter: { description: 'SwiftShader driver 5.0.0', software: true } })).toBe(
      'backend webgpu: adapter SwiftShader driver 5.0.0 — a software adapter: correct but slower than wasm; --backend webgpu uses it',
    );
    expect(webgpuLine({ adapter: { description: 'NVIDIA H100', software: false } })).toMatch(/^backend webgpu: adapter NVIDIA H100 — a GPU; --backend webgpu uses it/);
  });

  it('says plainly when there is no adapter and why', () => {
    expect(webgpuLine({ reason: 'navigator.gpu.requestAdapter() found no adapter: no GPU driver found' })).toBe(
      'backend webgpu: no adapter — navigator.gpu.requestAdapter() found no adapter: no GPU driver found',
    );
  });

  it('prints the line for this machine', async () => {
    const lines: string[] = [];
    await runDoctor((line) => lines.push(line));
    expect(lines.filter((line) => line.startsWith('backend webgpu: '))).toHaveLength(1);
  });
});
