import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { RandomStream, selectBackend } from '@vjepa/core';
import { createPretrainingModels } from '../recipe';
import { clipSurprise, stepTokenIndices, surpriseScores } from './scores';

// 6 frames of 16 × 16, tubelet 2, patch 8: three tubelet steps of four tokens
const encoder = { dim: 32, depth: 1, heads: 2, frames: 6, imageSize: 16, patch: 8, tubelet: 2 };
const video = (seed: number) => tf.tensor5d(new RandomStream(seed).uniform(2 * 6 * 16 * 16 * 3, -1, 1), [2, 6, 16, 16, 3]);

/** Host LayerNorm without affine (eps 1e-5) of each row of `[K, D]` values. */
function layerNormRows(values: Float32Array, width: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let r = 0; r < values.length / width; r++) {
    const row = values.subarray(r * width, (r + 1) * width);
    const mean = row.reduce((a, b) => a + b, 0) / width;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / width;
    for (let k = 0; k < width; k++) out[r * width + k] = (row[k] - mean) / Math.sqrt(variance + 1e-5);
  }
  return out;
}

describe('surpriseScores', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('is, at each step, the mean |prediction − layer-normed target| over the step’s tokens, computed directly', () => {
    const models = createPretrainingModels({ encoder, predictor: { dim: 16, depth: 1 }, seed: 4 });
    // a target encoder apart from the online one, so that the two roles cannot be swapped unnoticed
    const other = createPretrainingModels({ encoder, predictor: { dim: 16, depth: 1 }, seed: 9 });
    models.targetEncoder.loadStateDict(other.encoder.stateDict());
    [other.encoder, other.predictor, other.targetEncoder].forEach((m) => m.dispose());
    const clips = video(1);
    const scores = surpriseScores(models, clips);
    expect(scores).toHaveLength(2);
    for (let b = 0; b < 2; b++) {
      expect(scores[b].steps).toHaveLength(2);
      for (const s of [1, 2]) {
        const one = tf.slice(clips, [b, 0, 0, 0, 0], [1, -1, -1, -1, -1]) as tf.Tensor5D;
        const context = { data: Int32Array.from({ length: 4 * s }, (_, k) => k), shape: [1, 4 * s] as [number, number] };
        const goal = { data: Int32Array.from({ length: 4 }, (_, k) => 4 * s + k), shape: [1, 4] as [number, number] };
        const seen = { data: Int32Array.from({ length: 4 * (s + 1) }, (_, k) => k), shape: [1, 4 * (s + 1)] as [number, number] };
        const predicted = models.predictor.apply(models.encoder.apply(one, context), context, goal).dataSync() as Float32Array;
        const target = layerNormRows(models.targetEncoder.apply(one, seen).dataSync() as Float32Array, 32).subarray(4 * s * 32);
        let total = 0;
        for (let k = 0; k < predicted.length; k++) total += Math.abs(predicted[k] - target[k]);
        expect(scores[b].steps[s - 1]).toBeCloseTo(total / predicted.length, 5);
      }
      expect(scores[b].max).toBe(Math.max(...scores[b].steps));
      expect(scores[b].mean).toBeCloseTo((scores[b].steps[0] + scores[b].steps[1]) / 2, 10);
    }
    clips.dispose();
    [models.encoder, models.predictor, models.targetEncoder].forEach((m) => m.dispose());
  });

  it('causal: changing the last step’s frames changes only the last step’s score; full: all of them', () => {
    const models = createPretrainingModels({ encoder, predictor: { dim: 16, depth: 1 }, seed: 2 });
    const a = video(3);
    const late = tf.concat([tf.slice(a, [0, 0, 0, 0, 0], [-1, 4, -1, -1, -1]), tf.zeros([2, 2, 16, 16, 3])], 1) as tf.Tensor5D;
    const before = tf.memory().numTensors;
    const [x, y] = [surpriseScores(models, a), surpriseScores(models, late)];
    expect(tf.memory().numTensors).toBe(before);
    expect(y[0].steps[0]).toBe(x[0].steps[0]);
    expect(Math.abs(y[0].steps[1] - x[0].steps[1])).toBeGreaterThan(1e-3);
    const [fx, fy] = [surpriseScores(models, a, { targetView: 'full' }), surpriseScores(models, late, { targetView: 'full' })];
    expect(Math.abs(fy[0].steps[0] - fx[0].steps[0])).toBeGreaterThan(1e-6);
    // a one-step window at step 2 sees step 1 only: frames 0–1 do not matter
    const early = tf.concat([tf.zeros([2, 2, 16, 16, 3]), tf.slice(a, [0, 2, 0, 0, 0], [-1, 4, -1, -1, -1])], 1) as tf.Tensor5D;
    const [wx, wy] = [surpriseScores(models, a, { contextSteps: 1 }), surpriseScores(models, early, { contextSteps: 1 })];
    expect(wy[1].steps[1]).toBeCloseTo(wx[1].steps[1], 6);
    expect(Math.abs(wy[1].steps[0] - wx[1].steps[0])).toBeGreaterThan(1e-4);
    tf.dispose([a, late, early]);
    [models.encoder, models.predictor, models.targetEncoder].forEach((m) => m.dispose());
  });

  it('pixels: the error against the normalised pixels of the step, for a --target pixels predictor', () => {
    const models = createPretrainingModels({ encoder, predictor: { dim: 16, depth: 1 }, seed: 5, target: 'pixels' });
    const clips = video(6);
    const [score] = surpriseScores(models, clips, { target: 'pixels' });
    const one = tf.slice(clips, [0, 0, 0, 0, 0], [1, -1, -1, -1, -1]) as tf.Tensor5D;
    const context = stepTokenIndices(1, 4, 0, 2);
    const goal = stepTokenIndices(1, 4, 2, 3);
    const predicted = models.predictor.apply(models.encoder.apply(one, context), context, goal).dataSync();
    // token (t, h, w) of step 2 holds frames 4–5, rows 8h…8h+7, columns 8w…8w+7, in (frame, row, column, channel) order
    const pixels = one.dataSync();
    let total = 0;
    for (let token = 0; token < 4; token++) {
      const [h, w] = [Math.floor(token / 2), token % 2];
      const values: number[] = [];
      for (let f = 4; f < 6; f++) for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) for (let ch = 0; ch < 3; ch++) values.push(pixels[((f * 16 + 8 * h + r) * 16 + 8 * w + c) * 3 + ch]);
      const normed = layerNormRows(Float32Array.from(values), values.length);
      normed.forEach((v, k) => (total += Math.abs(predicted[token * values.length + k] - v)));
    }
    expect(score.steps[1]).toBeCloseTo(total / predicted.length, 4);
    clips.dispose();
    [models.encoder, models.predictor, models.targetEncoder].forEach((m) => m.dispose());
  });

  it('rejects what it cannot score before any work', () => {
    const models = createPretrainingModels({ encoder: { ...encoder, frames: 2 }, predictor: { dim: 16, depth: 1 } });
    const clip = tf.zeros([1, 2, 16, 16, 3]) as tf.Tensor5D;
    expect(() => surpriseScores(models, clip)).toThrow(/two tubelet steps/);
    expect(() => surpriseScores(models, clip, { targetView: 'past' as never })).toThrow(/targetView/);
    expect(() => clipSurprise([])).toThrow(/steps/);
    clip.dispose();
    [models.encoder, models.predictor, models.targetEncoder].forEach((m) => m.dispose());
  });
});
