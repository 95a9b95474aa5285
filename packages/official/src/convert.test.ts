import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensorsSync } from '@vjepa/core';
import { officialRecipe, resolveRunConfig, runTrain, savedRunConfig, type RunConfig } from '@vjepa/trainer';
import { vitConfig } from '@vjepa/vit';
import { PRETRAINING_MASK_GENERATORS } from '@vjepa/masking';
import { flattenTorch, openTorchFile, saveTorchFile } from '@vjepa/torch-format';
import { runConvert } from './convert';
import { inspectFile } from './inspect';

const fixture = (path: string) => new URL(`../../../fixtures/${path}`, import.meta.url).pathname;
const quiet = () => undefined;

function smallConfig(steps: number): RunConfig {
  return {
    data: { spec: 'synthetic:tiny', crop: 32, frames: 8, frameStep: 4, batchSize: 2 },
    model: { size: 'tiny', encoder: vitConfig('tiny', { dim: 48, depth: 2, heads: 4, patch: 8, frames: 8, imageSize: 32 }), predictor: { dim: 32, depth: 1 } },
    target: 'features',
    mask: [...PRETRAINING_MASK_GENERATORS],
    optimization: { ...officialRecipe(steps), lr: 1e-3, warmupSteps: 2, clipFromStep: 0, steps },
    seed: 0,
  };
}

function losses(out: string): number[] {
  return readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { loss: number }).loss);
}

describe('vjepa inspect', () => {
  it('lists the tensors and values of a .pth.tar (both formats) and of a checkpoint folder', () => {
    const zip = inspectFile(fixture('pytorch/tiny-pretrain.pth.tar'));
    expect(zip.format).toBe('pytorch-zip');
    expect(zip.tensors[0]).toEqual({ name: 'encoder/module.backbone.pos_embed', dtype: 'F32', shape: [1, 36, 48] });
    expect(zip.tensors.find((t) => t.name === 'opt/state/0/exp_avg')).toEqual({ name: 'opt/state/0/exp_avg', dtype: 'F32', shape: [48, 3, 2, 8, 8] });
    expect(zip.tensors.find((t) => t.name === 'opt/state/0/step')).toEqual({ name: 'opt/state/0/step', dtype: 'F32', shape: [] });
    expect(zip.values).toMatchObject({ scaler: null, epoch: 3, loss: 0.4321, batch_size: 2, world_size: 1, lr: 0.000625 });
    const legacy = inspectFile(fixture('pytorch/tiny-pretrain-legacy.pth.tar'));
    expect(legacy.format).toBe('pytorch-legacy');
    expect(legacy.tensors).toEqual(zip.tensors);
    expect(legacy.values).toEqual(zip.values);
    const reference = inspectFile(fixture('reference/tiny.safetensors'));
    expect(reference.format).toBe('safetensors');
    expect(reference.tensors.find((t) => t.name === 'encoder/pos_embed')).toEqual({ name: 'encoder/pos_embed', dtype: 'F32', shape: [1, 36, 48] });
  });
});

describe('vjepa convert', () => {
  it('.pth.tar → .safetensors keeps every tensor bit for bit under its /-joined name, and the values as JSON metadata', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'vjepa-convert-')), 'tiny.safetensors');
    await runConvert(fixture('pytorch/tiny-pretrain.pth.tar'), out, { log: quiet });
    const { tensors, metadata } = readSafetensorsSync(out);
    const file = openTorchFile(fixture('pytorch/tiny-pretrain.pth.tar'));
    const flat = flattenTorch(file.root);
    expect([...tensors.keys()].sort()).toEqual([...flat.tensors.keys()].sort());
    for (const [name, tensor] of flat.tensors) {
      const got = tensors.get(name)!;
      expect(got.shape).toEqual([...tensor.shape]);
      expect(Buffer.from((got.data as Float32Array).buffer, (got.data as Float32Array).byteOffset, got.data.byteLength).equals(Buffer.from(tensor.readBytes()))).toBe(true);
    }
    file.close();
    expect(JSON.parse(metadata.epoch)).toBe(3);
    await expect(runConvert(fixture('pytorch/tiny-pretrain.pth.tar'), out, { ipe: 1, speed: 2 } as never)).rejects.toThrow(/options\.speed: expected one of ipe, scaler/);
    await expect(runConvert(fixture('pytorch/tiny-pretrain.pth.tar'), join(out, '..', 'x.onnx'))).rejects.toThrow(/IN OUT: expected a \.pth\* file and a \.safetensors file/);
    expect(JSON.parse(metadata['opt/param_groups'])[0].betas).toEqual([0.9, 0.999]);
  });

  it('.pth → .safetensors keeps F16 and BF16 as they are (lossless)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vjepa-convert-half-'));
    const bf16 = new Uint16Array([0x3f80, 0xc000, 0x4049]); // 1, -2, 3.140625
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x0001]); // 1, -2, 2^-24
    saveTorchFile(join(dir, 'half.pth'), { a: { dtype: 'BF16', shape: [3], data: bf16 }, b: { dtype: 'F16', shape: [1, 3], data: f16 } });
    await runConvert(join(dir, 'half.pth'), join(dir, 'half.safetensors'), { log: quiet });
    expect(inspectFile(join(dir, 'half.safetensors')).tensors).toEqual([
      { name: 'a', dtype: 'BF16', shape: [3] },
      { name: 'b', dtype: 'F16', shape: [1, 3] },
    ]);
    const { tensors } = readSafetensorsSync(join(dir, 'half.safetensors'));
    expect(Array.from(tensors.get('a')!.data as Float32Array)).toEqual([1, -2, 3.140625]);
    expect(Array.from(tensors.get('b')!.data as Float32Array)).toEqual([1, -2, 2 ** -24]);
  });

  it('a checkpoint folder → .pth.tar (official layout) → folder: every tensor equal, and training resumes with the same losses', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vjepa-roundtrip-'));
    const original = join(root, 'original');
    await runTrain({ config: smallConfig(6), backend: 'wasm', out: original, log: quiet, checkpointEvery: 3 });
    const fromStep3 = join(original, 'checkpoints', 'step-00000003');
    const folder = inspectFile(original); // a training folder: its latest checkpoint
    expect(folder.format).toBe('vjepa-checkpoint');
    expect(folder.values).toMatchObject({ step: 6 });
    expect(folder.tensors.find((t) => t.name === 'optimizer/encoder/patch_embed.proj.weight/exp_avg')).toEqual({ name: 'optimizer/encoder/patch_embed.proj.weight/exp_avg', dtype: 'F32', shape: [48, 3, 2, 8, 8] });
    expect(folder.tensors.find((t) => t.name === 'target_encoder/pos_embed')).toEqual({ name: 'target_encoder/pos_embed', dtype: 'F32', shape: [1, 64, 48] });

    const pth = join(root, 'run.pth.tar');
    await runConvert(fromStep3, pth, { log: quiet, ipe: 2 });
    const file = openTorchFile(pth);
    const top = file.root as Map<string, unknown>;
    expect([...top.keys()]).toEqual(['encoder', 'predictor', 'opt', 'scaler', 'target_encoder', 'epoch', 'loss', 'batch_size', 'world_size', 'lr', 'vjepa_ts_state']);
    expect(top.get('epoch')).toBe(1);
    expect(top.get('batch_size')).toBe(2);
    expect(top.get('loss')).toBe(losses(original)[2]); // the loss of the step that led to the checkpoint
    expect(top.get('lr')).toBe(1e-3); // the configured reference lr
    expect(top.get('scaler')).toBeNull();
    const flat = flattenTorch(file.root);
    expect(flat.tensors.has('encoder/module.backbone.blocks.0.attn.qkv.weight')).toBe(true);
    expect(flat.tensors.has('predictor/module.backbone.mask_tokens.0')).toBe(true);
    const groups = flat.values['opt/param_groups'] as { params: number[]; weight_decay: number; WD_exclude?: boolean }[];
    expect(groups.length).toBe(4);
    expect(groups.map((g) => g.WD_exclude ?? false)).toEqual([false, false, true, true]);
    expect(groups[2].weight_decay).toBe(0);
    // positions run through the groups in order; as the official init_opt lists them, group 0 starts with the
    // frozen pos_embed (no state) and group 1 with predictor_pos_embed; the tubelet projection weight is position 1
    expect(groups.map((g) => g.params.length)).toEqual([10, 9, 19, 12]); // a one-block predictor
    expect(groups.flatMap((g) => g.params)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(flat.tensors.has('opt/state/0/exp_avg')).toBe(false);
    expect(flat.tensors.has('opt/state/10/exp_avg')).toBe(false);
    expect(flat.tensors.get('opt/state/1/exp_avg')!.shape).toEqual([48, 3, 2, 8, 8]);
    expect(flat.tensors.get('opt/state/1/step')!.readFloat32()[0]).toBe(3);
    file.close();

    const withScaler = join(root, 'scaler.pth.tar');
    await runConvert(fromStep3, withScaler, { log: quiet, scaler: 'fresh' });
    const scalerFile = openTorchFile(withScaler);
    expect(Object.fromEntries((scalerFile.root as Map<string, Map<string, unknown>>).get('scaler')!)).toEqual({ scale: 65536, growth_factor: 2, backoff_factor: 0.5, growth_interval: 2000, _growth_tracker: 0 });
    scalerFile.close();

    const back = join(root, 'back');
    await runConvert(pth, back, { log: quiet });
    const [dirName] = readdirSync(join(back, 'checkpoints')).filter((d) => d.startsWith('step-'));
    const roundTripped = join(back, 'checkpoints', dirName);
    for (const name of ['encoder', 'predictor', 'target_encoder', 'optimizer']) {
      const a = readSafetensorsSync(join(fromStep3, `${name}.safetensors`)).tensors;
      const b = readSafetensorsSync(join(roundTripped, `${name}.safetensors`)).tensors;
      expect([...b.keys()].sort(), name).toEqual([...a.keys()].sort());
      for (const [key, tensor] of a) expect(Array.from(b.get(key)!.data as Float32Array), `${name}/${key}`).toEqual(Array.from(tensor.data as Float32Array));
    }
    expect(savedRunConfig(back)).toEqual(savedRunConfig(fromStep3));

    const resumedA = join(root, 'resumed-original');
    const resumedB = join(root, 'resumed-roundtrip');
    await runTrain({ config: smallConfig(6), backend: 'wasm', out: resumedA, resume: fromStep3, log: quiet, checkpointEvery: 100 });
    await runTrain({ config: smallConfig(6), backend: 'wasm', out: resumedB, resume: roundTripped, log: quiet, checkpointEvery: 100 });
    expect(losses(resumedB)).toEqual(losses(resumedA));
    expect(losses(resumedA)).toEqual(losses(original).slice(3));
  });

  it('an official .pth.tar → a folder that vjepa train --resume continues', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vjepa-from-official-'));
    await runConvert(fixture('pytorch/tiny-pretrain.pth.tar'), out, { log: quiet, heads: 4 });
    const config = savedRunConfig(out)!;
    expect(config.model.encoder).toMatchObject({ dim: 48, depth: 2, heads: 4, patch: 8, tubelet: 2, frames: 8, imageSize: 24 });
    expect(config.model.predictor).toMatchObject({ dim: 32, depth: 2 });
    // what `vjepa train --out OUT --resume` resolves: the file's own widths, unless a flag names a size
    expect(resolveRunConfig({ steps: '3' }, config).model.encoder).toMatchObject({ dim: 48, heads: 4, depth: 2, imageSize: 24, frames: 8 });
    expect(resolveRunConfig({ model: 'small' }, config).model.encoder).toMatchObject({ dim: 384, heads: 6 });
    const summary = await runTrain({ config: { ...config, data: { ...config.data, spec: 'synthetic:tiny', batchSize: 2 }, optimization: { ...config.optimization, steps: 3 } }, backend: 'wasm', out, resume: true, log: quiet, checkpointEvery: 100 });
    expect(summary.losses.length).toBe(2); // the fixture's AdamW states are at step 1
    expect(summary.losses.every(Number.isFinite)).toBe(true);
  });
});
