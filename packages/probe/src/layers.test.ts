import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend } from '@vjepa/core';
import { VisionTransformer, vitConfig } from '@vjepa/vit';
import { layerFeatures } from './layers';

describe('layerFeatures', () => {
  it('reads block outputs and the final norm, concatenated on the channels, in one pass', async () => {
    await selectBackend('cpu');
    const encoder = new VisionTransformer(vitConfig('tiny', { dim: 16, depth: 2, heads: 2, patch: 8, frames: 4, imageSize: 16 }));
    const video = tf.tensor5d(new RandomStream(0).uniform(2 * 4 * 16 * 16 * 3, -1, 1), [2, 4, 16, 16, 3]);
    const before = tf.memory().numTensors;
    const both = layerFeatures(encoder, [1, 'final']).apply(video);
    expect(tf.memory().numTensors).toBe(before + 1); // only the result is left
    expect(both.shape).toEqual([2, 8, 32]);
    const final = encoder.apply(video);
    const first = tf.tidy(() => encoder.blocks[0].apply(encoder.embed(video)));
    const [left, right] = tf.split(both, 2, 2);
    expect(Array.from(right.dataSync())).toEqual(Array.from(final.dataSync()));
    expect(Array.from(left.dataSync())).toEqual(Array.from(first.dataSync()));
    const alone = layerFeatures(encoder).apply(video);
    expect(Array.from(alone.dataSync())).toEqual(Array.from(final.dataSync()));
    expect(layerFeatures(encoder, ['final'])).toBe(encoder); // the final norm alone is the encoder itself
    const second = layerFeatures(encoder, [2]).apply(video);
    const twoBlocks = tf.tidy(() => encoder.blocks[1].apply(encoder.blocks[0].apply(encoder.embed(video))));
    expect(Array.from(second.dataSync())).toEqual(Array.from(twoBlocks.dataSync()));
    tf.dispose([video, both, final, first, left, right, alone, second, twoBlocks]);
    encoder.dispose();
  });

  it.each([
    [[3], "layers: expected block numbers 1…2 and/or 'final', received 3"],
    [[0], "layers: expected block numbers 1…2 and/or 'final', received 0"],
    [[1.5], "layers: expected block numbers 1…2 and/or 'final', received 1.5"],
    [[], "layers: expected block numbers 1…2 and/or 'final', received []"],
    [[1, 1], 'layers: expected each layer once, received [1, 1]'],
  ])('refuses %j before any work', (layers, message) => {
    const encoder = { embed: () => undefined, apply: () => undefined, blocks: [{}, {}], norm: {} } as never;
    expect(() => layerFeatures(encoder, layers as never)).toThrow(message);
  });
});
