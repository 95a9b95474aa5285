// `vjepa probe` and `vjepa embed` as the command runs them: the checkpoint resolved into an encoder (a vjepa
// train folder, an official .pth.tar, 'random', 'pixels'), the probe data opened, the probe run of @vjepa/probe.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensorsSync } from '@vjepa/core';
import { PRETRAINING_MASK_GENERATORS } from '@vjepa/masking';
import { officialRecipe } from '@vjepa/trainer';
import { vitConfig } from '@vjepa/vit';
import { createProgram } from '../main';
import { runTrain } from '@vjepa/trainer';
import { runEmbedCommand } from './embed';
import { probeSource, type ProbeSourceOptions } from '@vjepa/official';

const fixture = (path: string) => new URL(`../../../../fixtures/${path}`, import.meta.url).pathname;
const quiet = () => undefined;

/** The options `vjepa probe ARGS` hands to probeSource (the command itself not run). */
async function probeFlags(...args: string[]): Promise<ProbeSourceOptions> {
  const program = createProgram().exitOverride();
  const probe = program.commands.find((command) => command.name() === 'probe')!;
  let flags: Record<string, unknown> = {};
  probe.action((o: Record<string, unknown>) => {
    flags = o;
  });
  await program.parseAsync(['node', 'vjepa', 'probe', ...args]);
  return flags as unknown as ProbeSourceOptions;
}

describe('vjepa embed and vjepa probe', () => {
  it('read the frozen encoder of a vjepa train folder', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vjepa-train-'));
    const config = {
      data: { spec: 'synthetic:tiny', crop: 32, frames: 8, frameStep: 4, batchSize: 4 },
      model: { size: 'tiny' as const, encoder: vitConfig('tiny', { dim: 48, depth: 2, heads: 4, patch: 8, frames: 8, imageSize: 32 }), predictor: { dim: 32, depth: 1 } },
      target: 'features' as const,
      mask: [...PRETRAINING_MASK_GENERATORS],
      optimization: { ...officialRecipe(2), lr: 1e-3, steps: 2 },
      seed: 0,
    };
    await runTrain({ config, backend: 'wasm', out, log: quiet, checkpointEvery: 2 });

    // the trained encoder embeds clips: [M, N, D] with N = 4·4·4 tokens
    const features = join(out, 'features.safetensors');
    await runEmbedCommand({ inputs: ['synthetic:tiny'], checkpoint: out, out: features, limit: 6, log: quiet });
    expect(readSafetensorsSync(features).tensors.get('features')!.shape).toEqual([6, 64, 48]);

    // and a probe reads its frozen features: the summary line and the probe weights with official keys
    const [summary2] = await probeSource({ checkpoint: out, train: 'synthetic:tiny', val: 'synthetic:tiny', labels: ['direction'], trainSize: 32, valSize: 16, epochs: 2, views: 2, log: quiet });
    expect(summary2).toMatchObject({ classes: 8, train: 32, val: 16, task: 'direction', probe: 'attentive', encoder: 'target' });
    expect(summary2.top1).toBeGreaterThanOrEqual(0);
    expect(summary2.top1).toBeLessThanOrEqual(1);
    const probeKeys = [...readSafetensorsSync(join(out, 'probe-target-direction-attentive.safetensors')).tensors.keys()];
    expect(probeKeys).toContain('pooler.cross_attention_block.xattn.kv.weight');
    expect(probeKeys).toContain('linear.weight');
  });

  it('vjepa probe --checkpoint random probes an untrained encoder of the given configuration', async () => {
    const [summary] = await probeSource({
      checkpoint: 'random',
      modelFlags: { model: 'tiny', depth: '1', crop: '32', frames: '8' },
      train: 'synthetic:tiny',
      val: 'synthetic:tiny',
      probe: 'linear',
      trainSize: 16,
      valSize: 8,
      epochs: 1,
      out: join(mkdtempSync(join(tmpdir(), 'vjepa-probe-')), 'p.safetensors'),
      log: quiet,
    });
    expect(summary).toMatchObject({ classes: 4, train: 16, val: 8, task: 'shape', probe: 'linear', encoder: 'random' });
    await expect(probeSource({ checkpoint: '/nonexistent', train: 'synthetic', val: 'synthetic', log: quiet })).rejects.toThrow(/^--checkpoint: expected a vjepa train output folder/);
  });

  it('vjepa probe --whiten none,pca: one probe each on the same features, the fitted transform saved beside the weights', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vjepa-whiten-'));
    const summaries = await probeSource({
      checkpoint: 'random',
      modelFlags: { model: 'tiny', depth: '1', crop: '32', frames: '8' },
      train: 'synthetic:tiny',
      val: 'synthetic:tiny',
      probe: 'linear',
      whiten: ['none', 'pca'],
      lrGrid: [1e-4, 1e-2],
      trainSize: 16,
      valSize: 8,
      epochs: 1,
      out: join(dir, 'p.safetensors'),
      log: quiet,
    });
    expect(summaries.map((s) => s.whiten)).toEqual(['none', 'pca']);
    for (const s of summaries) expect([1e-4, 1e-2]).toContain(s.lr); // chosen on held-out training clips
    const plain = readSafetensorsSync(join(dir, 'probe-random-shape-linear.safetensors'));
    const whitened = readSafetensorsSync(join(dir, 'probe-random-shape-linear-pca.safetensors'));
    expect([...plain.tensors.keys()].sort()).toEqual(['linear.bias', 'linear.weight']);
    expect([...whitened.tensors.keys()].sort()).toEqual(['linear.bias', 'linear.weight', 'whiten.matrix', 'whiten.mean']);
    expect(whitened.tensors.get('whiten.matrix')!.shape).toEqual([192, 192]);
    expect(whitened.metadata).toMatchObject({ whiten: 'pca', task: 'shape' });
    await expect(probeSource({ checkpoint: 'random', train: 'synthetic:tiny', val: 'synthetic:tiny', whiten: ['zca' as never], log: quiet })).rejects.toThrow(
      /whiten: expected pca \| std \| none, received "zca"/,
    );
  });

  it('vjepa probe --checkpoint pixels: the raw tubelet pixels into the same probe', async () => {
    const [summary] = await probeSource({
      checkpoint: 'pixels',
      modelFlags: { model: 'tiny', depth: '1', crop: '32', frames: '8' },
      train: 'synthetic:tiny',
      val: 'synthetic:tiny',
      labels: ['direction'],
      trainSize: 16,
      valSize: 8,
      epochs: 1,
      out: join(mkdtempSync(join(tmpdir(), 'vjepa-pixels-')), 'p.safetensors'),
      log: quiet,
    });
    expect(summary).toMatchObject({ encoder: 'pixels', task: 'direction', classes: 8, probe: 'attentive' });
    const probe = readSafetensorsSync(summary.weights).tensors;
    expect(probe.get('pooler.query_tokens')!.shape).toEqual([1, 1, 2 * 16 * 16 * 3]); // t·p·p·C wide
  });

  it('vjepa probe --checkpoint pixels --whiten pca --whiten-components 8: the probe reads the 8 leading axes; bad uses refused', async () => {
    const common = { modelFlags: { model: 'tiny', depth: '1', crop: '32', frames: '8' }, train: 'synthetic:tiny', val: 'synthetic:tiny', labels: ['direction'], trainSize: 16, valSize: 8, epochs: 1, log: quiet };
    const [summary] = await probeSource({ ...common, checkpoint: 'pixels', whiten: ['pca'], whitenComponents: 8, out: join(mkdtempSync(join(tmpdir(), 'vjepa-pixels-')), 'p.safetensors') });
    expect(summary).toMatchObject({ encoder: 'pixels', whiten: 'pca', whitenComponents: 8 });
    const probe = readSafetensorsSync(summary.weights).tensors;
    expect(probe.get('whiten.matrix')!.shape).toEqual([1536, 8]);
    expect(probe.get('pooler.query_tokens')!.shape).toEqual([1, 1, 8]);
    await expect(probeSource({ ...common, checkpoint: 'random', whiten: ['none'], whitenComponents: 8 })).rejects.toThrow(/whitenComponents: expected whiten 'pca' only/);
    await expect(probeSource({ ...common, checkpoint: 'random', whiten: ['pca'], whitenComponents: 500 })).rejects.toThrow(/whitenComponents: expected at most the feature width 192, received 500/);
    await expect(probeSource({ ...common, checkpoint: 'random', whiten: ['pca'], whitenComponent: 8 } as never)).rejects.toThrow(/whitenComponent/);
  });

  it('vjepa probe --layers: block outputs and the final norm, concatenated on the channels (layerFeatures); a block the encoder lacks refused', async () => {
    const [summary] = await probeSource({
      checkpoint: 'random',
      modelFlags: { model: 'tiny', depth: '2', crop: '32', frames: '8' },
      train: 'synthetic:tiny',
      val: 'synthetic:tiny',
      probe: 'linear',
      layers: [2, 'final'],
      trainSize: 16,
      valSize: 8,
      epochs: 1,
      out: join(mkdtempSync(join(tmpdir(), 'vjepa-layers-')), 'p.safetensors'),
      log: quiet,
    });
    expect(summary).toMatchObject({ layers: '2,final', classes: 4 });
    await expect(probeSource({ checkpoint: 'random', modelFlags: { depth: '2' }, train: 'synthetic:tiny', val: 'synthetic:tiny', layers: [3], log: quiet })).rejects.toThrow(
      /layers: expected block numbers 1…2 and\/or 'final', received 3/,
    );
  });

  it('vjepa embed and vjepa probe --checkpoint FILE.pth.tar (with --probe-checkpoint) run on the official files', async () => {
    const pretrain = fixture('pytorch/tiny-pretrain.pth.tar');
    const out = join(mkdtempSync(join(tmpdir(), 'vjepa-embed-pth-')), 'features.safetensors');
    const { shape } = await runEmbedCommand({ inputs: ['synthetic:tiny'], checkpoint: pretrain, inferred: { heads: 4 }, out, limit: 3, log: quiet });
    expect(shape).toEqual([3, 36, 48]);
    expect(readSafetensorsSync(out).metadata.encoder).toBe('target_encoder');
    const [summary] = await probeSource({
      checkpoint: pretrain,
      inferred: { heads: 4 },
      probeCheckpoint: fixture('pytorch/tiny-probe.pth.tar'),
      train: 'synthetic:tiny',
      val: 'synthetic:tiny',
      trainSize: 4,
      valSize: 8,
      log: quiet,
    });
    expect(summary).toMatchObject({ classes: 5, val: 8, task: 'shape', probe: 'attentive', checkpoint: pretrain });
    expect(summary.top1 * 8).toBe(Math.round(summary.top1 * 8));
  });
});

describe('vjepa probe flags', () => {
  it('parses every value before the command runs, with the documented defaults', async () => {
    expect(await probeFlags('--checkpoint', 'random')).toEqual({
      checkpoint: 'random',
      train: 'synthetic',
      val: 'synthetic',
      segments: 1,
      views: 1,
      epochs: 20,
      batchSize: 64,
      lr: 0.001,
      probe: 'attentive',
      whiten: ['none'],
      encoder: 'target',
      trainSize: 1024,
      valSize: 512,
      seed: 0,
      backend: 'auto',
    });
    const flags = await probeFlags(
      ...['--checkpoint', 'runs/a', '--label', 'shape,direction', '--layers', '2, final', '--lr-grid', '1e-3,3e-3', '--whiten', 'none,pca'],
      ...['--whiten-components', '8', '--views', '3', '--heads', '4', '--probe', 'linear', '--encoder', 'online'],
    );
    expect(flags).toMatchObject({ label: ['shape', 'direction'], layers: [2, 'final'], lrGrid: [1e-3, 3e-3], whiten: ['none', 'pca'], whitenComponents: 8, views: 3, heads: 4 });
    expect(flags).toMatchObject({ probe: 'linear', encoder: 'online' });
    const knn = await probeFlags('--checkpoint', 'random', '--probe', 'knn', '--knn-k', '10', '--knn-temperature', '0.1', '--labels-per-class', '16');
    expect(knn).toMatchObject({ probe: 'knn', knnK: 10, knnTemperature: 0.1, labelsPerClass: 16 });
  });

  it.each([
    [['--layers', '0,final'], `--layers: expected a comma-separated list of block numbers ≥ 1 and/or 'final', received "0,final"`],
    [['--whiten', 'zca'], '--whiten: expected a comma-separated list of pca, std, none, received "zca"'],
    [['--lr', '-1'], '--lr: expected a positive number, received "-1"'],
    [['--lr-grid', '1e-3,x'], '--lr-grid: expected a comma-separated list of positive numbers, received "1e-3,x"'],
    [['--views', '0'], '--views: expected an integer ≥ 1, received "0"'],
    [['--probe', 'mlp'], '--probe: expected one of attentive, linear, knn, received "mlp"'],
    [['--labels-per-class', '0'], '--labels-per-class: expected an integer ≥ 1, received "0"'],
    [['--knn-temperature', '0'], '--knn-temperature: expected a positive number, received "0"'],
    [['--encoder', 'ema'], '--encoder: expected one of target, online, received "ema"'],
  ])('refuses %j, naming the flag', async (args, message) => {
    await expect(probeFlags('--checkpoint', 'random', ...args)).rejects.toThrow(message);
  });
});
