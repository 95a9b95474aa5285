import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vitConfig } from '@vjepa/vit';
import { officialRecipe, runTrain, type RunConfig } from '@vjepa/trainer';
import { PRETRAINING_MASK_GENERATORS } from '@vjepa/masking';

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

describe('runTrain on the synthetic data', () => {
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
    // the embed and probe cases of a trained run are in commands/probe.test.ts
  });
});
