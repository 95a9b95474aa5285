import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, readSafetensorsSync, selectBackend } from '@vjepa/core';
import { VisionTransformer, vitConfig } from '@vjepa/vit';
import { officialRecipe, runTrain, type RunConfig } from '@vjepa/trainer';
import { PRETRAINING_MASK_GENERATORS } from '@vjepa/masking';
import { runEmbed } from '../commands/embed';
import { encodeLayers, runProbe } from '../commands/probe';

/** A small run on the embedded 8 × 32 × 32 synthetic clips. */
function smallConfig(steps: number): RunConfig {
  return {
    data: { spec: 'synthetic:tiny', crop: 32, frames: 8, frameStep: 4, batchSize: 4 },
    model: {
      size: 'tiny',
      encoder: vitConfig('tiny', { dim: 48, depth: 2, heads: 4, patch: 8, frames: 8, imageSize: 32 }),
      predictor: { dim: 32, depth: 1 },
    },
    target: 'features',
    mask: [...PRETRAINING_MASK_GENERATORS],
    optimization: { ...officialRecipe(steps), lr: 1e-3, steps },
    seed: 0,
  };
}

const quiet = () => undefined;

describe('vjepa train', () => {
  it('the loss falls over 200 steps on the synthetic data', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vjepa-train-'));
    const summary = await runTrain({ config: smallConfig(200), backend: 'wasm', out, log: quiet, checkpointEvery: 100 });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(summary.losses.slice(0, 20));
    const last = mean(summary.losses.slice(-20));
    expect(summary.losses.length).toBe(200);
    expect(last).toBeLessThan(0.8 * first);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(200);
    // the diagnostics of the fixed synthetic batch, every 25 steps: object vs background loss, rank, temporal std
    const diagnostics = JSON.parse(lines[24]).diagnostics;
    expect(diagnostics.objectTokens).toBeGreaterThan(0);
    expect(diagnostics.backgroundTokens).toBeGreaterThan(0);
    expect(diagnostics.objectLoss).toBeGreaterThan(0);
    expect(diagnostics.temporalStdRatio).toBeGreaterThan(0);
    expect(JSON.parse(lines[23]).diagnostics).toBeUndefined();
    expect(JSON.parse(lines[199])).toMatchObject({ step: 199, totalSteps: 200, skippedClips: 0 });

    // the trained encoder embeds clips: [M, N, D] with N = 4·4·4 tokens
    const features = join(out, 'features.safetensors');
    await runEmbed({ inputs: ['synthetic:tiny'], checkpoint: out, out: features, limit: 6, log: quiet });
    expect(readSafetensorsSync(features).tensors.get('features')!.shape).toEqual([6, 64, 48]);

    // and a probe reads its frozen features: the summary line and the probe weights with official keys
    const [summary2] = await runProbe({ checkpoint: out, train: 'synthetic:tiny', val: 'synthetic:tiny', labels: ['direction'], trainSize: 32, valSize: 16, epochs: 2, views: 2, log: quiet });
    expect(summary2).toMatchObject({ classes: 8, train: 32, val: 16, task: 'direction', probe: 'attentive', encoder: 'target' });
    expect(summary2.top1).toBeGreaterThanOrEqual(0);
    expect(summary2.top1).toBeLessThanOrEqual(1);
    const probeKeys = [...readSafetensorsSync(join(out, 'probe-target-direction-attentive.safetensors')).tensors.keys()];
    expect(probeKeys).toContain('pooler.cross_attention_block.xattn.kv.weight');
    expect(probeKeys).toContain('linear.weight');
  });

  it('vjepa probe --checkpoint random probes an untrained encoder of the given configuration', async () => {
    const [summary] = await runProbe({
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
    await expect(runProbe({ checkpoint: '/nonexistent', train: 'synthetic', val: 'synthetic', log: quiet })).rejects.toThrow(/--checkpoint: expected a vjepa train output folder/);
  });

  it('vjepa probe --whiten none,pca: one probe each on the same features, the fitted transform saved beside the weights', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vjepa-whiten-'));
    const summaries = await runProbe({
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
    await expect(runProbe({ checkpoint: 'random', train: 'synthetic:tiny', val: 'synthetic:tiny', whiten: ['zca' as never], log: quiet })).rejects.toThrow(
      /--whiten: expected pca \| std \| none, received "zca"/,
    );
  });

  it('vjepa probe --checkpoint pixels: the raw tubelet pixels into the same probe', async () => {
    const [summary] = await runProbe({
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
    const [summary] = await runProbe({ ...common, checkpoint: 'pixels', whiten: ['pca'], whitenComponents: 8, out: join(mkdtempSync(join(tmpdir(), 'vjepa-pixels-')), 'p.safetensors') });
    expect(summary).toMatchObject({ encoder: 'pixels', whiten: 'pca', whitenComponents: 8 });
    const probe = readSafetensorsSync(summary.weights).tensors;
    expect(probe.get('whiten.matrix')!.shape).toEqual([1536, 8]);
    expect(probe.get('pooler.query_tokens')!.shape).toEqual([1, 1, 8]);
    await expect(runProbe({ ...common, checkpoint: 'random', whiten: ['none'], whitenComponents: 8 })).rejects.toThrow(/--whiten-components: expected --whiten pca only/);
    await expect(runProbe({ ...common, checkpoint: 'random', whiten: ['pca'], whitenComponents: 500 })).rejects.toThrow(/--whiten-components: expected at most the feature width 192, received 500/);
    await expect(runProbe({ ...common, checkpoint: 'random', whiten: ['pca'], whitenComponent: 8 } as never)).rejects.toThrow(/whitenComponent/);
  });

  it('vjepa probe --layers: block outputs and the final norm, concatenated on the channels', async () => {
    await selectBackend('cpu');
    const encoder = new VisionTransformer(vitConfig('tiny', { dim: 16, depth: 2, heads: 2, patch: 8, frames: 4, imageSize: 16 }));
    const video = tf.tensor5d(new RandomStream(0).uniform(2 * 4 * 16 * 16 * 3, -1, 1), [2, 4, 16, 16, 3]);
    const both = encodeLayers(encoder, video, [1, 'final']);
    expect(both.shape).toEqual([2, 8, 32]);
    const final = encoder.apply(video);
    const first = tf.tidy(() => encoder.blocks[0].apply(encoder.embed(video)));
    const [left, right] = tf.split(both, 2, 2);
    expect(Array.from(right.dataSync())).toEqual(Array.from(final.dataSync()));
    expect(Array.from(left.dataSync())).toEqual(Array.from(first.dataSync()));
    expect(Array.from(encodeLayers(encoder, video, ['final']).dataSync())).toEqual(Array.from(final.dataSync()));
    tf.dispose([video, both, final, first, left, right]);
    encoder.dispose();
    const [summary] = await runProbe({
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
    await expect(runProbe({ checkpoint: 'random', modelFlags: { depth: '2' }, train: 'synthetic:tiny', val: 'synthetic:tiny', layers: [3], log: quiet })).rejects.toThrow(
      /--layers: expected block numbers 1…2 and\/or 'final', received 3/,
    );
  });
});
