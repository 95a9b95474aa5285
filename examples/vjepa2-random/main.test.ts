import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { releasedClassifierArch, writeRandomVjepa2Classifier } from '@vjepa/official';

const here = fileURLToPath(new URL('.', import.meta.url));

/** `memory.ts` in a fresh process (its peak RSS is its own). */
function measure(path: string, lazy: boolean): { growthMb: number; weightsMb: number; ratio: number } {
  const args = ['--conditions=@vjepa/source', '--import', 'tsx', ...(lazy ? ['--expose-gc'] : []), join(here, 'memory.ts'), path, '--json', ...(lazy ? ['--lazy'] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: here, encoding: 'utf8' }).trim().split('\n').pop()!);
}

describe('examples/vjepa2-random', () => {
  it('reads a 150 MB V-JEPA 2 classifier with peak memory within 1.3× its weights, and tensor by tensor with little more than one tensor', () => {
    const base = releasedClassifierArch('vitl', 174, 64, 16);
    const arch = {
      ...base,
      size: null,
      encoder: { ...base.encoder!, dim: 512, depth: 8, heads: 8, mlpHidden: 2048 },
      predictor: { ...base.predictor!, encoderDim: 512, dim: 128, depth: 2, heads: 4, mlpHidden: 512 },
      probe: { ...base.probe!, dim: 512, mlpHidden: 2048 },
    };
    const dir = mkdtempSync(join(tmpdir(), 'vjepa2-memory-'));
    try {
      const written = writeRandomVjepa2Classifier(dir, { arch, dtype: 'F32' });
      expect(written.bytes).toBeGreaterThan(150e6);
      const read = measure(dir, false);
      expect(read.weightsMb * 2 ** 20).toBe(written.bytes);
      expect(read.ratio).toBeLessThanOrEqual(1.3);
      const lazy = measure(dir, true);
      expect(lazy.growthMb).toBeLessThan(0.1 * lazy.weightsMb);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
