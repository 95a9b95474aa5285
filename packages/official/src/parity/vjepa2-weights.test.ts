// `vjepa parity` on the V-JEPA 2 fixture with its tensors replaced by those of its official .pt files and of
// its Hugging Face folders (read by the V-JEPA 2 readers): the same comparisons, the same errors, bit for bit.
import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runParity, type ParityReport } from './run';
import { readVjepa2 } from '../vjepa2/open';
import { writeVjepa2HuggingFace } from '../vjepa2/write-hf';

const vjepa2 = (name: string) => fileURLToPath(new URL(`../../../../fixtures/vjepa2/${name}`, import.meta.url));

describe.each(['cpu', 'wasm'] as const)('vjepa parity fixtures/vjepa2/tiny.json with weights from files (%s)', (backend) => {
  let own: ParityReport;
  beforeAll(async () => {
    own = await runParity(vjepa2('tiny.json'), backend, 'none');
  });

  it.each([
    ['the .pt files', { weights: vjepa2('tiny-pretrain.pt'), probeWeights: vjepa2('tiny-probe.pt') }],
    ['the Hugging Face VJEPA2Model and classifier folders', { weights: vjepa2('tiny-hf'), probeWeights: vjepa2('tiny-hf-classifier') }],
    ['the Hugging Face classifier folder for both', { weights: vjepa2('tiny-hf-classifier'), probeWeights: vjepa2('tiny-hf-classifier') }],
  ])('%s: passes, with the errors of the fixture\'s own tensors', async (_, weights) => {
    const report = await runParity(vjepa2('tiny.json'), backend, 'none', weights);
    expect(report.ok).toBe(true);
    expect(report.errors).toEqual(own.errors);
    expect(report.unchecked).toEqual(own.unchecked);
  });

  it('the tensors are the folder\'s: a folder whose probe differs by 1e-2 in one bias fails', async () => {
    const classifier = readVjepa2(vjepa2('tiny-hf-classifier'));
    classifier.probe!.get('linear.bias')!.data[0] += 1e-2;
    const dir = join(mkdtempSync(join(tmpdir(), 'vjepa2-parity-')), 'shifted');
    writeVjepa2HuggingFace(dir, { arch: classifier.arch, encoder: classifier.encoder!, predictor: classifier.predictor, probe: classifier.probe });
    const report = await runParity(vjepa2('tiny.json'), backend, 'none', { probeWeights: dir });
    expect(report.ok).toBe(false);
    expect(report.errors['probe_out/logits']).toBeGreaterThan(5e-3);
  });

  it('refuses an encoder folder as --probe-weights, naming it', async () => {
    await expect(runParity(vjepa2('tiny.json'), backend, 'none', { probeWeights: vjepa2('tiny-hf') })).rejects.toThrow(/--probe-weights: expected a V-JEPA 2 probe \.pt or Hugging Face classifier folder, received "hf-model"/);
  });
});
