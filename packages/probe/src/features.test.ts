import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, readSafetensorsSync, selectBackend, type VideoBatch } from '@vjepa/core';
import { VisionTransformer } from '@vjepa/vit';
import { extractFeatures, type FeatureEncoder } from './features';

// A 2-block ViT on 4-frame 8×8 clips: patch 4, tubelet 2 → 2·2·2 = 8 tokens of width 16.
const CONFIG = { dim: 16, depth: 2, heads: 2, patch: 4, tubelet: 2, frames: 4, imageSize: 8 };
let encoder: VisionTransformer;
let directory: string;

beforeAll(async () => {
  await selectBackend('cpu');
  encoder = new VisionTransformer(CONFIG, { seed: 1 });
  directory = mkdtempSync(join(tmpdir(), 'vjepa-probe-'));
});

afterAll(() => {
  encoder.dispose();
  rmSync(directory, { recursive: true, force: true });
});

function randomClips(count: number, seed: number): VideoBatch {
  return tf.tensor5d(new RandomStream(seed).uniform(count * 4 * 8 * 8 * 3, -1, 1), [count, 4, 8, 8, 3]);
}

/** The encoder, counting its calls. */
function counting(): FeatureEncoder & { calls: number } {
  const wrapper = {
    calls: 0,
    apply(video: VideoBatch) {
      wrapper.calls += 1;
      return encoder.apply(video);
    },
  };
  return wrapper;
}

function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('extractFeatures', () => {
  it('equals one encoder pass, in batches, from a tensor or a list of batches, leaking nothing', async () => {
    const clips = randomClips(5, 2);
    const direct = encoder.apply(clips); // [5, 8, 16]
    const spy = counting();
    const before = tf.memory().numTensors;
    const features = await extractFeatures(spy, clips, { batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(spy.calls).toBe(3);
    expect(features.shape).toEqual([5, 8, 16]);
    expect(maxAbsDifference(features, direct)).toBeLessThan(1e-5);

    const parts = [tf.slice(clips, [0], [3]), tf.slice(clips, [3], [2])] as VideoBatch[];
    const fromList = await extractFeatures(encoder, parts, { batchSize: 4 });
    expect(maxAbsDifference(fromList, direct)).toBeLessThan(1e-5);
    tf.dispose([clips, direct, features, fromList, ...parts]);
  });

  it('caches features as safetensors under the caller’s key: the second call reads the file', async () => {
    const clips = randomClips(3, 3);
    const cacheFile = join(directory, 'features.safetensors');
    const spy = counting();
    const first = await extractFeatures(spy, clips, { batchSize: 2, cacheFile, cacheKey: 'tiny/seed1/split-a' });
    expect(spy.calls).toBe(2);
    const file = readSafetensorsSync(cacheFile);
    expect(file.metadata).toEqual({ format: 'vjepa-probe-features/1', cacheKey: 'tiny/seed1/split-a' });
    expect(file.tensors.get('features')?.shape).toEqual([3, 8, 16]);

    const second = await extractFeatures(spy, clips, { batchSize: 2, cacheFile, cacheKey: 'tiny/seed1/split-a' });
    expect(spy.calls).toBe(2);
    expect(second.dataSync()).toEqual(first.dataSync());

    // Another key is a stale cache: recomputed and overwritten.
    const third = await extractFeatures(spy, clips, { batchSize: 2, cacheFile, cacheKey: 'tiny/seed1/split-b' });
    expect(spy.calls).toBe(4);
    expect(readSafetensorsSync(cacheFile).metadata.cacheKey).toBe('tiny/seed1/split-b');
    tf.dispose([clips, first, second, third]);
  });

  it('names the problem before running the encoder', async () => {
    const clips = randomClips(2, 4);
    const spy = counting();
    const cacheFile = join(directory, 'other.safetensors');
    await expect(extractFeatures(spy, clips, { cacheFile })).rejects.toThrow(
      'cacheKey: expected a non-empty string naming the encoder and the clips whenever cacheFile is given, received undefined',
    );
    await expect(extractFeatures(spy, clips, { batchSize: 0 })).rejects.toThrow('batchSize: expected an integer ≥ 1, received 0');
    const frames = tf.zeros([2, 8, 8, 3]);
    await expect(extractFeatures(spy, frames as unknown as VideoBatch)).rejects.toThrow(
      'clips: expected a live [B, T, H, W, C] tensor, received [2, 8, 8, 3]',
    );
    const first = await extractFeatures(spy, clips, { cacheFile, cacheKey: 'k' });
    const more = randomClips(4, 5);
    await expect(extractFeatures(spy, more, { cacheFile, cacheKey: 'k' })).rejects.toThrow(
      `cacheKey: expected a key that identifies these 4 clips, received "k". ${cacheFile} holds 2 clips under that key`,
    );
    expect(spy.calls).toBe(1);
    tf.dispose([clips, frames, first, more]);
  });
});
