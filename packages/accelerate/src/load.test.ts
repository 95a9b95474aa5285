import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { optionKeys, type NativeKernels } from '@vjepa/base';
import { loadNativeKernels } from './load';

/** What the install script wrote, or undefined when it did not run. */
function buildStatus(): { ok: boolean; reason: string } | undefined {
  const file = fileURLToPath(new URL('../build/status.json', import.meta.url));
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { ok: boolean; reason: string }) : undefined;
}

/** Every function of the addon, checked by the compiler against the interface. */
const FUNCTIONS = optionKeys<NativeKernels>({
  gemm: true,
  linearForward: true,
  linearBackward: true,
  layerNormForward: true,
  layerNormBackward: true,
  geluForward: true,
  geluBackward: true,
  rotatePairsForward: true,
  rotatePairsBackward: true,
  attentionForward: true,
  attentionBackward: true,
  adamw: true,
  ema: true,
  gatherRows: true,
  sumSquares: true,
  setThreads: true,
  defaultThreads: true,
  blasInfo: true,
  blasCore: true,
  scratchFloats: true,
  poolBackoffs: true,
});

describe('loadNativeKernels', () => {
  const status = buildStatus();

  it('loads the addon when build/status.json says the build succeeded (CI installs OpenBLAS: it must), else says why', () => {
    if (process.env.CI === 'true') expect(status?.ok).toBe(true);
    const { kernels, reason } = loadNativeKernels();
    if (status?.ok) {
      expect(kernels).not.toBeNull();
      expect(reason).toMatch(/^native kernels loaded \(.+\)$/);
      expect(Object.keys(kernels!).sort()).toEqual([...FUNCTIONS].sort());
      for (const name of FUNCTIONS) expect(typeof kernels![name], name).toBe('function');
      expect(kernels!.blasInfo().trim().length).toBeGreaterThan(0); // the BLAS answers
      expect(kernels!.blasCore().trim().length).toBeGreaterThan(0); // OpenBLAS's core, or the built-in GEMM
      const threads = kernels!.defaultThreads();
      expect(threads).toBeGreaterThanOrEqual(1);
      expect(threads).toBeLessThanOrEqual(8);
      expect(kernels!.setThreads(0)).toBe(threads); // below 1: the default
      expect(kernels!.setThreads(3)).toBe(3);
      expect(kernels!.setThreads(1)).toBe(1);
    } else {
      expect(kernels).toBeNull();
      expect(reason).toContain(status?.reason ?? 'its install script did not run');
      expect(reason).toMatch(/apt-get install g\+\+ libopenblas-dev\), then run node node_modules\/@vjepa\/accelerate\/scripts\/build\.cjs$/);
    }
  });

  it('loads once per process', () => {
    expect(loadNativeKernels()).toBe(loadNativeKernels());
  });
});
