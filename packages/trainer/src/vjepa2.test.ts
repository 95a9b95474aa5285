import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { int64ToInt32, readSafetensorsSync, selectBackend, selectGroup, type IndexBatch } from '@vjepa/core';
import { VisionTransformerV2 } from '@vjepa/vit';
import { PredictorV2 } from '@vjepa/predictor';
import { readRunState } from './checkpoint';
import { createPretrainingModels, createTrainStep, officialRecipe } from './recipe';
import { resolveRunConfig } from './run-config';
import { runTrain } from './run';
import { maskTokenIndex } from './step';

// The official V-JEPA 2 fixture (fixtures/vjepa2/README.md): its loss and gradients through our train step.
const fixture = readSafetensorsSync(new URL('../../../fixtures/vjepa2/tiny.safetensors', import.meta.url)).tensors;
const geometry = { frames: 8, imageSize: 16, patch: 4, tubelet: 2 };
const mask = (name: string): IndexBatch => {
  const t = fixture.get(name)!;
  return { data: int64ToInt32(t.data as BigInt64Array), shape: t.shape as [number, number] };
};

/** √(Σ g²) over the fixture's gradients of one group. */
function fixtureNorm(group: string): number {
  let sum = 0;
  for (const t of selectGroup(fixture, group).values()) for (const v of t.data as Float32Array) sum += v * v;
  return Math.sqrt(sum);
}

describe('vjepa train --arch vjepa2: the V-JEPA 2 models through the same trainer', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('the step on the fixture’s weights, clip and masks gives the official loss and gradient norms (RoPE gradients included)', () => {
    const encoder = new VisionTransformerV2({ dim: 24, depth: 3, heads: 2, ...geometry });
    const targetEncoder = new VisionTransformerV2({ dim: 24, depth: 3, heads: 2, ...geometry });
    const predictor = new PredictorV2({ encoderDim: 24, dim: 20, depth: 2, heads: 1, ...geometry });
    encoder.loadStateDict(selectGroup(fixture, 'encoder'));
    targetEncoder.loadStateDict(selectGroup(fixture, 'target_encoder'));
    predictor.loadStateDict(selectGroup(fixture, 'predictor'));
    expect(maskTokenIndex(predictor, 1)).toBe(0); // one clip length: every generator uses token 0
    const step = createTrainStep({ encoder, predictor, targetEncoder }, { ...officialRecipe(100), clipGrad: 1e9, clipFromStep: 0 });
    const clip = fixture.get('input/video_bcthw')!;
    const video = tf.tidy(() => tf.transpose(tf.tensor5d(clip.data as Float32Array, clip.shape as [number, number, number, number, number]), [0, 2, 3, 4, 1])) as tf.Tensor5D;
    const masks = [{ context: mask('masks/enc0'), target: mask('masks/pred0') }];
    const before = tf.memory().numTensors;
    const first = step.run(video, masks);
    expect(Math.abs(first.loss - Number(fixture.get('out/loss')!.data[0]))).toBeLessThan(1e-5);
    expect(first.gradNorm!.encoder).toBeCloseTo(fixtureNorm('grad/encoder'), 5);
    expect(first.gradNorm!.predictor).toBeCloseTo(fixtureNorm('grad/predictor'), 5);
    const afterOne = tf.memory().numTensors;
    step.run(video, masks);
    step.run(video, masks);
    expect(tf.memory().numTensors).toBe(afterOne); // flat once the optimiser's moments exist
    expect(afterOne - before).toBeLessThanOrEqual(2 * [...encoder.parameters(), ...predictor.parameters()].length);
    step.dispose();
    tf.dispose([video]);
    for (const m of [encoder, predictor, targetEncoder]) m.dispose();
  });

  it('createPretrainingModels({ arch: vjepa2 }): RoPE encoder without a table, 10 mask tokens, a target copy', () => {
    const { encoder, predictor, targetEncoder } = createPretrainingModels({ arch: 'vjepa2', encoder: { dim: 48, depth: 1, heads: 2, ...geometry }, predictor: { dim: 24, depth: 1 } });
    expect(encoder).toBeInstanceOf(VisionTransformerV2);
    expect(predictor).toBeInstanceOf(PredictorV2);
    expect([...encoder.stateDict().keys()]).not.toContain('pos_embed');
    expect(predictor.maskTokens.items.length).toBe(10);
    expect(Array.from(targetEncoder.norm.weight.dataSync())).toEqual(Array.from(encoder.norm.weight.dataSync()));
    for (const m of [encoder, predictor, targetEncoder]) m.dispose();
    expect(() => createPretrainingModels({ arch: 'vjepa3' as never, encoder: {} })).toThrow('options.arch: expected one of vjepa, vjepa2, received "vjepa3"');
  });

  it('a run: --arch vjepa2 is saved in the run config and its checkpoint holds the V-JEPA 2 keys', async () => {
    const config = resolveRunConfig({ arch: 'vjepa2', data: 'synthetic:tiny', crop: '64', frames: '4', depth: '1', predDim: '48', predDepth: '1', batchSize: '1', steps: '2' });
    expect(config.model.arch).toBe('vjepa2');
    const out = mkdtempSync(join(tmpdir(), 'vjepa2-run-'));
    const lines: string[] = [];
    const summary = await runTrain({ config, backend: 'wasm', out, checkpointEvery: 2, log: (line) => lines.push(line) });
    expect(summary.losses.every(Number.isFinite)).toBe(true);
    expect(lines.some((line) => line.startsWith('model: V-JEPA 2 ViT-tiny'))).toBe(true);
    const read = readRunState(out)!;
    expect(read.state.config!.model.arch).toBe('vjepa2');
    const saved = readSafetensorsSync(join(read.dir, 'predictor.safetensors')).tensors;
    expect([...saved.keys()].filter((k) => k.startsWith('mask_tokens.')).length).toBe(10);
    expect(saved.has('predictor_pos_embed')).toBe(false);
  });

  it('refuses an --arch it does not know and head widths RoPE cannot split, before any work', () => {
    expect(() => resolveRunConfig({ arch: 'jepa' })).toThrow('arch: expected one of vjepa, vjepa2, received "jepa"');
    expect(() => resolveRunConfig({ arch: 'vjepa2', predDim: '24' })).toThrow("pred-dim: expected a multiple of the predictor's 3 heads with at least 12 channels per head for RoPE (≥ 36), received 24");
    expect(resolveRunConfig({}).model.arch).toBeUndefined();
  });
});
