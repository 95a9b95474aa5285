import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend, type MaskPair } from '@vjepa/core';
import { MaskCollator } from '@vjepa/masking';
import { createPretrainingModels } from '@vjepa/trainer';
import type { FrozenModels } from './step';
import { meanAbsError, meanColourPrediction } from './baselines';
import { PixelDecoder } from './decoder';
import { clipTokens, type ClipGeometry } from './pixels';
import { DecoderTrainStep, predictedFeatures } from './step';

// A toy set whose hidden colours only the features can tell: each clip shows a random colour c in its
// first half and 1 − c in its second, with a little noise. The clip's mean colour is ½ whatever c, and so
// is anything a decoder could learn from positions alone; the context (the first half) tells c.
const geometry: ClipGeometry = { frames: 4, height: 16, width: 16, channels: 3, tubelet: 2, patch: 8 };

function toyBatch(rng: RandomStream, batch: number): tf.Tensor5D {
  const { frames, height, width } = geometry;
  const data = new Float32Array(batch * frames * height * width * 3);
  const noise = rng.uniform(data.length, -0.05, 0.05);
  for (let b = 0; b < batch; b++) {
    const colour = rng.uniform(3);
    for (let t = 0; t < frames; t++) {
      const shown = t < frames / 2 ? colour : colour.map((v) => 1 - v);
      for (let p = 0; p < height * width; p++) data.set(shown, ((b * frames + t) * height * width + p) * 3);
    }
  }
  return tf.tensor5d(data.map((v, i) => v + noise[i]), [batch, frames, height, width, 3]);
}

/**
 * A frozen encoder and predictor whose predictions carry the context: untrained ones (init std 0.02) pass
 * almost nothing from the context to the target slots, so the weights are drawn at unit gain instead.
 */
function frozen() {
  const models = createPretrainingModels({ encoder: { dim: 32, depth: 1, heads: 2, frames: 4, imageSize: 16, patch: 8, tubelet: 2 }, predictor: { dim: 16, depth: 1 }, seed: 1 });
  models.targetEncoder.dispose();
  const rng = new RandomStream(5);
  for (const model of [models.encoder, models.predictor]) {
    for (const [key, v] of model.stateDict()) {
      if (!key.endsWith('weight') || v.rank !== 2) continue;
      const bound = Math.sqrt(3 / v.shape[1]!); // uniform of variance 1 / fan-in
      v.assign(tf.tensor(rng.uniform(v.size, -bound, bound), v.shape));
    }
  }
  return models as unknown as FrozenModels & { targetEncoder: unknown };
}

const masksOf = (collator: MaskCollator, batch: number): MaskPair[] => collator.sample(batch);

describe('DecoderTrainStep', () => {
  beforeAll(async () => {
    await selectBackend('wasm'); // the toy training takes 300 steps: about 5 s here, 40 s on cpu
  });

  it('a decoder trained on frozen features beats the mean colour on held-out toy clips', () => {
    const models = frozen();
    const decoder = new PixelDecoder({ inputDim: 32, dim: 32, depth: 1, heads: 2, frames: 4, imageSize: 16, patch: 8, tubelet: 2 }, { seed: 2 });
    const step = new DecoderTrainStep(decoder, { lr: 3e-3, weightDecay: 0 });
    // context: the first tubelet step (4 tokens); target: every token of the second
    const collator = new MaskCollator({ grid: { frames: 4, crop: 16, patch: 8, tubelet: 2 }, generators: [{ type: 'future', targetRatio: 1 }], seed: 0 });
    const rng = new RandomStream(7);
    const losses: number[] = [];
    for (let i = 0; i < 300; i++) {
      const video = toyBatch(rng, 8);
      losses.push(step.run(models, video, masksOf(collator, 8)).loss);
      video.dispose();
    }
    expect(step.stepCount).toBe(300);
    const video = toyBatch(new RandomStream(99), 16);
    const [mask] = masksOf(collator, 16);
    const decoded = tf.tidy(() => decoder.apply(predictedFeatures(models, video, mask, 0), mask.target)); // [16, K, 384]
    const values = video.dataSync() as Float32Array;
    const per = 2 * 8 * 8 * 3;
    const clipSize = 4 * 16 * 16 * 3;
    const [, k] = mask.target.shape;
    let decoderError = 0;
    let meanColourError = 0;
    for (let b = 0; b < 16; b++) {
      const clip = { geometry, data: values.subarray(b * clipSize, (b + 1) * clipSize) };
      const truth = clipTokens(clip, mask.target.data.subarray(b * k, (b + 1) * k));
      decoderError += meanAbsError(decoded.dataSync().subarray(b * k * per, (b + 1) * k * per) as Float32Array, truth) / 16;
      meanColourError += meanAbsError(meanColourPrediction(clip, k), truth) / 16;
    }
    expect(meanColourError).toBeGreaterThan(0.2); // E|c − ½| = ¼
    expect(decoderError).toBeLessThan(0.5 * meanColourError);
    expect(decoderError).toBeGreaterThan(0.02); // the noise is not learned
    expect(losses.slice(-10).reduce((s, v) => s + v, 0) / 10).toBeLessThan(losses[0]);
    tf.dispose([video, decoded]);
    step.dispose();
    decoder.dispose();
    models.encoder.dispose();
    models.predictor.dispose();
  });

  it('keeps the encoder and predictor frozen, and the tensor count flat across steps', () => {
    const models = frozen();
    const decoder = new PixelDecoder({ inputDim: 32, dim: 16, depth: 1, heads: 2, frames: 4, imageSize: 16, patch: 8, tubelet: 2 });
    const step = new DecoderTrainStep(decoder, { loss: 'l2' });
    const collator = new MaskCollator({ grid: { frames: 4, crop: 16, patch: 8, tubelet: 2 }, generators: [{ type: 'multiblock', spatialScale: [0.3, 0.3], numBlocks: 1 }, { type: 'future' }], seed: 0 });
    const frozenBefore = [...models.encoder.stateDict().values(), ...models.predictor.stateDict().values()].map((v) => Array.from(v.dataSync()));
    const rng = new RandomStream(3);
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const video = toyBatch(rng, 2);
      const { loss } = step.run(models, video, masksOf(collator, 2));
      expect(Number.isFinite(loss)).toBe(true);
      video.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(counts[3]).toBe(counts[1]);
    const frozenAfter = [...models.encoder.stateDict().values(), ...models.predictor.stateDict().values()].map((v) => Array.from(v.dataSync()));
    expect(frozenAfter).toEqual(frozenBefore);
    expect(() => step.run(models, toyBatch(rng, 1), [])).toThrow('masks: expected one context/target pair per mask generator, received 0');
    expect(() => new DecoderTrainStep(decoder, { loss: 'l3' as 'l1' })).toThrow("options.loss: expected 'l1' or 'l2', received \"l3\"");
    step.dispose();
    decoder.dispose();
    models.encoder.dispose();
    models.predictor.dispose();
  });
});
