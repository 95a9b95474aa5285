// `vjepa embed` with a V-JEPA 2 encoder (an official .pt, a Hugging Face folder): the features are those of
// the fixture's encoder on the clip of the single-view test transform, token by token and pooled.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RandomStream, readSafetensorsSync, selectBackend, selectGroup, type SafeTensor } from '@vjepa/core';
import { evalTransform, writeVideo } from '@vjepa/data';
import { vjepa2ModelConfigs, type Vjepa2JsonConfig } from '@vjepa/official';
import { VisionTransformerV2 } from '@vjepa/vit';
import { fresh, repoRoot, vjepaIn } from '../run-cli.test-util';

const dir = fresh();
const vjepa = (...args: string[]) => vjepaIn(dir, args);
const fixtures = join(repoRoot, 'fixtures/vjepa2');
// One frame repeated: whichever frames the sampler picks from the short video, the clip is the same.
const frames = Uint8Array.from({ length: 8 * 16 * 16 * 3 }, (_, i) => ((i % 768) * 29 + ((i % 768) >> 6) * 5) % 256);

/** The fixture's `group` encoder on the test transform of the frames: [64, 24]. */
function expectedTokens(group: 'encoder' | 'target_encoder'): Float32Array {
  const reference = readSafetensorsSync(join(fixtures, 'tiny.safetensors')).tensors;
  const configs = vjepa2ModelConfigs(JSON.parse(readFileSync(join(fixtures, 'tiny.json'), 'utf8')) as Vjepa2JsonConfig);
  const encoder = new VisionTransformerV2(configs.encoder);
  encoder.loadStateDict(selectGroup(reference, group));
  const clip = new Float32Array(8 * 16 * 16 * 3);
  evalTransform({ cropSize: 16 }).apply({ frames, numFrames: 8, height: 16, width: 16, labels: {}, name: 'clip' }, new RandomStream(0), clip, 0);
  const out = tf.tidy(() => encoder.apply(tf.tensor5d(clip, [1, 8, 16, 16, 3])).dataSync() as Float32Array);
  encoder.dispose();
  return out;
}

const maxError = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

beforeAll(async () => {
  await selectBackend('cpu');
  await writeVideo(join(dir, 'clip.mkv'), frames, 8, 16, 16, { codec: 'ffv1' });
}, 60_000);

describe('vjepa embed with V-JEPA 2 files', () => {
  it.each([
    ['the Hugging Face folder', [join(fixtures, 'tiny-hf')], 'encoder'],
    ['the official .pt (target encoder, the default)', [join(fixtures, 'tiny-pretrain.pt'), '--heads', '2', '--resolution', '16', '--frames', '8'], 'target_encoder'],
    ['the official .pt --encoder online', [join(fixtures, 'tiny-pretrain.pt'), '--heads', '2', '--resolution', '16', '--frames', '8', '--encoder', 'online'], 'encoder'],
  ] as const)('%s: token features [1, 64, 24] of that encoder', (_, checkpoint, group) => {
    const result = vjepa('embed', 'clip.mkv', '--checkpoint', ...checkpoint, '--out', `${group}.safetensors`, '--backend', 'wasm');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const { tensors, metadata } = readSafetensorsSync(join(dir, `${group}.safetensors`));
    const features = tensors.get('features') as SafeTensor & { data: Float32Array };
    expect(features.shape).toEqual([1, 64, 24]);
    expect(metadata.encoder).toBe(group);
    expect(maxError(features.data, expectedTokens(group))).toBeLessThan(1e-4);
  });

  it('--pool: the mean over tokens [1, 24]', () => {
    const result = vjepa('embed', 'clip.mkv', '--checkpoint', join(fixtures, 'tiny-hf-classifier'), '--pool', '--out', 'pooled.safetensors', '--backend', 'wasm');
    expect(result.status).toBe(0);
    const features = readSafetensorsSync(join(dir, 'pooled.safetensors')).tensors.get('features') as SafeTensor & { data: Float32Array };
    expect(features.shape).toEqual([1, 24]);
    const tokens = expectedTokens('encoder');
    const mean = Array.from({ length: 24 }, (_, d) => Array.from({ length: 64 }, (_, n) => tokens[n * 24 + d]).reduce((a, b) => a + b, 0) / 64);
    expect(maxError(features.data, mean)).toBeLessThan(1e-5);
  });
});
