import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openVjepa2, readVjepa2 } from './open';
import { pythonFloat, writeVjepa2HuggingFace } from './write-hf';

const fixture = (path: string) => new URL(`../../../../fixtures/vjepa2/${path}`, import.meta.url).pathname;
const TINY = { heads: 2, predictorHeads: 1, probeHeads: 2, imageSize: 16, frames: 8 };
const temp = () => mkdtempSync(join(tmpdir(), 'vjepa2-hf-'));

function bytesOf(dir: string, file: string): Buffer {
  return readFileSync(join(dir, file));
}

describe('writing Hugging Face V-JEPA 2 folders', () => {
  it('writes VJEPA2Model from the official .pt: the fixture folder byte for byte', () => {
    const dir = temp();
    const pretrain = openVjepa2(fixture('tiny-pretrain.pt'), TINY);
    try {
      const written = writeVjepa2HuggingFace(dir, { arch: pretrain.arch, encoder: pretrain.encoder!, predictor: pretrain.predictor });
      expect(written).toMatchObject({ files: ['model.safetensors', 'config.json'], tensors: 91, dtype: 'F32' });
    } finally {
      pretrain.close();
    }
    expect(bytesOf(dir, 'model.safetensors').equals(bytesOf(fixture('tiny-hf'), 'model.safetensors'))).toBe(true);
    expect(bytesOf(dir, 'config.json').toString()).toBe(bytesOf(fixture('tiny-hf'), 'config.json').toString());
  });

  it('writes VJEPA2ForVideoClassification from the pretraining and probe .pt files: the fixture folder byte for byte', () => {
    const dir = temp();
    const pretrain = openVjepa2(fixture('tiny-pretrain.pt'), TINY);
    const probe = openVjepa2(fixture('tiny-probe.pt'), TINY);
    try {
      const arch = { ...pretrain.arch, probe: probe.arch.probe };
      writeVjepa2HuggingFace(dir, { arch, encoder: pretrain.encoder!, predictor: pretrain.predictor, probe: probe.probe });
    } finally {
      pretrain.close();
      probe.close();
    }
    expect(bytesOf(dir, 'model.safetensors').equals(bytesOf(fixture('tiny-hf-classifier'), 'model.safetensors'))).toBe(true);
    expect(bytesOf(dir, 'config.json').toString()).toBe(bytesOf(fixture('tiny-hf-classifier'), 'config.json').toString());
  });

  it('shards, converts dtypes, and reads back what it wrote', () => {
    const source = readVjepa2(fixture('tiny-hf-classifier'));
    for (const dtype of ['F16', 'BF16'] as const) {
      const dir = temp();
      writeFileSync(join(dir, 'model.safetensors'), 'stale');
      const written = writeVjepa2HuggingFace(dir, { arch: source.arch, encoder: source.encoder!, predictor: source.predictor, probe: source.probe, labels: ['a', 'b', 'c', 'd', 'e'] }, { dtype, maxShardBytes: 40_000 });
      expect(written.files.length).toBeGreaterThan(3);
      expect(readdirSync(dir)).not.toContain('model.safetensors'); // the stale single file is gone
      const index = JSON.parse(bytesOf(dir, 'model.safetensors.index.json').toString());
      expect(index.metadata.total_size).toBe(written.bytes);
      expect(Object.keys(index.weight_map)).toHaveLength(156);
      const back = readVjepa2(dir);
      expect(back.labels).toEqual(['a', 'b', 'c', 'd', 'e']);
      const again = join(temp(), 'again');
      writeVjepa2HuggingFace(again, { arch: back.arch, encoder: back.encoder!, probe: back.probe }); // labels from the arch read
      expect(readVjepa2(again).labels).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(JSON.parse(bytesOf(dir, 'config.json').toString()).torch_dtype).toBe(dtype === 'F16' ? 'float16' : 'bfloat16');
      for (const group of ['encoder', 'predictor', 'probe'] as const) {
        for (const [key, tensor] of source[group]!) {
          const got = back[group]!.get(key)!;
          expect(got.shape).toEqual(tensor.shape);
          let worst = 0;
          for (let i = 0; i < got.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - tensor.data[i]) / Math.max(1e-3, Math.abs(tensor.data[i])));
          expect(worst, `${dtype} ${group} ${key}`).toBeLessThan(dtype === 'F16' ? 1e-3 : 8e-3);
        }
      }
    }
  });

  it('refuses a state dict that does not fit its architecture, before writing', () => {
    const source = readVjepa2(fixture('tiny-hf'));
    const encoder = new Map(source.encoder!);
    encoder.delete('blocks.2.mlp.fc2.bias');
    encoder.set('pos_embed', { shape: [1, 64, 24], data: new Float32Array(64 * 24) });
    const dir = temp();
    expect(() => writeVjepa2HuggingFace(dir, { arch: source.arch, encoder })).toThrow(/input\.encoder: expected the 40 keys of its architecture, missing blocks\.2\.mlp\.fc2\.bias; unexpected pos_embed/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes floats as Python does', () => {
    expect([4, 0, 1e-6, 0.02, 48 / 11, 1e-5, 1e16, 123.5, 1e-4].map(pythonFloat)).toEqual(['4.0', '0.0', '1e-06', '0.02', '4.363636363636363', '1e-05', '1e+16', '123.5', '0.0001']);
  });
});
