import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensorsSync, selectBackend, type SafeTensor } from '@vjepa/core';
import { IMAGENET_MEAN, IMAGENET_STD, sampleEvalClips } from '@vjepa/data';
import { buildVjepa2Classifier, classifyProtocol } from './classifier';
import { classifyVjepa2Video, memoryFrames, topClasses, vjepa2SegmentIndices } from './classify-video';
import { combineVjepa2, openVjepa2, readVjepa2 } from './open';
import { readAll } from './lazy-tensor';

const fixture = (path: string) => new URL(`../../../../fixtures/vjepa2/${path}`, import.meta.url).pathname;
const reference = readSafetensorsSync(fixture('tiny.safetensors')).tensors;
const TINY = { heads: 2, predictorHeads: 1, probeHeads: 2, imageSize: 16, frames: 8 };
const tensor = (name: string) => reference.get(name) as SafeTensor & { data: Float32Array };
const maxAbsError = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  return Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
};

/** The fixture's clip as tfjs wants it: (B, C, T, H, W) → [B, T, H, W, C]. */
const fixtureVideo = () => {
  const { data, shape } = tensor('input/video_bcthw');
  return tf.tidy(() => tf.transpose(tf.tensor5d(data, shape as [number, number, number, number, number]), [0, 2, 3, 4, 1]) as tf.Tensor5D);
};

/** The .pt pair read whole, as `--checkpoint tiny-pretrain.pt --probe-checkpoint tiny-probe.pt` does. */
function ptPair() {
  const both = combineVjepa2(openVjepa2(fixture('tiny-pretrain.pt'), TINY), openVjepa2(fixture('tiny-probe.pt'), TINY), TINY);
  try {
    return { arch: both.arch, source: both.source, labels: both.arch.labels, encoder: readAll(both.encoder!), probe: readAll(both.probe!) };
  } finally {
    both.close();
  }
}

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('the V-JEPA 2 classifier built from the files', () => {
  it.each([
    ['the Hugging Face classifier folder', () => readVjepa2(fixture('tiny-hf-classifier'))],
    ['the official .pt pair', ptPair],
  ])('%s: logits equal the official probe on the official encoder (final and out_layers [1, 2])', (_, read) => {
    const classifier = buildVjepa2Classifier(read());
    try {
      expect(classifier.protocol).toEqual({ resolution: 16, frames: 8, frameStep: 4, segments: 1, views: 1, outLayers: null });
      expect(classifier.probe.config).toMatchObject({ heads: 2, normEps: 1e-5 });
      const video = fixtureVideo();
      const logits = tf.tidy(() => classifier.probe.apply(classifier.encoder.apply(video)));
      expect(maxAbsError(logits.dataSync(), tensor('probe_out/logits').data)).toBeLessThan(1e-4);
      const layered = tf.tidy(() => classifier.probe.apply(tf.concat(classifier.encoder.applyLayers(video, [1, 2]), 1) as tf.Tensor3D));
      expect(maxAbsError(layered.dataSync(), tensor('probe_out/logits_layers').data)).toBeLessThan(1e-4);
      tf.dispose([video, logits, layered]);
    } finally {
      classifier.dispose();
    }
  });

  it("hf mode: transformers' pooler (the encoder's heads, eps 1e-6), one clip, one view", () => {
    const weights = readVjepa2(fixture('tiny-hf-classifier'));
    const classifier = buildVjepa2Classifier(weights, { mode: 'hf', segments: 2, views: 3 });
    try {
      expect(classifier.probe.config).toMatchObject({ heads: 2, normEps: 1e-6 });
      expect(classifier.protocol).toMatchObject({ segments: 2, views: 3 }); // overrides still apply
    } finally {
      classifier.dispose();
    }
    expect(classifyProtocol({ ...weights.arch, protocol: { task: 'ssv2', resolution: 16, frames: 8, frameStep: 2, segments: 2, views: 3, outLayers: [1] } }, { mode: 'hf' }))
      .toEqual({ resolution: 16, frames: 8, frameStep: 2, segments: 1, views: 1, outLayers: null });
  });

  it('refuses what cannot classify, naming it', () => {
    const weights = readVjepa2(fixture('tiny-hf-classifier'));
    expect(() => buildVjepa2Classifier({ ...readVjepa2(fixture('tiny-hf')), labels: null })).toThrow(/a V-JEPA 2 classifier .*received an encoder only/);
    expect(() => classifyProtocol(weights.arch, { frames: 7 })).toThrow(/options\.frames: expected a multiple of the tubelet 2, received 7/);
    expect(() => classifyProtocol(weights.arch, { resolution: 18 })).toThrow(/options\.resolution: expected a multiple of the patch 4/);
    expect(() => classifyProtocol(weights.arch, { outLayers: [3] })).toThrow(/options\.outLayers: expected block numbers in \[0, 3\)/);
    expect(() => classifyProtocol(weights.arch, { segment: 2 } as never)).toThrow(/segment/);
  });
});

describe('classifyVjepa2Video', () => {
  // 9 frames of 16 × 16: at the model's size the 3-view crops are the frames themselves (square: three equal views)
  const numFrames = 9;
  const frames = Uint8Array.from({ length: numFrames * 16 * 16 * 3 }, (_, i) => (i * 37 + (i >> 5) * 11) % 256);

  it('2 segments × 3 views: the probabilities are the softmax of the probe on both segments\' tokens, a line per clip', async () => {
    const classifier = buildVjepa2Classifier(readVjepa2(fixture('tiny-hf-classifier')), { segments: 2, views: 3, frameStep: 1 });
    try {
      const lines: string[] = [];
      const result = await classifyVjepa2Video(classifier, memoryFrames('clip', frames, numFrames, 16, 16), { topK: 3, onClip: (p) => lines.push(`${p.index}/${p.total} s${p.segment} v${p.view}`) });
      expect(lines).toEqual(['1/6 s0 v0', '2/6 s1 v0', '3/6 s0 v1', '4/6 s1 v1', '5/6 s0 v2', '6/6 s1 v2']);
      expect(result.segments).toEqual(sampleEvalClips(numFrames, 2, null, { framesPerClip: 8, frameStep: 1, randomClipSampling: false }));
      // by hand: normalise the frames of each segment, encode, concatenate the tokens, probe, softmax
      const expected = tf.tidy(() => {
        const size = 16 * 16 * 3;
        const tokens = result.segments.map((indices) => {
          const clip = new Float32Array(indices.length * size);
          indices.forEach((f, t) => {
            for (let j = 0; j < size; j++) clip[t * size + j] = (frames[f * size + j] / 255 - IMAGENET_MEAN[j % 3]) / IMAGENET_STD[j % 3];
          });
          return classifier.encoder.apply(tf.tensor5d(clip, [1, 8, 16, 16, 3])); // [1, 64, 24]
        });
        return tf.softmax(classifier.probe.apply(tf.concat(tokens, 1) as tf.Tensor3D)).dataSync(); // [1, 5]
      });
      expect(maxAbsError(result.probabilities, expected)).toBeLessThan(1e-5);
      expect(result.top).toEqual(topClasses(expected, classifier.labels, 3).map((p) => ({ ...p, probability: expect.closeTo(p.probability, 5) })));
      expect(result.top[0].label).toMatch(/^class_\d$/);
    } finally {
      classifier.dispose();
    }
  });

  it('tensors do not leak across videos', async () => {
    const classifier = buildVjepa2Classifier(readVjepa2(fixture('tiny-hf-classifier')));
    try {
      const video = memoryFrames('clip', frames, numFrames, 16, 16);
      await classifyVjepa2Video(classifier, video);
      const before = tf.memory().numTensors;
      await classifyVjepa2Video(classifier, video);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      classifier.dispose();
    }
  });

  it('segment windows and top-k edge cases', () => {
    expect(vjepa2SegmentIndices(64, { frames: 16, frameStep: 4, segments: 1 })).toEqual(sampleEvalClips(64, 1, null, { framesPerClip: 16, frameStep: 4, randomClipSampling: false }));
    expect(() => vjepa2SegmentIndices(0, { frames: 16, frameStep: 4, segments: 1 })).toThrow(/numFrames: expected a positive integer/);
    expect(topClasses([0.1, 0.5, 0.5, 0.2], ['a', 'b', 'c', 'd'], 2).map((p) => p.label)).toEqual(['b', 'c']);
    expect(() => topClasses([1], ['a'], 0)).toThrow(/topK: expected a positive integer/);
    expect(() => memoryFrames('x', new Uint8Array(5), 1, 16, 16)).toThrow(/x: frames: expected 1·16·16·3 RGB bytes, received 5/);
  });
});
