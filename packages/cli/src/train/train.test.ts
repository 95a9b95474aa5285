import { writeFileSync } from 'node:fs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vitConfig } from '@vjepa/vit';
import { officialRecipe } from '@vjepa/trainer';
import { PRETRAINING_MASK_GENERATORS } from '@vjepa/masking';
import { resolveRunConfig, type RunConfig } from './config';
import { runTrain } from './run';

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
    const summary = await runTrain({ config: smallConfig(200), backend: 'wasm', out, log: quiet, interactive: false, checkpointEvery: 100 });
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
    // the embed and probe cases of a trained run are in commands/probe.test.ts
  });

  it('config: --regularizer, --reg-weight, --reg-directions, --frozen-teacher, --change-weighting, --masks future', () => {
    const config = resolveRunConfig({ regularizer: 'sigreg', regWeight: '0.1', regDirections: '64', frozenTeacher: true, changeWeighting: '0.5', masks: 'future', seed: '3' });
    // SIGReg's directions follow the run's seed
    expect(config.optimization).toMatchObject({ regularizer: { kind: 'sigreg', weight: 0.1, directions: 64, seed: 3 }, frozenTeacher: true, changeWeighting: 0.5 });
    expect(config.mask).toEqual([{ type: 'future' }]);
    expect(resolveRunConfig({ regularizer: 'vicreg' }).optimization.regularizer).toEqual({ kind: 'vicreg', weight: 0.05 });
    expect(resolveRunConfig({}).optimization.regularizer).toBeUndefined();
    // a resumed run keeps its regulariser unless a flag changes it
    expect(resolveRunConfig({ regWeight: '0.2' }, config).optimization.regularizer).toEqual({ kind: 'sigreg', weight: 0.2, directions: 64, seed: 3 });
    expect(resolveRunConfig({ regularizer: 'none' }, config).optimization.regularizer).toBeNull();
    expect(() => resolveRunConfig({ regularizer: 'barlow' })).toThrow(/regularizer: expected 'sigreg', 'vicreg' or 'none', received "barlow"/);
    expect(() => resolveRunConfig({ regWeight: '0.1' })).toThrow(/reg-weight: expected a --regularizer \(sigreg or vicreg\) to weigh/);
    expect(() => resolveRunConfig({ changeWeighting: '1.5' })).toThrow(/change-weighting: expected a number in \[0, 1\]/);
    expect(() => resolveRunConfig({ masks: 'tubes' })).toThrow(/masks: expected 'official' or 'future', received "tubes"/);
  });

  it('config: defaults, a YAML file with official keys, and flags, in that order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vjepa-config-'));
    const file = join(dir, 'run.yaml');
    const yaml = [
      'data: { batch_size: 3, crop_size: 96, num_frames: 8 }',
      'model: { model_name: vit_small, pred_depth: 2, pred_embed_dim: 96 }',
      'optimization: { ipe: 10, epochs: 5, warmup: 1, ipe_scale: 1.25, lr: 0.002, ema: [0.99, 1.0] }',
      'mask:',
      '  - { spatial_scale: [0.2, 0.2], temporal_scale: [1.0, 1.0], aspect_ratio: [0.75, 1.5], num_blocks: 4 }',
      'loss: { loss_exp: 2.0, reg_coeff: 0.0 }',
      'meta: { seed: 7 }',
    ].join('\n');
    writeFileSync(file, yaml);
    const config = resolveRunConfig({ config: file, batchSize: '5' });
    expect(config.data).toMatchObject({ batchSize: 5, crop: 96, frames: 8 });
    expect(config.model.encoder).toMatchObject({ dim: 384, depth: 12, heads: 6, imageSize: 96, frames: 8 });
    expect(config.model.predictor).toEqual({ dim: 96, depth: 2 });
    expect(config.optimization).toMatchObject({ steps: 50, warmupSteps: 10, scheduleSteps: 62, clipFromStep: 20, lr: 0.002, ema: [0.99, 1.0], lossExp: 2 });
    expect(config.mask).toEqual([{ type: 'multiblock', spatialScale: [0.2, 0.2], temporalScale: [1, 1], aspectRatio: [0.75, 1.5], numBlocks: 4, maxTemporalKeep: undefined, maxKeep: null }]);
    expect(config.seed).toBe(7);
    expect(resolveRunConfig({}).model.encoder).toMatchObject({ dim: 192, depth: 12, imageSize: 64, frames: 16 });
    expect(() => resolveRunConfig({ model: 'enormous' })).toThrow(/model: expected one of tiny, small/);
    expect(() => resolveRunConfig({ steps: '0' })).toThrow(/steps: expected an integer ≥ 1, received "0"/);
  });
});
