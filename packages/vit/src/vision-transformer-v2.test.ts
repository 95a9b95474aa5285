import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { int64ToInt32, maxAbsError, readSafetensorsSync, selectGroup, selectBackend, toChannelsLast, StateDictError, type IndexBatch } from '@vjepa/core';
import { VisionTransformerV2 } from './vision-transformer-v2';
import { resolveVitV2Config, vitV2Config, VIT_V2_PRESETS, type VitV2Preset } from './config-v2';

// The official V-JEPA 2 fixture (fixtures/vjepa2/README.md): dim 24, depth 3, heads 2, patch 4, 8 × 16 × 16 clips.
const fixture = readSafetensorsSync(new URL('../../../fixtures/vjepa2/tiny.safetensors', import.meta.url)).tensors;
const tinyConfig = { dim: 24, depth: 3, heads: 2, patch: 4, tubelet: 2, frames: 8, imageSize: 16 };

function mask(name: string): IndexBatch {
  const t = fixture.get(name)!;
  return { data: int64ToInt32(t.data as BigInt64Array), shape: t.shape as [number, number] };
}


describe.each(['cpu', 'wasm'] as const)('VisionTransformerV2 equals the official V-JEPA 2 encoder on %s', (backend) => {
  let encoder: VisionTransformerV2;
  let video: tf.Tensor5D;
  beforeAll(async () => {
    await selectBackend(backend);
    encoder = new VisionTransformerV2(tinyConfig);
    encoder.loadStateDict(selectGroup(fixture, 'encoder'));
    const clip = fixture.get('input/video_bcthw')!;
    video = tf.tidy(() => toChannelsLast(tf.tensor5d(clip.data as Float32Array, clip.shape as [number, number, number, number, number])));
  });
  afterAll(() => {
    encoder.dispose();
    video.dispose();
  });

  it('patch embedding (nothing added) → out/patch_embed', () => {
    const out = encoder.embed(video);
    expect(maxAbsError(out, fixture.get('out/patch_embed')!)).toBeLessThan(1e-5);
    out.dispose();
  });

  it('full clip → out/encoder_full', () => {
    const out = encoder.apply(video);
    expect(maxAbsError(out, fixture.get('out/encoder_full')!)).toBeLessThan(1e-4);
    out.dispose();
  });

  it('kept tokens, rotated by their ids → out/context0', () => {
    const out = encoder.apply(video, mask('masks/enc0'));
    expect(maxAbsError(out, fixture.get('out/context0')!)).toBeLessThan(1e-4);
    out.dispose();
  });

  it('out_layers [1, 2], concatenated on the token axis → out/encoder_layers', () => {
    const outs = encoder.applyLayers(video, [1, 2]);
    const joined = tf.concat(outs, 1);
    expect(maxAbsError(joined, fixture.get('out/encoder_layers')!)).toBeLessThan(1e-4);
    tf.dispose([...outs, joined]);
  });

  it('the V-JEPA 2.1 layout is a different function of the same weights', () => {
    const other = new VisionTransformerV2({ ...tinyConfig, ropeLayout: 'vjepa2.1' });
    other.loadStateDict(selectGroup(fixture, 'encoder'));
    const out = other.apply(video);
    expect(maxAbsError(out, fixture.get('out/encoder_full')!)).toBeGreaterThan(1e-3);
    out.dispose();
    other.dispose();
  });

  it('runs any even frame count and a non-square frame, and leaves no tensor behind', () => {
    const before = tf.memory().numTensors;
    const clip = tf.randomNormal([1, 4, 8, 12, 3]) as tf.Tensor5D;
    const out = encoder.apply(clip);
    expect(out.shape).toEqual([1, 2 * 2 * 3, 24]);
    const params = [...encoder.parameters().values()];
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.mean(tf.abs(encoder.apply(video, mask('masks/enc0')))) as tf.Scalar, params);
      expect(Object.keys(grads).length).toBe(params.length);
    });
    tf.dispose([clip, out]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('VisionTransformerV2 configs and weights', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('presets: the released sizes (spec table: 0.30 B, 0.63 B, 1.01 B), counted from the config', () => {
    const count = (preset: VitV2Preset | typeof tinyConfig) => {
      const c = typeof preset === 'string' ? vitV2Config(preset) : resolveVitV2Config(preset);
      const hidden = Math.floor(c.dim * c.mlpRatio);
      const block = 4 * c.dim + (3 * c.dim * c.dim + 3 * c.dim) + (c.dim * c.dim + c.dim) + (hidden * c.dim + hidden) + (c.dim * hidden + c.dim);
      return c.dim * c.channels * c.tubelet * c.patch * c.patch + c.dim + c.depth * block + 2 * c.dim;
    };
    const tiny = new VisionTransformerV2(tinyConfig);
    expect(tiny.parameterCount()).toBe(count(tinyConfig));
    tiny.dispose();
    const billions = (preset: VitV2Preset) => Math.round(count(preset) / 1e7) / 100;
    expect([billions('vitl'), billions('vith'), billions('vitg')]).toEqual([0.3, 0.63, 1.01]);
    expect(count('vitl')).toBe(count('vitl-384'));
    expect(Math.floor(vitV2Config('vitg').dim * vitV2Config('vitg').mlpRatio)).toBe(6144);
    expect(vitV2Config('vitg-384')).toMatchObject({ dim: 1408, depth: 40, heads: 22, imageSize: 384 });
    expect(Object.keys(VIT_V2_PRESETS)).toEqual(['vitl', 'vith', 'vitg', 'vitl-384', 'vith-384', 'vitg-384']);
  });

  it.each([
    [{ uniformPower: true }, 'config.uniformPower: expected one of the keys'],
    [{ ropeLayout: 'half' }, 'config.ropeLayout: expected one of vjepa2, vjepa2.1, received "half"'],
    [{ dim: 24, heads: 4 }, 'config.heads: expected a head count leaving at least 12 channels per head for RoPE (dim 24), received 4'],
    [{ dim: 45, heads: 3 }, 'config.heads: expected a head count leaving an even number of channels per head for RoPE (dim 45), received 3'],
    [{ frames: 15 }, 'config.frames: expected a multiple of tubelet 2, received 15'],
  ])('refuses %j', (config, message) => {
    expect(() => resolveVitV2Config(config as never)).toThrow(message);
  });

  it('loads official keys with module./backbone. prefixes and ignores pos_embed; missing and unexpected keys are errors', () => {
    const weights = new Map([...selectGroup(fixture, 'encoder')].map(([k, v]) => [`module.backbone.${k}`, v]));
    weights.set('module.backbone.pos_embed', { shape: [1, 64, 24], data: new Float32Array(64 * 24), dtype: 'F32' } as never);
    const model = new VisionTransformerV2(tinyConfig);
    expect(model.loadStateDict(weights).loaded.length).toBe(2 + 12 * 3 + 2);
    const missing = selectGroup(fixture, 'encoder');
    missing.delete('blocks.2.attn.qkv.bias');
    expect(() => model.loadStateDict(missing)).toThrow(StateDictError);
    expect(() => model.loadStateDict(missing)).toThrow(/missing keys: blocks\.2\.attn\.qkv\.bias/);
    const extra = selectGroup(fixture, 'encoder');
    extra.set('head.weight', { shape: [2], data: new Float32Array(2) } as never);
    expect(() => model.loadStateDict(extra)).toThrow(/unexpected keys: head\.weight/);
    model.dispose();
  });
});
