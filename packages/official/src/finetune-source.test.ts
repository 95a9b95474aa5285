import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { readRunState } from '@vjepa/trainer';
import { readSafetensorsSync } from '@vjepa/core';
import { finetuneSource, type FinetuneSourceOptions } from './finetune-source';
import { readOfficialEncoder } from './torch-files';
import { featureSourceConfig } from './feature-source';

let directory: string;
beforeAll(async () => {
  await selectBackend('cpu');
  directory = mkdtempSync(join(tmpdir(), 'vjepa-finetune-source-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

// ViT-tiny width, depth 1, 2 frames of 16 × 16 (patch 16, tubelet 2: one token), the fastest encoder there is; one training clip per direction
const tiny: FinetuneSourceOptions = {
  checkpoint: 'random', modelFlags: { model: 'tiny', depth: '1', crop: '16', frames: '2' }, train: 'synthetic:tiny', val: 'synthetic:tiny', label: 'direction',
  labelsPerClass: 1, trainSize: 48, valSize: 8, head: 'linear', epochs: 2, batchSize: 4, backend: 'cpu', log: () => undefined,
};

describe('finetuneSource', () => {
  it('fine-tunes a random encoder on N clips per class, checkpoints encoder and head, and reports top-1 as one JSON line', async () => {
    const lines: string[] = [];
    const out = join(directory, 'run');
    const before = tf.memory().numTensors;
    const result = await finetuneSource({ ...tiny, out, log: (line) => lines.push(line) });
    expect(tf.memory().numTensors).toBe(before);
    expect(result).toMatchObject({ task: 'direction', labelsPerClass: 1, head: 'linear', encoder: 'random', checkpoint: 'random', epochs: 2, seed: 0, out, val: 8, interrupted: false });
    expect(result.train).toBe(result.classes); // one clip of every class
    expect(result.steps).toBe(2 * Math.ceil(result.train / 4));
    expect(result.top1 * 8).toBe(Math.round(result.top1 * 8));
    expect(JSON.parse(lines[lines.length - 1])).toEqual(result);
    expect(lines.some((line) => /^step 1\/\d+ \| loss [\d.]+ \| acc .* \| ETA /.test(line))).toBe(true);
    const saved = readRunState(out)!;
    expect(saved.state).toMatchObject({ step: result.steps, finetune: { head: 'linear', label: 'direction', labelsPerClass: 1, classes: result.classes } });
    // the run folder reads as an encoder source for `vjepa probe --checkpoint RUN --encoder online`
    expect(featureSourceConfig(out, { which: 'online' }).model.encoder).toEqual(featureSourceConfig('random', { modelFlags: tiny.modelFlags }).model.encoder);
    // resuming a finished run trains nothing more and evaluates the same weights
    const again = await finetuneSource({ ...tiny, out, resume: true });
    expect(again.top1).toBe(result.top1);
    await expect(finetuneSource({ ...tiny, out, resume: true, seed: 1 })).rejects.toThrow(/--resume: expected the settings of the run in .*, received "seed 1 \(the run has 0\)/);
    await expect(finetuneSource({ ...tiny, out: join(directory, 'none'), resume: true })).rejects.toThrow(/--resume: expected a vjepa finetune run in/);
  });

  it('--steps: that many steps whatever the number of clips, a tenth of them warm-up', async () => {
    const lines: string[] = [];
    const result = await finetuneSource({ ...tiny, steps: 10, out: join(directory, 'steps'), log: (line) => lines.push(line) });
    expect(result.steps).toBe(10);
    expect(result.epochs).toBe(Number((10 / Math.ceil(result.train / 4)).toFixed(2)));
    expect(lines.find((line) => line.startsWith("task 'direction'"))).toMatch(/; 10 steps \([\d.]+ epochs\) of 4, warm-up 1$/);
  });

  it('starts from an official V-JEPA checkpoint: its target encoder, in its geometry', async () => {
    const pretrain = new URL('../../../fixtures/pytorch/tiny-pretrain.pth.tar', import.meta.url).pathname;
    const out = join(directory, 'official');
    // one step at the end of the cosine (lr = finalLr = 0) moves nothing: the checkpoint written holds the file's own weights
    const result = await finetuneSource({ ...tiny, checkpoint: pretrain, modelFlags: undefined, inferred: { heads: 4 }, steps: 1, lr: 1e-12, finalLr: 0, out });
    expect(result).toMatchObject({ encoder: 'target', checkpoint: pretrain, steps: 1 });
    const saved = readSafetensorsSync(join(readRunState(out)!.dir, 'encoder.safetensors')).tensors;
    const { state } = readOfficialEncoder(pretrain, 'target');
    expect([...saved.keys()].sort()).toEqual([...state.keys()].sort());
    for (const [key, tensor] of state) {
      const ours = saved.get(key)!.data as Float32Array;
      const theirs = tensor.data as Float32Array;
      expect(ours.reduce((max, x, i) => Math.max(max, Math.abs(x - theirs[i])), 0), key).toBeLessThan(1e-9);
    }
  });

  it('refuses pixels and bad settings before any work', async () => {
    await expect(finetuneSource({ ...tiny, steps: 0 })).rejects.toThrow('steps: expected a positive integer, received 0');
    await expect(finetuneSource({ ...tiny, checkpoint: 'pixels' })).rejects.toThrow(/checkpoint: expected an encoder to fine-tune/);
    await expect(finetuneSource({ ...tiny, warmupEpochs: 3 })).rejects.toThrow('warmupEpochs: expected a number in [0, 2] (epochs), received 3');
    await expect(finetuneSource({ ...tiny, labelsPerClass: 99 })).rejects.toThrow(/labelsPerClass: expected at most the clips of the smallest class of 'direction'/);
  });
});
