import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readVjepa2 } from './open';
import { encoderKeys, predictorKeys, probeKeys } from './official-keys';
import { releasedClassifierArch, writeRandomVjepa2Classifier } from './random-classifier';

const temp = () => mkdtempSync(join(tmpdir(), 'vjepa2-random-'));
const count = (keys: [string, number[]][]) => keys.reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);

describe('random V-JEPA 2 classifiers of the real sizes', () => {
  it('the ViT-L/16 SSv2 classifier has the released sizes', () => {
    const arch = releasedClassifierArch('vitl');
    expect(arch.encoder).toMatchObject({ dim: 1024, depth: 24, heads: 16, mlpHidden: 4096, patch: 16, tubelet: 2, imageSize: 256, frames: 16 });
    expect(arch.probe).toMatchObject({ dim: 1024, depth: 4, heads: 16, classes: 174, normEps: 1e-5 });
    expect(arch.protocol).toMatchObject({ task: 'ssv2', resolution: 256, frames: 16, frameStep: 4, segments: 2, views: 3 });
    // patch embed 1024·3·2·16·16 + 1024; 24 blocks of 2·2048 + (3072·1024 + 3072) + (1024² + 1024) + (4096·1024 + 4096) + (1024·4096 + 1024); norm 2048
    expect(count(encoderKeys(arch.encoder!))).toBe(1_573_888 + 24 * 12_596_224 + 2048);
    expect(count(predictorKeys(arch.predictor!))).toBe(1024 * 384 + 384 + 10 * 384 + 12 * (2 * 768 + 1152 * 384 + 1152 + 384 * 384 + 384 + 1536 * 384 + 1536 + 384 * 1536 + 384) + 768 + 384 * 1024 + 1024);
    expect(count(probeKeys(arch.probe!))).toBe(1024 + (4096 + 1024 * 1024 + 1024 + 2048 * 1024 + 2048 + 4096 * 1024 + 4096 + 1024 * 4096 + 1024) + 3 * 12_596_224 + 174 * 1024 + 174);
  });

  it('writes a folder the reader takes back, the same bytes for the same seed', () => {
    const arch = releasedClassifierArch('vitl', 7, 32, 4);
    const small = {
      ...arch,
      size: null,
      encoder: { ...arch.encoder!, dim: 32, depth: 2, heads: 2, mlpHidden: 64, mlpRatio: 2 },
      predictor: { ...arch.predictor!, encoderDim: 32, dim: 16, depth: 1, heads: 1, mlpHidden: 32, mlpRatio: 2 },
      probe: { ...arch.probe!, dim: 32, heads: 2, mlpHidden: 128 },
    };
    const [a, b] = [temp(), temp()];
    for (const dir of [a, b]) expect(writeRandomVjepa2Classifier(dir, { arch: small, dtype: 'F32', seed: 3 })).toMatchObject({ dtype: 'F32', files: ['model.safetensors', 'config.json'] });
    expect(readFileSync(join(a, 'model.safetensors')).equals(readFileSync(join(b, 'model.safetensors')))).toBe(true);
    const back = readVjepa2(a, { probeHeads: 2 });
    expect(back.format).toBe('hf-classifier');
    expect(back.arch.encoder).toEqual(small.encoder);
    expect(back.arch.predictor).toEqual(small.predictor);
    expect(back.arch.probe).toMatchObject({ dim: 32, depth: 4, heads: 2, classes: 7 });
    expect(back.labels).toEqual(['class_0', 'class_1', 'class_2', 'class_3', 'class_4', 'class_5', 'class_6']);
    const fc1 = back.encoder!.get('blocks.1.mlp.fc1.weight')!.data;
    const mean = fc1.reduce((s, x) => s + x, 0) / fc1.length;
    const std = Math.sqrt(fc1.reduce((s, x) => s + (x - mean) ** 2, 0) / fc1.length);
    expect(Math.abs(mean)).toBeLessThan(0.004);
    expect(std).toBeGreaterThan(0.017);
    expect(std).toBeLessThan(0.023);
    const norm = back.encoder!.get('norm.weight')!.data;
    expect(norm.every((x) => x > 0.5 && x < 1.5)).toBe(true);
    const f16 = temp();
    writeRandomVjepa2Classifier(f16, { arch: small, dtype: 'F16', seed: 3 });
    const half = readVjepa2(f16, { probeHeads: 2 });
    expect(half.encoder!.get('blocks.1.mlp.fc1.weight')!.data[5]).toBeCloseTo(fc1[5], 3);
  });
});
