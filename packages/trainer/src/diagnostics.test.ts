import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, gatherTokens, selectBackend, type BatchSource } from '@vjepa/core';
import { MaskCollator } from '@vjepa/masking';
import { featureDiagnostics, tokenCoverage } from './diagnostics';
import { targetFeatures } from './loss';
import { runTraining } from './loop';
import { createPretrainingModels, createTrainStep, officialRecipe } from './recipe';

beforeAll(async () => {
  await selectBackend('cpu');
});

const geometry = { frames: 4, imageSize: 16, patch: 8, tubelet: 2 };

function models() {
  return createPretrainingModels({ encoder: { dim: 16, depth: 1, heads: 2, ...geometry }, predictor: { dim: 16, depth: 1 }, seed: 0 });
}

describe('tokenCoverage', () => {
  it('averages the mask over each tubelet in token order (time step, row, column)', () => {
    // 2 frames of 2 × 4 pixels, tubelet 2, patch 2 → 1 × 1 × 2 tokens
    const mask = Float32Array.from([1, 1, 0, 0, 1, 1, 0, 0, /* frame 1 */ 1, 1, 0.5, 0, 1, 0, 0, 0]);
    expect(Array.from(tokenCoverage(mask, 2, 2, 4, 2, 2))).toEqual([7 / 8, 0.5 / 8]);
    expect(() => tokenCoverage(mask, 2, 2, 4, 2, 3)).toThrow(/tubelet, patch: expected divisors of 2 and 2×4/);
  });
});

describe('featureDiagnostics', () => {
  it('splits the L1 error between object and background target tokens, and measures rank and temporal std', () => {
    const m = models();
    const video = tf.tensor5d(new RandomStream(1).uniform(2 * 4 * 16 * 16 * 3, -1, 1), [2, 4, 16, 16, 3]);
    const masks = new MaskCollator({ grid: { frames: 4, crop: 16, patch: 8, tubelet: 2 }, generators: [{ type: 'future' }], seed: 2 }).sample(2);
    // N = 2 · 2 · 2 = 8 tokens per clip; tokens 4 and 5 of each clip (the second time step, top row) hold the object
    const coverage = Float32Array.from({ length: 16 }, (_, k) => (k % 8 === 4 || k % 8 === 5 ? 1 : 0));
    const figures = featureDiagnostics(m, { video, masks, objectCoverage: coverage });

    // the same figures by hand
    const full = targetFeatures(m.targetEncoder, video);
    const [mask] = masks;
    const prediction = m.predictor.apply(m.encoder.apply(video, mask.context), mask.context, mask.target, 0);
    const errors = tf.tidy(() => tf.mean(tf.abs(tf.sub(prediction, gatherTokens(full, mask.target))), 2).arraySync()) as number[][];
    const object: number[] = [];
    const background: number[] = [];
    errors.forEach((row, b) => row.forEach((e, k) => (coverage[b * 8 + mask.target.data[b * mask.target.shape[1] + k]] === 1 ? object : background).push(e)));
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    expect(figures.objectTokens).toBe(object.length);
    expect(figures.backgroundTokens).toBe(background.length);
    expect(object.length).toBeGreaterThan(0);
    expect(figures.objectLoss).toBeCloseTo(mean(object), 5);
    expect(figures.backgroundLoss).toBeCloseTo(mean(background), 5);

    const values = full.arraySync(); // [2][8][16]
    let temporal = 0;
    for (let b = 0; b < 2; b++) {
      for (let s = 0; s < 4; s++) {
        for (let d = 0; d < 16; d++) {
          const series = [values[b][s][d], values[b][4 + s][d]]; // time steps 0 and 1 at position s
          const mu = (series[0] + series[1]) / 2;
          temporal += Math.sqrt(((series[0] - mu) ** 2 + (series[1] - mu) ** 2) / 2);
        }
      }
    }
    expect(figures.temporalStd).toBeCloseTo(temporal / (2 * 4 * 16), 4);
    expect(figures.temporalStdRatio).toBeCloseTo(figures.temporalStd / figures.featureStd, 6);
    expect(figures.effectiveRank).toBeGreaterThan(1);
    expect(figures.effectiveRank).toBeLessThanOrEqual(16);
    tf.dispose([video, full, prediction]);
    [m.encoder, m.predictor, m.targetEncoder].forEach((x) => x.dispose());
  });

  it('runTraining writes the diagnostics into metrics.jsonl every `every` steps and after the last', async () => {
    const m = models();
    const step = createTrainStep(m, { ...officialRecipe(10), lr: 1e-3, warmupSteps: 0 });
    const grid = { frames: 4, crop: 16, patch: 8, tubelet: 2 };
    const collator = new MaskCollator({ grid, generators: [{ type: 'future' }], seed: 1 });
    let index = 0;
    const source: BatchSource = {
      next: async () => ({ video: tf.tensor5d(new RandomStream(index++).uniform(2 * 4 * 16 * 16 * 3, -1, 1), [2, 4, 16, 16, 3]) }),
      getState: () => ({ index }),
      setState: () => undefined,
    };
    const video = tf.tensor5d(new RandomStream(99).uniform(2 * 4 * 16 * 16 * 3, -1, 1), [2, 4, 16, 16, 3]);
    const masks = new MaskCollator({ grid, generators: [{ type: 'future' }], seed: 7 }).sample(2);
    const out = mkdtempSync(join(tmpdir(), 'vjepa-diagnostics-'));
    await runTraining({ models: m, step, source, masks: collator, steps: 5, outDir: out, collapseEvery: 0, diagnostics: { batch: { video, masks, objectCoverage: new Float32Array(16).fill(0.5) }, every: 2 } });
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.diagnostics !== undefined)).toEqual([false, true, false, true, true]);
    expect(Object.keys(lines[1].diagnostics).sort()).toEqual(
      ['backgroundTokens', 'effectiveRank', 'featureStd', 'objectLoss', 'objectTokens', 'temporalStd', 'temporalStdRatio'].sort(),
    ); // every token is half-covered: no background token, so no background loss
    video.dispose();
    step.dispose();
    [m.encoder, m.predictor, m.targetEncoder].forEach((x) => x.dispose());
  });
});
