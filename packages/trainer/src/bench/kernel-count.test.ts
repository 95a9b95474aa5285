import { describe, expect, it } from 'vitest';
import { selectBackend } from '@vjepa/core';
import { runBench } from './run';

// The kernels one bench-config training step runs on wasm (the profiled step after one warm-up and one
// timed step, seed 0), pinned so that a change adding bookkeeping kernels (clones of saved tensors,
// reshapes, transposes, casts) shows here. Lower counts are welcome: update the numbers with the change.
// With the native kernels the linear layers take their input of any rank (no reshapes around them or
// their gradients) and the residual sums save nothing for a gradient that is dy itself: 2,043 → 1,324.

async function profiledStep(accelerator: 'native' | 'none') {
  const [result] = await runBench({ runs: 1, warmup: 1, profile: true, accelerator, threads: 1 });
  const counts = Object.fromEntries(result.profile!.kernels.map((k) => [k.name, k.count]));
  return { total: result.profile!.kernelCount, counts };
}

describe('the kernels of one bench-config training step (wasm)', () => {
  it('with the native kernels: 1,324 kernels, of them 377 Identity clones (saved inputs), 59 Reshape, 7 Transpose, 3 Cast', async () => {
    const choice = await selectBackend('wasm');
    if (process.env.CI === 'true') expect(choice.accelerator.name).toBe('native'); // CI installs OpenBLAS
    if (choice.accelerator.name !== 'native') return; // no addon here: the plain path's count below still holds
    const { total, counts } = await profiledStep('native');
    expect({ total, Identity: counts.Identity, Reshape: counts.Reshape, Transpose: counts.Transpose, Cast: counts.Cast }).toEqual({
      total: 1324,
      Identity: 377,
      Reshape: 59,
      Transpose: 7,
      Cast: 3,
    });
  });

  it('on tfjs’s own kernels (accelerator none): 13,581 kernels', async () => {
    const { total } = await profiledStep('none');
    expect(total).toBe(13581);
  });
});
