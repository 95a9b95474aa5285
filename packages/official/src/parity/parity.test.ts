import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadNativeKernels } from '@vjepa/accelerate';
import { selectBackend, type AcceleratorRequest, type BackendRequest } from '@vjepa/core';
import { runParity, type ParityReport } from './run';
import { expectForwardParity, expectProbeParity, expectTrainingParity, expectVjepa2ForwardParity, expectVjepa2ProbeParity } from './expectations.test-util';

const tiny = fileURLToPath(new URL('../../../../fixtures/reference/tiny.safetensors', import.meta.url));

// The native kernels are required where CI runs (it installs OpenBLAS); elsewhere their absence is reported, not hidden.
const nativeExpected = process.env.CI === 'true' || loadNativeKernels().kernels !== null;

describe('the native accelerator', () => {
  it(nativeExpected ? 'loads (CI installs OpenBLAS, so the fast path is what CI tests)' : 'is absent here and says what would turn it on', async () => {
    const choice = await selectBackend('wasm');
    if (nativeExpected) expect(choice.accelerator).toMatchObject({ name: 'native', reason: expect.stringMatching(/native kernels loaded/) });
    else expect(choice.accelerator).toMatchObject({ name: 'none', reason: expect.stringMatching(/libopenblas-dev/) });
  });
});

const paths: [BackendRequest, AcceleratorRequest][] = [
  ['cpu', 'none'],
  ['wasm', 'none'],
  ...(nativeExpected ? ([['wasm', 'native']] as [BackendRequest, AcceleratorRequest][]) : []),
];

describe.each(paths)('vjepa parity on tiny.safetensors (%s, accelerator %s)', (backend, accelerator) => {
  // One comparison per path; the tests below read different parts of its report.
  let report: ParityReport;
  beforeAll(async () => {
    report = await runParity(tiny, backend, accelerator);
  });

  it('matches every encoder/predictor output and gradient of the official code', () => {
    expect(report.backend).toBe(backend);
    expect(report.accelerator).toBe(accelerator);
    expectForwardParity(report);
  });

  it('matches three official training steps: losses and every parameter of the three models', () => {
    expectTrainingParity(report);
    expect(report.unchecked).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('matches the attentive probe: logits, cross-entropy and every gradient', () => {
    expectProbeParity(report);
  });
});

describe('vjepa parity from the official .pth.tar checkpoints', () => {
  const pytorch = (name: string) => fileURLToPath(new URL(`../../../../fixtures/pytorch/${name}`, import.meta.url));

  it('runs with the weights of tiny-pretrain.pth.tar and tiny-probe.pth.tar instead of the reference groups', async () => {
    const fromSafetensors = await runParity(tiny, 'wasm');
    for (const weights of ['tiny-pretrain.pth.tar', 'tiny-pretrain-legacy.pth.tar']) {
      const report = await runParity(tiny, 'wasm', 'auto', { weights: pytorch(weights), probeWeights: pytorch('tiny-probe.pth.tar') });
      expect(report.failures).toEqual([]);
      expect(report.ok).toBe(true);
      // the same weights bit for bit: the same comparisons with the same errors
      expect(report.errors).toEqual(fromSafetensors.errors);
    }
  });
});

const vjepa2 = (name: string) => fileURLToPath(new URL(`../../../../fixtures/vjepa2/${name}`, import.meta.url));

describe.each(paths)('vjepa parity on the V-JEPA 2 fixture fixtures/vjepa2/tiny.json (%s, accelerator %s)', (backend, accelerator) => {
  let report: ParityReport;
  beforeAll(async () => {
    report = await runParity(vjepa2('tiny.json'), backend, accelerator);
  });

  it('matches the RoPE encoder, the predictor, the loss and every gradient of the official vjepa2 code', () => {
    expect([report.backend, report.accelerator]).toEqual([backend, accelerator]);
    expectVjepa2ForwardParity(report);
  });

  it('matches the V-JEPA 2 probe: logits, cross-entropy, every gradient, and the logits of the out_layers features', () => {
    expectVjepa2ProbeParity(report);
  });
});

describe('vjepa parity on the V-JEPA 2 fixture with the weights of its official .pt files', () => {
  it('tiny-pretrain.pt and tiny-probe.pt (classifiers[0]) give the same comparisons with the same errors as the fixture’s own tensors', async () => {
    const own = await runParity(vjepa2('tiny.safetensors'), 'wasm', 'none');
    const fromPt = await runParity(vjepa2('tiny.safetensors'), 'wasm', 'none', { weights: vjepa2('tiny-pretrain.pt'), probeWeights: vjepa2('tiny-probe.pt') });
    expect(fromPt.ok).toBe(true);
    expect(fromPt.errors).toEqual(own.errors);
  });
});
