import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensorsSync, selectBackend, type HostTensor, type VideoBatch } from '@vjepa/core';
import { AttentiveProbe } from './attentive';
import { extractProbeFeatures, type ClipBatch, type LabelledClips } from './clip-features';
import { embedClips } from './embed';
import { evaluateProbe } from './evaluate';
import type { FeatureEncoder } from './features';
import { evaluateKnn } from './knn';
import { runProbe } from './run';

// Clips of 2 frames of 2 × 2 pixels, 3 channels. Every pixel of frame t, channel c of clip i in view v and
// segment s holds value(i, t, c, v, s), so the pixel mean per frame (the toy encoder below) is exactly it.
const value = (i: number, t: number, c: number, view: number, segment: number, labels: readonly number[]) =>
  (c === 0 ? (labels[i] === 1 ? 1 : -1) : 0) + 0.1 * i + 0.01 * t + 0.02 * view + 0.04 * segment;

/** A clip set of `labels.length` clips in batches of 3, as `@vjepa/data`'s `openEvalClips` gives them. */
function clipSet(labels: readonly number[], views = 1, segments = 1): LabelledClips {
  return {
    views,
    segments,
    description: 'the toy clips',
    async *batches(view: number, segment: number): AsyncGenerator<ClipBatch> {
      for (let start = 0; start < labels.length; start += 3) {
        const count = Math.min(3, labels.length - start);
        const data = new Float32Array(count * 2 * 2 * 2 * 3);
        for (let b = 0; b < count; b++) {
          for (let t = 0; t < 2; t++) {
            for (let p = 0; p < 4; p++) for (let c = 0; c < 3; c++) data[((b * 2 + t) * 4 + p) * 3 + c] = value(start + b, t, c, view, segment, labels);
          }
        }
        const names = Array.from({ length: count }, (_, b) => `clip${start + b}`);
        yield { data, shape: [count, 2, 2, 2, 3], labels: { label: labels.slice(start, start + count), odd: names.map((_, b) => (start + b) % 2) }, names };
      }
    },
  };
}

/** The pixel mean of each frame: `[B, T, H, W, C]` → `[B, T, C]` (T tokens of width 3). */
const frameMeans: FeatureEncoder = { apply: (video: VideoBatch) => tf.mean(video, [2, 3]) as tf.Tensor3D };

const TRAIN = [0, 1, 0, 1, 1, 0, 0, 1];
const VAL = [1, 0, 0, 1];
let directory: string;

beforeAll(async () => {
  await selectBackend('cpu');
  directory = mkdtempSync(join(tmpdir(), 'vjepa-run-probe-'));
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('extractProbeFeatures', () => {
  it('encodes every view, concatenates the segments on the tokens, and gathers the labels', async () => {
    const before = tf.memory().numTensors;
    const { features, labels } = await extractProbeFeatures(frameMeans, clipSet(VAL, 2, 2), ['label', 'odd']);
    expect(labels).toEqual({ label: Int32Array.from(VAL), odd: Int32Array.from([0, 1, 0, 1]) });
    expect(features.map((f) => f.shape)).toEqual([
      [4, 4, 3],
      [4, 4, 3],
    ]);
    for (const [view, tensor] of features.entries()) {
      const expected = VAL.flatMap((_, i) => [0, 1].flatMap((segment) => [0, 1].flatMap((t) => [0, 1, 2].map((c) => value(i, t, c, view, segment, VAL)))));
      expect(Array.from(tensor.dataSync()).map((x) => Number(x.toFixed(4)))).toEqual(expected.map((x) => Number(Math.fround(x).toFixed(4))));
    }
    tf.dispose(features);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the labels the clips have when one is missing, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    await expect(extractProbeFeatures(frameMeans, clipSet(VAL, 2, 1), ['shape'])).rejects.toThrow('labels: expected labels of the toy clips: label, odd, received "shape"');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('embedClips', () => {
  it('writes the features of at most `limit` clips, pooled or not, with their names', async () => {
    const file = join(directory, 'features.safetensors');
    expect(await embedClips(file, frameMeans, clipSet(TRAIN).batches(0, 0), { limit: 5, metadata: { encoder: 'target_encoder' } })).toEqual({ count: 5, shape: [5, 2, 3] });
    const written = readSafetensorsSync(file);
    expect(written.metadata).toMatchObject({ names: JSON.stringify(['clip0', 'clip1', 'clip2', 'clip3', 'clip4']), encoder: 'target_encoder' });
    const features = written.tensors.get('features')!;
    const data = features.data as Float32Array;
    expect(features.shape).toEqual([5, 2, 3]);
    expect(Number(data[4 * 2 * 3].toFixed(4))).toBe(Number(Math.fround(value(4, 0, 0, 0, 0, TRAIN)).toFixed(4))); // clip 4, frame 0, channel 0
    expect(await embedClips(file, frameMeans, clipSet(TRAIN).batches(0, 0), { pool: true })).toEqual({ count: 8, shape: [8, 3] });
    const pooled = readSafetensorsSync(file).tensors.get('features')!.data as Float32Array;
    expect(Number(pooled[3].toFixed(4))).toBe(Number(((Math.fround(value(1, 0, 0, 0, 0, TRAIN)) + Math.fround(value(1, 1, 0, 0, 0, TRAIN))) / 2).toFixed(4)));
    await expect(embedClips(file, frameMeans, clipSet(TRAIN).batches(0, 0), { limit: 0 })).rejects.toThrow('limit: expected an integer ≥ 1, received 0');
  });
});

describe('runProbe', () => {
  const common = { features: frameMeans, train: clipSet(TRAIN), val: clipSet(VAL, 2), labels: ['label'], heads: 3, encoderName: 'toy', checkpoint: 'toy-run' };

  it('trains and evaluates a probe per whitening, writes its weights and logs one JSON summary each', async () => {
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    const summaries = await runProbe({ ...common, probe: 'linear', whiten: ['none', 'std'], epochs: 30, batchSize: 4, lr: 0.05, out: join(directory, 'p.safetensors'), log: (line) => lines.push(line) });
    expect(tf.memory().numTensors).toBe(before);
    expect(summaries).toEqual([
      { top1: 1, classes: 2, train: 8, val: 4, task: 'label', probe: 'linear', whiten: 'none', lr: 0.05, weights: join(directory, 'probe-toy-label-linear.safetensors'), encoder: 'toy', checkpoint: 'toy-run' },
      { top1: 1, classes: 2, train: 8, val: 4, task: 'label', probe: 'linear', whiten: 'std', lr: 0.05, weights: join(directory, 'probe-toy-label-linear-std.safetensors'), encoder: 'toy', checkpoint: 'toy-run' },
    ]);
    expect(lines[0]).toBe("task 'label': 2 classes, 8 train and 4 val clips, 1 segment(s), 2 view(s), whitening none");
    expect(lines).toContain('top-1 on val: 100.00 %');
    expect(lines).toContain(`probe weights: ${summaries[1].weights}`);
    expect(lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))).toEqual(summaries);
    const whitened = readSafetensorsSync(summaries[1].weights);
    expect([...whitened.tensors.keys()].sort()).toEqual(['linear.bias', 'linear.weight', 'whiten.matrix', 'whiten.mean']);
    expect(whitened.metadata).toMatchObject({ task: 'label', classes: '2', probe: 'linear', whiten: 'std' });
  });

  it('one probe with `out` writes exactly there; an lr grid picks a rate on held-out training clips', async () => {
    const lines: string[] = [];
    const out = join(directory, 'one', 'probe.safetensors');
    const [summary] = await runProbe({ ...common, probe: 'attentive', lrGrid: [1e-4, 0.05], epochs: 5, batchSize: 4, out, log: (line) => lines.push(line) });
    expect(summary).toMatchObject({ weights: out, probe: 'attentive', whiten: 'none' });
    expect([1e-4, 0.05]).toContain(summary.lr);
    expect(lines.some((line) => line.startsWith(`lr ${summary.lr} from 0.0001: `))).toBe(true);
    expect(readSafetensorsSync(out).tensors.get('pooler.query_tokens')!.shape).toEqual([1, 1, 3]);
  });

  it('evaluates an official classifier instead of training one: the top-1 of evaluateProbe', async () => {
    const reference = new AttentiveProbe({ dim: 3, heads: 3, classes: 2, seed: 4 });
    const weights = new Map<string, HostTensor>([...reference.stateDict()].map(([key, v]) => [key, { shape: v.shape, data: v.dataSync() as Float32Array }]));
    const val = await extractProbeFeatures(frameMeans, clipSet(VAL, 2), ['label']);
    const expected = evaluateProbe(reference, val.features, val.labels.label).top1;
    const [summary] = await runProbe({ ...common, classifier: { file: 'probe.pth.tar', weights }, log: () => undefined });
    expect(summary).toEqual({ top1: expected, classes: 2, train: 8, val: 4, task: 'label', probe: 'attentive', whiten: 'none', weights: 'probe.pth.tar', encoder: 'toy', checkpoint: 'toy-run' });
    const narrow = new Map([...weights, ['linear.weight', { shape: [2, 4], data: new Float32Array(8) }]]);
    await expect(runProbe({ ...common, classifier: { file: 'p.pth.tar', weights: narrow }, log: () => undefined })).rejects.toThrow(
      'p.pth.tar: classifier linear.weight: expected a [classes, 3] head for this encoder, received [2, 4]',
    );
    tf.dispose(val.features);
    reference.dispose();
  });

  it('knn: votes of the nearest training clips, no training; writes the memory bank and the summary', async () => {
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    const [summary] = await runProbe({ ...common, probe: 'knn', knnK: 3, out: join(directory, 'knn', 'bank.safetensors'), log: (line) => lines.push(line) });
    expect(tf.memory().numTensors).toBe(before);
    const train = await extractProbeFeatures(frameMeans, clipSet(TRAIN), ['label']);
    const val = await extractProbeFeatures(frameMeans, clipSet(VAL, 2), ['label']);
    const expected = evaluateKnn(train.features[0], train.labels.label, val.features, val.labels.label, { k: 3, temperature: 0.07 });
    expect(summary).toEqual({
      top1: expected.top1, classes: 2, train: 8, val: 4, task: 'label', probe: 'knn', whiten: 'none', weights: join(directory, 'knn', 'bank.safetensors'),
      encoder: 'toy', checkpoint: 'toy-run', knn: { k: 3, temperature: 0.07 },
    });
    expect(summary.top1).toBe(1); // channel 0 is ±1 by label: the cosine neighbours share the label
    const bank = readSafetensorsSync(summary.weights);
    expect(bank.tensors.get('features')!.shape).toEqual([8, 3]);
    expect(Array.from(bank.tensors.get('labels')!.data as Int32Array)).toEqual(TRAIN);
    expect(bank.metadata).toMatchObject({ probe: 'knn', k: '3', temperature: '0.07' });
    expect(lines).toContain('k-NN (k 3, T 0.07, cosine of mean-pooled features) top-1 on val: 100.00 %');
    tf.dispose([...train.features, ...val.features]);
  });

  it.each([
    [{ labels: [] }, 'labels: expected a non-empty list of label names, received []'],
    [{ probe: 'mlp' }, 'probe: expected attentive, linear or knn, received "mlp"'],
    [{ probe: 'knn', lrGrid: [0.1] }, 'lrGrid: expected none with the knn probe (it trains nothing), received [0.1]'],
    [{ knnK: 5 }, "knnK / knnTemperature: expected probe 'knn', received \"attentive\""],
    [{ whiten: ['zca'] }, 'whiten: expected pca | std | none, received "zca"'],
    [{ whitenComponents: 2 }, "whitenComponents: expected whiten 'pca' only (it keeps principal axes), received \"none\""],
    [{ whiten: ['pca'], whitenComponents: 4 }, 'whitenComponents: expected at most the feature width 3, received 4'],
    [{ heads: 0 }, 'heads: expected an integer ≥ 1, received 0'],
    [{ whitenComponent: 2 }, 'whitenComponent'],
  ])('refuses %j', async (bad, message) => {
    await expect(runProbe({ ...common, log: () => undefined, ...bad } as never)).rejects.toThrow(message);
  });
});
