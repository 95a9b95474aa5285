import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { RandomStream, selectBackend, UsageError } from '@vjepa/core';
import { patchify } from '@vjepa/tubelet';
import { VisionTransformer } from '@vjepa/vit';
import { featureSourceConfig, loadEncoder, openFeatureSource } from './feature-source';
import { readOfficialEncoder } from './torch-files';

const pretrain = new URL('../../../fixtures/pytorch/tiny-pretrain.pth.tar', import.meta.url).pathname;
const small = { model: 'tiny', depth: '2', crop: '32', frames: '8' };
// tiny's patch is 16: 8 frames of 32 × 32 are 4 × 2 × 2 = 16 tokens
const clips = (frames: number, side: number) => tf.randomUniform([2, frames, side, side, 3], -1, 1, 'float32', 7) as tf.Tensor5D;

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('featureSourceConfig', () => {
  it('random and pixels: the flags over the defaults of vjepa train', () => {
    for (const source of ['random', 'pixels']) {
      const config = featureSourceConfig(source, { modelFlags: small });
      expect([config.model.encoder.depth, config.data.crop, config.data.frames, config.model.encoder.heads]).toEqual([2, 32, 8, 3]);
    }
  });

  it('an official file: the encoder its tensors imply, with the heads given', () => {
    expect(featureSourceConfig(pretrain, { inferred: { heads: 4 } }).model.encoder).toMatchObject({ dim: 48, depth: 2, heads: 4, patch: 8, frames: 8, imageSize: 24 });
  });

  it('refuses anything else as a usage error naming checkpoint and the accepted forms', () => {
    expect(() => featureSourceConfig('/nonexistent/run')).toThrow(UsageError);
    expect(() => featureSourceConfig('/nonexistent/run')).toThrow(
      `checkpoint: expected a vjepa train output folder, a checkpoint directory, a .pth.tar file, 'random' or 'pixels', received "/nonexistent/run"`,
    );
  });
});

describe('openFeatureSource', () => {
  it('pixels: the raw tubelets, no encoder; layers refused', () => {
    const config = featureSourceConfig('pixels', { modelFlags: small });
    const source = openFeatureSource('pixels', config);
    const video = clips(8, 32);
    const features = source.features.apply(video);
    expect([source.name, source.encoder, source.heads, features.shape]).toEqual(['pixels', undefined, 3, [2, 16, 2 * 16 * 16 * 3]]);
    expect(features.dataSync()).toEqual(patchify(video, 2, 16).dataSync());
    expect(source.description).toBe('raw tubelet pixels (2×16×16×3 per token)');
    expect(() => openFeatureSource('pixels', config, { layers: [1] })).toThrow(/^layers: expected no layers for pixels/);
    tf.dispose([video, features]);
  });

  it('random: the encoder pretraining would start from (same seed, same weights), its final norm or chosen blocks', () => {
    const config = featureSourceConfig('random', { modelFlags: small });
    const source = openFeatureSource('random', config);
    const twin = new VisionTransformer(config.model.encoder, { rng: new RandomStream(config.seed), init: 'pretraining' });
    const video = clips(8, 32);
    const [ours, theirs] = [source.features.apply(video), twin.apply(video)];
    expect([source.name, source.description, ours.shape]).toEqual(['random', 'an untrained ViT-tiny (seed 0)', [2, 16, 192]]);
    expect(ours.dataSync()).toEqual(theirs.dataSync());
    const layered = openFeatureSource('random', config, { layers: [1, 'final'] });
    const both = layered.features.apply(video);
    expect(both.shape).toEqual([2, 16, 384]);
    expect(() => openFeatureSource('random', config, { layers: [3] })).toThrow(/layers: expected block numbers 1…2 and\/or 'final', received 3/);
    tf.dispose([video, ours, theirs, both]);
    for (const model of [source, layered]) model.dispose();
    twin.dispose();
  });

  it('an official file: its target encoder loaded', () => {
    const config = featureSourceConfig(pretrain, { inferred: { heads: 4 } });
    const source = openFeatureSource(pretrain, config);
    expect([source.name, source.heads, source.description]).toEqual(['target', 4, `the target encoder of ${pretrain}`]);
    const { state } = readOfficialEncoder(pretrain, 'target');
    const norm = state.get('norm.weight')!;
    const loaded = source.encoder!.stateDict().get('norm.weight')!;
    expect(Array.from(loaded.dataSync())).toEqual(Array.from(norm.data as Float32Array));
    source.dispose();
  });

  it('loadEncoder without a checkpoint is the seeded initialisation, and frees itself when loading fails', () => {
    const config = featureSourceConfig('random', { modelFlags: small });
    const before = tf.memory().numTensors;
    expect(() => loadEncoder(config, '/nonexistent/run')).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});
