import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { int64ToInt32, readSafetensorsSync, selectGroup, selectBackend, toChannelsLast, StateDictError, type IndexBatch } from '@vjepa/core';
import { VisionTransformer } from './vision-transformer';
import { VIT_SIZES, vitConfig, type VitSize } from './config';

const fixture = readSafetensorsSync(new URL('../../../fixtures/reference/tiny.safetensors', import.meta.url)).tensors;
const tinyConfig = { dim: 48, depth: 2, heads: 4, patch: 8, tubelet: 2, frames: 8, imageSize: 24, uniformPower: true };

function mask(name: string): IndexBatch {
  const t = fixture.get(name)!;
  return { data: int64ToInt32(t.data as BigInt64Array), shape: t.shape as [number, number] };
}

function maxAbsDiff(a: tf.Tensor, name: string): number {
  const expected = fixture.get(name)!;
  expect(a.shape).toEqual(expected.shape);
  const got = a.dataSync();
  let m = 0;
  for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i] - Number(expected.data[i])));
  return m;
}

describe('parameter counts of the official sizes (spec §17.4)', () => {
  const expected: Partial<Record<VitSize, number>> = {
    tiny: 5_633_856,
    small: 21_884_544,
    base: 86_236_416,
  };
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  for (const [size, count] of Object.entries(expected)) {
    it(`${size}: ${count}`, () => {
      const model = new VisionTransformer(vitConfig(size as VitSize));
      expect(model.parameterCount()).toBe(count);
      model.dispose();
    });
  }
  it('large and huge counted from the config without allocating', () => {
    // Counting from shapes avoids allocating 300–600 M floats in a unit test.
    const count = (size: VitSize) => {
      const c = vitConfig(size);
      const hidden = Math.floor(c.dim * c.mlpRatio);
      const block = 4 * c.dim + (3 * c.dim * c.dim + 3 * c.dim) + (c.dim * c.dim + c.dim) + (hidden * c.dim + hidden) + (c.dim * hidden + c.dim);
      return c.dim * c.channels * c.tubelet * c.patch * c.patch + c.dim + c.depth * block + 2 * c.dim;
    };
    expect(count('tiny')).toBe(5_633_856);
    expect(count('large')).toBe(303_885_312);
    expect(count('huge')).toBe(631_648_000);
    expect(VIT_SIZES.gigantic.mlpRatio).toBe(4);
  });
});

describe.each(['cpu', 'wasm'] as const)('VisionTransformer equals the official encoder on %s', (backend) => {
  let encoder: VisionTransformer;
  let video: tf.Tensor5D;
  beforeAll(async () => {
    await selectBackend(backend);
    encoder = new VisionTransformer(tinyConfig);
    encoder.loadStateDict(selectGroup(fixture, 'encoder'));
    const clip = fixture.get('input/video_bcthw')!;
    video = tf.tidy(() => toChannelsLast(tf.tensor5d(clip.data as Float32Array, clip.shape as [number, number, number, number, number])));
  });
  afterAll(() => {
    encoder.dispose();
    video.dispose();
  });

  it('full clip → out/encoder_full', () => {
    const out = encoder.apply(video);
    expect(maxAbsDiff(out, 'out/encoder_full')).toBeLessThan(1e-4);
    out.dispose();
  });

  it('context tokens of each generator → out/context{i}', () => {
    const outs = encoder.applyMasks(video, [mask('masks/enc0'), mask('masks/enc1')]);
    expect(maxAbsDiff(outs[0], 'out/context0')).toBeLessThan(1e-4);
    expect(maxAbsDiff(outs[1], 'out/context1')).toBeLessThan(1e-4);
    tf.dispose(outs);
  });

  it('leaves no tensor behind after a forward and a forward+backward', () => {
    const before = tf.memory().numTensors;
    encoder.apply(video).dispose();
    const params = [...encoder.parameters().values()];
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.mean(tf.abs(encoder.apply(video, mask('masks/enc0')))) as tf.Scalar, params);
      expect(Object.keys(grads).length).toBe(params.length);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('loading weights', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  const encoderWeights = () => selectGroup(fixture, 'encoder');

  it('strips module. and backbone. like the official evaluator', () => {
    const prefixed = new Map([...encoderWeights()].map(([k, v]) => [`module.backbone.${k}`, v]));
    const model = new VisionTransformer(tinyConfig);
    const report = model.loadStateDict(prefixed);
    expect(report.loaded.length).toBe(3 + 12 * 2 + 2);
    expect(model.norm.weight.dataSync()[0]).toBeCloseTo(Number(fixture.get('encoder/norm.weight')!.data[0]), 6);
    model.dispose();
  });

  it('a missing key is an error listing it, and nothing is written', () => {
    const weights = encoderWeights();
    weights.delete('blocks.1.mlp.fc2.bias');
    const model = new VisionTransformer(tinyConfig);
    const before = model.norm.weight.dataSync().slice();
    expect(() => model.loadStateDict(weights)).toThrow(StateDictError);
    expect(() => model.loadStateDict(weights)).toThrow(/missing keys: blocks\.1\.mlp\.fc2\.bias/);
    expect(Array.from(model.norm.weight.dataSync())).toEqual(Array.from(before));
    model.dispose();
  });

  it('an unexpected key is an error listing it', () => {
    const weights = encoderWeights();
    weights.set('head.weight', { shape: [2], data: new Float32Array(2) } as never);
    const model = new VisionTransformer(tinyConfig);
    expect(() => model.loadStateDict(weights)).toThrow(/unexpected keys: head\.weight/);
    model.dispose();
  });

  it('a wrongly-shaped key is an error naming both shapes', () => {
    const model = new VisionTransformer({ ...tinyConfig, dim: 32 });
    expect(() => model.loadStateDict(encoderWeights())).toThrow(/wrong shapes: pos_embed expected \[1,36,32\] received \[1,36,48\]/);
    model.dispose();
  });

  it('strict: false loads what fits and reports the rest', () => {
    const weights = encoderWeights();
    weights.delete('norm.bias');
    weights.set('extra', { shape: [1], data: new Float32Array(1) } as never);
    const model = new VisionTransformer(tinyConfig);
    const report = model.loadStateDict(weights, { strict: false });
    expect(report.missing).toEqual(['norm.bias']);
    expect(report.unexpected).toEqual(['extra']);
    expect(report.loaded.length).toBe(28);
    model.dispose();
  });
});
