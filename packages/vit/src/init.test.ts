import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend } from '@vjepa/core';
import { interpolatePosEmbed, sincosPosEmbed3d } from '@vjepa/tubelet';
import { VisionTransformer } from './vision-transformer';

function std(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  return Math.sqrt(sq / values.length);
}

describe('VisionTransformer init and input sizes', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  const config = { dim: 96, depth: 4, heads: 3, frames: 4, imageSize: 32 };

  it('official init: trunc_normal(0.02) weights, zero biases, LayerNorm (1, 0), attn.proj and mlp.fc2 divided by √(2·layer)', () => {
    const model = new VisionTransformer(config, { seed: 1 });
    const block = model.blocks[3]; // layer 4 → divided by √8
    expect(std(block.attn.qkv.weight.dataSync())).toBeCloseTo(0.02, 3);
    expect(std(block.attn.proj.weight.dataSync())).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(std(block.mlp.fc2.weight.dataSync())).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(std(model.patchEmbed.proj.weight.dataSync())).toBeCloseTo(0.02, 3);
    expect(Array.from(block.attn.qkv.bias!.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(block.norm1.weight.dataSync()).every((v) => v === 1)).toBe(true);
    expect(Array.from(model.posEmbed.dataSync())).toEqual(Array.from(sincosPosEmbed3d({ dim: 96, gridDepth: 2, gridHeight: 2, gridWidth: 2 })));
    model.dispose();
  });

  it("'pretraining' init reproduces the official second pass: the depth rescale is undone, the conv keeps its first init", () => {
    const official = new VisionTransformer(config, { rng: new RandomStream(5) });
    const pretraining = new VisionTransformer(config, { rng: new RandomStream(5), init: 'pretraining' });
    expect(std(pretraining.blocks[3].attn.proj.weight.dataSync())).toBeCloseTo(0.02, 3);
    expect(Array.from(pretraining.patchEmbed.proj.weight.dataSync())).toEqual(Array.from(official.patchEmbed.proj.weight.dataSync()));
    official.dispose();
    pretraining.dispose();
  });

  it('a clip of another size gets the trilinearly interpolated positional table', () => {
    const model = new VisionTransformer(config, { seed: 2 });
    const grid = { depth: 2, height: 4, width: 4 }; // 64 px instead of 32
    const table = model.positionsFor(grid);
    const expected = interpolatePosEmbed(model.posEmbed.dataSync() as Float32Array, { dim: 96, from: model.grid, to: grid });
    expect(table.shape).toEqual([1, 32, 96]);
    expect(Array.from(table.dataSync())).toEqual(Array.from(expected));
    const video = tf.zeros([1, 4, 64, 64, 3]) as tf.Tensor5D;
    expect(model.apply(video).shape).toEqual([1, 32, 96]);
    tf.dispose([table, video]);
    model.dispose();
  });
});
