import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { runParity } from './run';

const tiny = fileURLToPath(new URL('../../../../fixtures/reference/tiny.safetensors', import.meta.url));

describe.each(['cpu', 'wasm'] as const)('vjepa parity on tiny.safetensors (%s)', (backend) => {
  it('matches every forward output and every gradient of the official code', async () => {
    const report = await runParity(tiny, backend);
    expect(report.backend).toBe(backend);
    expect(report.failures).toEqual([]);
    const names = Object.keys(report.errors);
    for (const name of ['out/patch_embed', 'out/encoder_full', 'out/target_full_ln', 'out/context0', 'out/context1', 'out/target0', 'out/target1', 'out/pred0', 'out/pred1', 'out/loss']) {
      expect(names).toContain(name);
      expect(report.errors[name]).toBeLessThanOrEqual(1e-4);
    }
    const gradients = names.filter((n) => n.startsWith('grad/'));
    // every trainable tensor: encoder 2 + 2·12 + 2 = 28, predictor 2 + 2 + 2·12 + 2 + 2 = 32
    expect(gradients.length).toBe(60);
    for (const name of gradients) expect(report.errors[name]).toBeLessThanOrEqual(1e-3);
  });
});
