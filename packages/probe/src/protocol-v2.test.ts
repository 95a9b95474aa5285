import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensorsSync, selectBackend, selectGroup, toChannelsLast } from '@vjepa/core';
import { VisionTransformerV2, VIT_V2_PRESETS } from '@vjepa/vit';
import { AttentiveProbeV2 } from './attentive-v2';
import { PredictorV2 } from '@vjepa/predictor';
import { layerFeatures } from './layers';
import { VJEPA2_PROBE_PROTOCOLS, classifyClipViews, clipAggregationFeatures, ek100ProbeInput } from './protocol-v2';

// The official V-JEPA 2 fixture (fixtures/vjepa2/README.md): the Diving-48 path on one segment and one view.
const fixture = readSafetensorsSync(new URL('../../../fixtures/vjepa2/tiny.safetensors', import.meta.url)).tensors;

describe('the V-JEPA 2 evaluation protocol (segments × views, out_layers)', () => {
  let encoder: VisionTransformerV2;
  let probe: AttentiveProbeV2;
  let video: tf.Tensor5D;
  beforeAll(async () => {
    await selectBackend('wasm');
    encoder = new VisionTransformerV2({ dim: 24, depth: 3, heads: 2, patch: 4, frames: 8, imageSize: 16 });
    encoder.loadStateDict(selectGroup(fixture, 'encoder'));
    probe = new AttentiveProbeV2({ dim: 24, heads: 2, depth: 4, classes: 5 });
    probe.loadStateDict(selectGroup(fixture, 'probe'));
    const clip = fixture.get('input/video_bcthw')!;
    video = tf.tidy(() => toChannelsLast(tf.tensor5d(clip.data as Float32Array, clip.shape as [number, number, number, number, number])));
  });

  it('one segment, one view, out_layers [1, 2]: the official softmax of probe_out/logits_layers', () => {
    tf.tidy(() => {
      const features = clipAggregationFeatures(encoder, [video], [1, 2]);
      const expected = fixture.get('out/encoder_layers')!;
      expect(features.shape).toEqual(expected.shape);
      const got = features.dataSync();
      expect(Math.max(...got.map((v, i) => Math.abs(v - Number(expected.data[i]))))).toBeLessThan(1e-4);
      const probabilities = classifyClipViews(encoder, probe, [[video]], [1, 2]);
      const logits = fixture.get('probe_out/logits_layers')!;
      const want = tf.softmax(tf.tensor2d(logits.data as Float32Array, logits.shape as [number, number])).dataSync();
      expect(Math.max(...probabilities.dataSync().map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-5);
    });
  });

  it('2 views × 2 segments: tokens of the segments concatenated per view, the views’ softmax averaged', () => {
    tf.tidy(() => {
      const other = tf.reverse(video, 2) as tf.Tensor5D; // a second spatial view: the frames mirrored
      const later = tf.mul(video, 0.5) as tf.Tensor5D; // a second segment
      const views = [[video, later], [other, tf.reverse(later, 2) as tf.Tensor5D]];
      const probabilities = classifyClipViews(encoder, probe, views);
      const byHand = views.map((view) => tf.softmax(probe.apply(tf.concat(view.map((clip) => encoder.apply(clip)), 1) as tf.Tensor3D)));
      const mean = tf.div(tf.add(byHand[0], byHand[1]), 2);
      expect(tf.max(tf.abs(tf.sub(probabilities, mean))).dataSync()[0]).toBeLessThan(1e-6);
      expect(clipAggregationFeatures(encoder, views[0]).shape).toEqual([2, 128, 24]);
      expect(() => classifyClipViews(encoder, probe, [[video], [video, video]])).toThrow('views[1]: expected 1 segments, as view 0, received 2');
    });
  });

  it('the released protocols name encoder presets that exist, and token counts as the spec table', () => {
    const tokens = (name: keyof typeof VJEPA2_PROBE_PROTOCOLS) => {
      const p = VJEPA2_PROBE_PROTOCOLS[name];
      return (p.frames / 2) * (p.resolution / 16) ** 2 * p.segments * (p.outLayers?.length ?? 1);
    };
    for (const p of Object.values(VJEPA2_PROBE_PROTOCOLS)) expect(VIT_V2_PRESETS).toHaveProperty(p.encoder);
    expect(tokens('ssv2-vitl-16x2x3')).toBe(4096);
    expect(tokens('ssv2-vitg-384-64x2x3')).toBe(36_864);
    expect(tokens('diving48-vitl-256')).toBe(65_536);
    expect(tokens('diving48-vitg-384-32x4x3')).toBe(147_456);
  });

  it('EK-100: the encoder tokens, then the predictor’s tokens of the slice 1 s (8 fps, 4 tubelets) after the clip', () => {
    // Built for 32 frames (16 slices of 16 tokens), so the ids 64 + 16·4 + [0, 16) fit.
    const predictor = new PredictorV2({ encoderDim: 24, dim: 20, depth: 2, heads: 1, frames: 32, imageSize: 16, patch: 4 });
    predictor.loadStateDict(selectGroup(fixture, 'predictor'));
    tf.tidy(() => {
      const input = ek100ProbeInput(encoder, predictor, video, { patch: 4 });
      expect(input.shape).toEqual([2, 64 + 16, 24]);
      const tokens = encoder.apply(video);
      const ids = (start: number, length: number) => ({ data: Int32Array.from({ length: 2 * length }, (_, i) => start + (i % length)), shape: [2, length] as [number, number] });
      const future = predictor.apply(tokens, ids(0, 64), ids(128, 16), 1);
      expect(tf.max(tf.abs(tf.sub(input, tf.concat([tokens, future], 1)))).dataSync()[0]).toBe(0);
    });
    predictor.dispose();
  });

  it('layerFeatures (V-JEPA 1 block outputs) refuses a V-JEPA 2 encoder instead of skipping its rotations', () => {
    expect(() => layerFeatures(encoder, [1, 'final'])).toThrow('encoder: expected a V-JEPA 1 encoder (blocks without RoPE), received "a V-JEPA 2 encoder"');
  });
});
