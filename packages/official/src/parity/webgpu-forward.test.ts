import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { runParity } from './run';
import { expectForwardParity, expectProbeParity } from './expectations.test-util';
import { webgpuForTests } from './swiftshader.test-util';

const tiny = fileURLToPath(new URL('../../../../fixtures/reference/tiny.safetensors', import.meta.url));
const gpu = await webgpuForTests();

// Split from webgpu-train.test.ts to keep each file short: a software adapter runs thousands of small dispatches slowly.
describe.skipIf('skip' in gpu)(`vjepa parity --backend webgpu on tiny.safetensors: outputs, gradients, probe (${'skip' in gpu ? gpu.skip : gpu.adapter})`, () => {
  it('matches every output and gradient of the official code, and the attentive probe', async () => {
    const report = await runParity(tiny, 'webgpu', 'auto', {}, ['forward', 'probe']);
    expect(report).toMatchObject({ backend: 'webgpu', accelerator: 'none', unchecked: [], ok: true });
    expectForwardParity(report);
    expectProbeParity(report);
  });
});
