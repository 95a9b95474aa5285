import { describe, expect, it } from 'vitest';
import { configFromWeights } from './weights';

function encoderShapes(dim: number, depth: number, prefix = ''): Map<string, { shape: number[] }> {
  const shapes = new Map<string, { shape: number[] }>();
  shapes.set(`${prefix}pos_embed`, { shape: [1, 1568, dim] });
  shapes.set(`${prefix}patch_embed.proj.weight`, { shape: [dim, 3, 2, 16, 16] });
  for (let b = 0; b < depth; b++) {
    shapes.set(`${prefix}blocks.${b}.attn.qkv.weight`, { shape: [3 * dim, dim] });
    shapes.set(`${prefix}blocks.${b}.attn.qkv.bias`, { shape: [3 * dim] });
    shapes.set(`${prefix}blocks.${b}.mlp.fc1.weight`, { shape: [4 * dim, dim] });
  }
  return shapes;
}

describe('configFromWeights', () => {
  it('reads an official ViT-L/16 at 224 px, keys wrapped as in the official checkpoints', () => {
    expect(configFromWeights(encoderShapes(1024, 24, 'module.backbone.'))).toEqual({
      dim: 1024, depth: 24, heads: 16, channels: 3, tubelet: 2, patch: 16, frames: 16, imageSize: 224, mlpRatio: 4, qkvBias: true,
    });
  });

  it('takes the heads from the metadata for a width of no official size', () => {
    expect(configFromWeights(encoderShapes(96, 2), { heads: '4' })).toMatchObject({ dim: 96, depth: 2, heads: 4 });
    expect(() => configFromWeights(encoderShapes(96, 2))).toThrow('weights: width 96 is no official size, so the number of heads must be in the file\'s metadata as "heads"; received undefined');
  });

  it('refuses weights that are no encoder', () => {
    expect(() => configFromWeights(new Map([['head.weight', { shape: [10, 192] }]]))).toThrow(/patch_embed\.proj\.weight/);
  });
});
