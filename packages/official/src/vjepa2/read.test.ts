import { describe, expect, it } from 'vitest';
import { readSafetensorsSync, selectGroup, type SafeTensor } from '@vjepa/core';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { combineVjepa2, openVjepa2, readVjepa2 } from './open';
import { releasedClassifierArch, writeRandomVjepa2Classifier } from './random-classifier';
import { openHfVjepa2Files } from './hf-folder';
import { parseOfficialVjepa2 } from './official-file';
import { readAll } from './lazy-tensor';
import type { Vjepa2Weights } from './open';

const fixture = (path: string) => new URL(`../../../../fixtures/vjepa2/${path}`, import.meta.url).pathname;
const reference = readSafetensorsSync(fixture('tiny.safetensors')).tensors;
const TINY = { heads: 2, predictorHeads: 1, probeHeads: 2, imageSize: 16, frames: 8 };

/** Every tensor of `got` equals, bit for bit, the fixture's group of the same names, and no name is left over. */
function expectGroup(got: Vjepa2Weights['encoder'], group: string): void {
  const expected = selectGroup(reference, group) as Map<string, SafeTensor>;
  expect(got).not.toBeNull();
  expect([...got!.keys()]).toEqual([...expected.keys()]);
  for (const [key, tensor] of expected) {
    expect(got!.get(key)!.shape, key).toEqual(tensor.shape);
    expect(got!.get(key)!.data, key).toEqual(tensor.data);
  }
}

describe('V-JEPA 2 official .pt files', () => {
  it('reads the pretraining checkpoint: encoder, target_encoder and predictor under the official names', () => {
    const online = readVjepa2(fixture('tiny-pretrain.pt'), TINY);
    expect(online.format).toBe('official-pretrain');
    expectGroup(online.encoder, 'encoder');
    expectGroup(online.predictor, 'predictor');
    expect(online.probe).toBeNull();
    expect(online.arch.encoder).toEqual({ dim: 24, depth: 3, heads: 2, mlpHidden: 96, mlpRatio: 4, patch: 4, tubelet: 2, channels: 3, qkvBias: true, normEps: 1e-6, imageSize: 16, frames: 8 });
    expect(online.arch.predictor).toEqual({
      encoderDim: 24, dim: 20, depth: 2, heads: 1, mlpHidden: 80, mlpRatio: 4, numMaskTokens: 10, qkvBias: true, normEps: 1e-6, imageSize: 16, patch: 4, tubelet: 2, frames: 8,
    });
    expect(online.arch.size).toBeNull();
    expect(online.arch.assumed).toEqual([]);
    expectGroup(readVjepa2(fixture('tiny-pretrain.pt'), { ...TINY, encoder: 'target_encoder' }).encoder, 'target_encoder');
  });

  it('reads the probe checkpoint (classifiers[0], module. stripped)', () => {
    const probe = readVjepa2(fixture('tiny-probe.pt'), { probeHeads: 2 });
    expect(probe.format).toBe('official-probe');
    expect(probe.encoder).toBeNull();
    expectGroup(probe.probe, 'probe');
    expect(probe.arch.probe).toEqual({ dim: 24, depth: 4, heads: 2, mlpHidden: 96, mlpRatio: 4, queries: 1, classes: 5, normEps: 1e-5 });
    expect(probe.arch.protocol).toBeNull();
  });

  it('asks for what only the caller knows: heads of a width that is no released size', () => {
    expect(() => openVjepa2(fixture('tiny-pretrain.pt'))).toThrow(/heads: expected a head count \(width 24, depth 3 is no released V-JEPA 2 size\), received none\. Pass heads/);
    expect(() => openVjepa2(fixture('tiny-probe.pt'))).toThrow(/probeHeads: expected a head count \(the official 16 does not divide the probe width 24\)/);
    expect(() => openVjepa2(fixture('tiny-pretrain.pt'), { ...TINY, encoder: 'online' as 'encoder' })).toThrow(/options\.encoder: expected 'encoder' or 'target_encoder'/);
    expect(() => openVjepa2(fixture('tiny-pretrain.pt'), { ...TINY, head: 2 } as never)).toThrow(/head/);
  });
});

describe('V-JEPA 2 Hugging Face folders', () => {
  it('reads VJEPA2Model: q/k/v back into qkv, the stacked mask tokens unstacked', () => {
    const model = readVjepa2(fixture('tiny-hf'));
    expect(model.format).toBe('hf-model');
    expectGroup(model.encoder, 'encoder');
    expectGroup(model.predictor, 'predictor');
    expect(model.probe).toBeNull();
    expect(model.labels).toBeNull();
    expect(model.arch.encoder).toMatchObject({ dim: 24, depth: 3, heads: 2, patch: 4, tubelet: 2, imageSize: 16, frames: 8 });
    expect(model.arch.predictor).toMatchObject({ dim: 20, depth: 2, heads: 1, numMaskTokens: 10, imageSize: 16 });
    expect(model.arch.assumed).toEqual([]);
  });

  it('reads VJEPA2ForVideoClassification: vjepa2. dropped, the pooler as the official probe, id2label', () => {
    const classifier = readVjepa2(fixture('tiny-hf-classifier'));
    expect(classifier.format).toBe('hf-classifier');
    expectGroup(classifier.encoder, 'encoder');
    expectGroup(classifier.predictor, 'predictor');
    expectGroup(classifier.probe, 'probe');
    expect(classifier.labels).toEqual(['class_0', 'class_1', 'class_2', 'class_3', 'class_4']);
    expect(classifier.arch.probe).toEqual({ dim: 24, depth: 4, heads: 2, mlpHidden: 96, mlpRatio: 4, queries: 1, classes: 5, normEps: 1e-5, hf: { heads: 2, normEps: 1e-6 } });
    expect(classifier.arch.assumed).toEqual(['probe heads 2: the encoder\'s (the official 16 does not divide width 24)']);
    // the weights file named instead of its folder
    expect(readVjepa2(fixture('tiny-hf-classifier/model.safetensors')).format).toBe('hf-classifier');
  });

  it('reads tensor by tensor: nothing is read until asked, each read is fresh', () => {
    const checkpoint = openVjepa2(fixture('tiny-hf'));
    try {
      const qkv = checkpoint.encoder!.get('blocks.1.attn.qkv.weight')!;
      expect(qkv.shape).toEqual([72, 24]);
      expect(qkv.dtype).toBe('F32');
      expect(qkv.byteLength).toBe(72 * 24 * 4);
      const first = qkv.read();
      expect(first).toEqual((reference.get('encoder/blocks.1.attn.qkv.weight') as SafeTensor).data);
      expect(qkv.read()).not.toBe(first);
      expect(checkpoint.predictor!.get('mask_tokens.7')!.read()).toEqual((reference.get('predictor/mask_tokens.7') as SafeTensor).data);
    } finally {
      checkpoint.close();
    }
    expect(() => checkpoint.encoder!.get('norm.weight')!.read()).toThrow(/closed/);
  });
});

describe('an encoder checkpoint and a probe checkpoint as one classifier', () => {
  it('describes both together and checks the widths agree', () => {
    const model = openVjepa2(fixture('tiny-pretrain.pt'), TINY);
    const probe = openVjepa2(fixture('tiny-probe.pt'), TINY);
    const both = combineVjepa2(model, probe, TINY);
    try {
      expect(both.source).toMatch(/tiny-pretrain\.pt \+ .*tiny-probe\.pt$/);
      expect(both.arch.encoder).toMatchObject({ dim: 24, heads: 2, imageSize: 16, frames: 8 });
      expect(both.arch.probe).toMatchObject({ dim: 24, depth: 4, heads: 2, classes: 5 });
      expect(both.probe!.get('linear.weight')!.read()).toEqual((reference.get('probe/linear.weight') as SafeTensor).data);
    } finally {
      both.close();
    }
    const base = releasedClassifierArch('vitl', 3, 32, 4);
    const dir = join(mkdtempSync(join(tmpdir(), 'vjepa2-combine-')), 'wide');
    writeRandomVjepa2Classifier(dir, {
      arch: { ...base, encoder: { ...base.encoder!, dim: 32, depth: 1, heads: 2, mlpHidden: 64 }, predictor: { ...base.predictor!, encoderDim: 32, dim: 16, depth: 1, heads: 1, mlpHidden: 32 }, probe: { ...base.probe!, dim: 32, mlpHidden: 64 } },
      dtype: 'F32',
    });
    const other = openVjepa2(dir);
    const again = openVjepa2(fixture('tiny-pretrain.pt'), TINY);
    try {
      expect(() => combineVjepa2(again, other, TINY)).toThrow(/tiny-pretrain\.pt \+ .*wide: probe: expected the encoder's width 24, received 32\. The probe was trained on another encoder/);
    } finally {
      other.close();
      again.close();
    }
  });
});

describe('V-JEPA 2 files from bytes in memory (what a browser has of dropped files)', () => {
  it('reads a Hugging Face folder given as files and an official .pt given as bytes', () => {
    const folder = fixture('tiny-hf-classifier');
    const files = new Map(readdirSync(folder).map((name) => [`tiny-hf-classifier/${name}`, new Uint8Array(readFileSync(join(folder, name)))]));
    const dropped = openHfVjepa2Files(files, {}, 'dropped');
    try {
      expect(dropped.format).toBe('hf-classifier');
      expect(dropped.arch.labels).toHaveLength(5);
      expectGroup(readAll(dropped.encoder!), 'encoder');
      expectGroup(readAll(dropped.probe!), 'probe');
    } finally {
      dropped.close();
    }
    files.delete('tiny-hf-classifier/config.json');
    expect(() => openHfVjepa2Files(files, {}, 'dropped')).toThrow(/^dropped: expected a config\.json beside the weights, received none$/);
    const pt = parseOfficialVjepa2(new Uint8Array(readFileSync(fixture('tiny-pretrain.pt'))), 'tiny-pretrain.pt', TINY);
    try {
      expectGroup(readAll(pt.predictor!), 'predictor');
    } finally {
      pt.close();
    }
  });
});
