import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { runParity } from './run';
import { expectVjepa2ForwardParity, expectVjepa2ProbeParity } from './expectations.test-util';
import { webgpuForTests } from './swiftshader.test-util';

const fixture = fileURLToPath(new URL('../../../../fixtures/vjepa2/tiny.json', import.meta.url));
const gpu = await webgpuForTests();

describe.skipIf('skip' in gpu)(`vjepa parity --backend webgpu on the V-JEPA 2 fixture fixtures/vjepa2/tiny.json (${'skip' in gpu ? gpu.skip : gpu.adapter})`, () => {
  it('matches the RoPE encoder and predictor, the loss, every gradient and the V-JEPA 2 probe of the official vjepa2 code', async () => {
    const report = await runParity(fixture, 'webgpu', 'auto');
    expect([report.backend, report.accelerator]).toEqual(['webgpu', 'none']);
    expectVjepa2ForwardParity(report);
    expectVjepa2ProbeParity(report);
  });
});
