import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CheckpointError, float16ToFloat32, float32ToBfloat16, float32ToFloat16, readSafetensorsSync, selectGroup, UsageError, writeSafetensorsSync, type SafeTensor } from '@vjepa/core';
import { openTorchFile, PyOrderedDict, saveTorchFile, UnsafeGlobalError } from '@vjepa/torch-format';
import { openVjepa2, readVjepa2 } from './open';
import { writeVjepa2HuggingFace } from './write-hf';

const fixtures = (path: string) => new URL(`../../../../fixtures/${path}`, import.meta.url).pathname;
const fixture = (path: string) => fixtures(`vjepa2/${path}`);
const TINY = { heads: 2, predictorHeads: 1, probeHeads: 2, imageSize: 16, frames: 8 };
const temp = () => mkdtempSync(join(tmpdir(), 'vjepa2-bad-'));
const reference = readSafetensorsSync(fixture('tiny.safetensors')).tensors;

/** The error `run` throws, checked to be one line of a runtime kind (exit 1), never a usage error. */
function fileError(run: () => unknown): Error {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CheckpointError);
  expect(caught).not.toBeInstanceOf(UsageError);
  expect((caught as Error).message).not.toContain('\n');
  return caught as Error;
}

/**
 * A copy of a zip `.pt` whose first record (`data.pkl`) is patched in place, its CRC-32 updated in the
 * central directory and in the data descriptor that follows the record (torch sets flag bit 3).
 */
function patchPickle(source: string, target: string, patch: (pickle: Buffer) => void): void {
  const bytes = readFileSync(source);
  const name = Buffer.from('tiny-probe/data.pkl');
  const local = bytes.indexOf(name) - 30;
  const central = bytes.lastIndexOf(name) - 46;
  const size = bytes.readUInt32LE(central + 24);
  const start = local + 30 + name.length + bytes.readUInt16LE(local + 28);
  const pickle = bytes.subarray(start, start + size);
  patch(pickle);
  const crc = crc32(pickle);
  bytes.writeUInt32LE(crc, central + 16);
  const descriptor = start + size + (bytes.readUInt32LE(start + size) === 0x08074b50 ? 4 : 0);
  bytes.writeUInt32LE(crc, descriptor);
  writeFileSync(target, bytes);
}

describe('bad V-JEPA 2 files: one clear error line each, nothing executed', () => {
  it('a truncated .pt or model.safetensors', () => {
    const dir = temp();
    const pt = join(dir, 'truncated.pt');
    writeFileSync(pt, readFileSync(fixture('tiny-pretrain.pt')).subarray(0, 100_000));
    expect(fileError(() => openVjepa2(pt, TINY)).message).toMatch(/truncated\.pt/);
    cpSync(fixture('tiny-hf'), join(dir, 'hf'), { recursive: true });
    const weights = join(dir, 'hf', 'model.safetensors');
    writeFileSync(weights, readFileSync(weights).subarray(0, 20_000));
    expect(fileError(() => openVjepa2(join(dir, 'hf'))).message).toMatch(/model\.safetensors.*truncated/);
  });

  it('a pickle naming a disallowed global is refused before anything runs', () => {
    const pt = join(temp(), 'evil.pt');
    patchPickle(fixture('tiny-probe.pt'), pt, (pickle) => {
      const at = pickle.indexOf('ccollections\nOrderedDict\n');
      pickle.write(`${'N0'.repeat(6)}cposix\nsystem\n`, at, 'latin1'); // same length: six (None, POP) pairs, then the global
    });
    const error = fileError(() => openVjepa2(pt));
    expect(error).toBeInstanceOf(UnsafeGlobalError);
    expect(error.message).toMatch(/evil\.pt.*'posix\.system', which is not on the allow-list/);
  });

  it('another architecture is refused saying what it looks like', () => {
    expect(fileError(() => openVjepa2(fixtures('pytorch/tiny-pretrain.pth.tar'))).message).toMatch(
      /tiny-pretrain\.pth\.tar: encoder: expected a V-JEPA 2 checkpoint .*, received a V-JEPA 1 encoder \(pos_embed \[1, 36, 48\]: a sin-cos position table/,
    );
    expect(fileError(() => openVjepa2(fixtures('pytorch/tiny-probe.pth.tar'))).message).toMatch(/received a V-JEPA 1 attentive probe|single 'classifier'/);
    expect(fileError(() => openVjepa2(fixtures('reference/tiny.safetensors'))).message).toMatch(/received a safetensors file without a config\.json: a file of grouped tensors \(input\/, /);
    const random = join(temp(), 'random.safetensors');
    writeSafetensorsSync(random, { 'fc.weight': { dtype: 'F32', shape: [2, 2], data: new Float32Array(4) } });
    expect(fileError(() => openVjepa2(random)).message).toMatch(/received a safetensors file without a config\.json: tensors of another model \(fc\.weight\)/);
    const other = join(temp(), 'vit');
    cpSync(fixture('tiny-hf'), other, { recursive: true });
    writeFileSync(join(other, 'config.json'), JSON.stringify({ model_type: 'vit', architectures: ['ViTModel'] }));
    expect(fileError(() => openVjepa2(other)).message).toMatch(/received a Hugging Face model of type "vit" \(ViTModel\)/);
  });

  it('a missing shard, a missing or an unexpected key name the file and the keys', () => {
    const source = readVjepa2(fixture('tiny-hf'));
    const dir = join(temp(), 'sharded');
    const { files } = writeVjepa2HuggingFace(dir, { arch: source.arch, encoder: source.encoder!, predictor: source.predictor }, { maxShardBytes: 50_000 });
    rmSync(join(dir, files[1]));
    expect(fileError(() => openVjepa2(dir)).message).toMatch(new RegExp(`model\\.safetensors\\.index\\.json: shard ${files[1]}: expected a file .* \\(it holds \\d+ tensors\\), received a missing file`));

    const folder = join(temp(), 'edited');
    cpSync(fixture('tiny-hf'), folder, { recursive: true });
    const tensors = readSafetensorsSync(join(folder, 'model.safetensors')).tensors;
    tensors.delete('encoder.layer.2.mlp.fc1.weight');
    tensors.delete('encoder.layer.1.attention.key.bias');
    writeSafetensorsSync(join(folder, 'model.safetensors'), tensors);
    expect(fileError(() => openVjepa2(folder)).message).toMatch(/edited: expected every chunk of each split tensor, received missing encoder\.layer\.1\.attention\.key\.bias/);
    tensors.set('encoder.layer.1.attention.key.bias', { dtype: 'F32', shape: [24], data: new Float32Array(24) });
    writeSafetensorsSync(join(folder, 'model.safetensors'), tensors);
    expect(fileError(() => openVjepa2(folder)).message).toMatch(/edited: encoder: expected the 40 keys of its architecture, missing encoder\.layer\.2\.mlp\.fc1\.weight$/);
    tensors.set('encoder.layer.2.mlp.fc1.weight', { dtype: 'F32', shape: [96, 24], data: new Float32Array(96 * 24) });
    tensors.set('encoder.layer.0.attention.rope.freqs', { dtype: 'F32', shape: [4], data: new Float32Array(4) });
    writeSafetensorsSync(join(folder, 'model.safetensors'), tensors);
    expect(fileError(() => openVjepa2(folder)).message).toMatch(/expected only the tensors of a Hugging Face V-JEPA 2 model, received unexpected encoder\.layer\.0\.attention\.rope\.freqs/);
    tensors.delete('encoder.layer.0.attention.rope.freqs');
    tensors.set('encoder.layer.1.mlp.fc1.weight', { dtype: 'F32', shape: [95, 24], data: new Float32Array(95 * 24) });
    writeSafetensorsSync(join(folder, 'model.safetensors'), tensors);
    expect(fileError(() => openVjepa2(folder)).message).toMatch(/encoder: encoder\.layer\.1\.mlp\.fc1\.weight shape: expected \[96, 24\], received \[95, 24\]/);
  });
});

describe('official .pt files with keys that do not fit', () => {
  it('names the missing and unexpected keys in official terms, and a wrong shape', () => {
    const dir = temp();
    const encoder = new PyOrderedDict<string, unknown>();
    for (const [key, t] of selectGroup(reference, 'encoder') as Map<string, SafeTensor>) {
      if (key !== 'blocks.1.attn.proj.bias') encoder.set(`module.backbone.${key}`, { dtype: 'F32', shape: t.shape, data: t.data });
    }
    encoder.set('module.backbone.blocks.0.attn.rope.freqs', { dtype: 'F32', shape: [2], data: new Float32Array(2) });
    const path = join(dir, 'edited.pt');
    saveTorchFile(path, { encoder });
    expect(fileError(() => openVjepa2(path, TINY)).message).toBe(
      `${path}: encoder: expected the 40 keys of its architecture, missing blocks.1.attn.proj.bias; unexpected blocks.0.attn.rope.freqs`,
    );
    const probe = new PyOrderedDict<string, unknown>();
    for (const [key, t] of selectGroup(reference, 'probe') as Map<string, SafeTensor>) {
      const shape = key === 'pooler.blocks.2.mlp.fc2.weight' ? [24, 95] : t.shape;
      probe.set(`module.${key}`, { dtype: 'F32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    }
    saveTorchFile(join(dir, 'probe.pt'), { classifiers: [probe], epoch: 1 });
    expect(fileError(() => openVjepa2(join(dir, 'probe.pt'), TINY)).message).toBe(`${join(dir, 'probe.pt')}: probe: pooler.blocks.2.mlp.fc2.weight shape: expected [24, 96], received [24, 95]`);
  });
});

describe('official .pt files as released: opt skipped, half-precision weights', () => {
  it("never reads the tensors of 'opt', and widens F16 and BF16 weights exactly", () => {
    const dir = temp();
    for (const dtype of ['F16', 'BF16'] as const) {
      const state = (group: string) => {
        const dict = new PyOrderedDict<string, unknown>();
        for (const [key, t] of selectGroup(reference, group) as Map<string, SafeTensor>) {
          const bits = dtype === 'F16' ? float32ToFloat16(t.data as Float32Array) : float32ToBfloat16(t.data as Float32Array);
          dict.set(`module.backbone.${key}`, { dtype, shape: t.shape, data: bits });
        }
        return dict;
      };
      const marker = new Float32Array(4096).fill(1234.5);
      const path = join(dir, `vitl-${dtype}.pt`);
      saveTorchFile(path, {
        encoder: state('encoder'),
        predictor: state('predictor'),
        target_encoder: state('target_encoder'),
        opt: { state: new Map([[0, { exp_avg: { dtype: 'F32', shape: [4096], data: marker } }]]), param_groups: [{ lr: 1e-4 }] },
        epoch: 3,
      });
      // Corrupt the optimiser state's bytes: reading them would fail its CRC-32.
      const bytes = readFileSync(path);
      const at = bytes.indexOf(Buffer.from(marker.buffer));
      bytes.fill(7, at, at + marker.byteLength);
      writeFileSync(path, bytes);
      const file = openTorchFile(path);
      const opt = (file.root as Map<string, Map<string, Map<number, Map<string, { readFloat32(): Float32Array }>>>>).get('opt')!.get('state')!.get(0)!.get('exp_avg')!;
      expect(() => opt.readFloat32()).toThrow(/CRC/);
      file.close();

      const read = readVjepa2(path, { ...TINY, encoder: 'target_encoder' });
      for (const group of ['target_encoder', 'predictor'] as const) {
        const got = group === 'target_encoder' ? read.encoder! : read.predictor!;
        for (const [key, t] of selectGroup(reference, group) as Map<string, SafeTensor>) {
          const bits = dtype === 'F16' ? float32ToFloat16(t.data as Float32Array) : float32ToBfloat16(t.data as Float32Array);
          const widened = dtype === 'BF16' ? new Float32Array(Uint32Array.from(bits, (b) => b << 16).buffer) : float16ToFloat32(bits);
          expect(got.get(key)!.data, key).toEqual(widened);
          if (dtype === 'F16') expect(float32ToFloat16(got.get(key)!.data), key).toEqual(bits);
        }
      }
      // Written to HF in its own dtype: the bytes are kept.
      const checkpoint = openVjepa2(path, TINY);
      try {
        expect(checkpoint.encoder!.get('norm.weight')!.dtype).toBe(dtype);
        const hf = join(dir, `hf-${dtype}`);
        expect(writeVjepa2HuggingFace(hf, { arch: checkpoint.arch, encoder: checkpoint.encoder!, predictor: checkpoint.predictor }).dtype).toBe(dtype);
        expect(readSafetensorsSync(join(hf, 'model.safetensors')).tensors.get('encoder.layernorm.weight')!.dtype).toBe(dtype);
      } finally {
        checkpoint.close();
      }
    }
  });
});
