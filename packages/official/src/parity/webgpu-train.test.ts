import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { runParity } from './run';
import { expectTrainingParity } from './expectations.test-util';
import { webgpuForTests } from './swiftshader.test-util';

const tiny = fileURLToPath(new URL('../../../../fixtures/reference/tiny.safetensors', import.meta.url));
const gpu = await webgpuForTests();

describe.skipIf('skip' in gpu)(`vjepa parity --backend webgpu on tiny.safetensors: three training steps (${'skip' in gpu ? gpu.skip : gpu.adapter})`, () => {
  it('matches the losses and every parameter of the three models after three official steps', async () => {
    const report = await runParity(tiny, 'webgpu', 'auto', {}, ['train']);
    expect(report).toMatchObject({ backend: 'webgpu', unchecked: [], ok: true });
    expectTrainingParity(report);
  });
});
