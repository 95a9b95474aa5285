import { fileURLToPath } from 'node:url';
import { readPretrainedStateDict } from '@vjepa/torch-format';
import { sincosPosEmbed3d } from '@vjepa/tubelet';
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
    expect(() => configFromWeights(encoderShapes(96, 2))).toThrow('weights: width 96 is no official size, so the number of heads must be in the file\'s metadata as "heads" (or in the page\'s address as ?heads=N); received undefined');
  });

  it('refuses weights that are no encoder', () => {
    expect(() => configFromWeights(new Map([['head.weight', { shape: [10, 192] }]]))).toThrow(/patch_embed\.proj\.weight/);
  });

  it('reads the clip length and image size from a sin-cos pos_embed of another grid', () => {
    // The fixture's grid: 8 frames of 24 px, tubelet 2, patch 8 → 4 × 3 × 3 = 36 positions (8 × side² = 36 has no integer side).
    const shapes = encoderShapes(48, 2, 'module.backbone.');
    shapes.set('module.backbone.patch_embed.proj.weight', { shape: [48, 3, 2, 8, 8] });
    const table = sincosPosEmbed3d({ dim: 48, gridDepth: 4, gridHeight: 3, gridWidth: 3 });
    const withTable = new Map<string, { shape: number[]; data?: Float32Array }>(shapes);
    withTable.set('module.backbone.pos_embed', { shape: [1, 36, 48], data: table });
    expect(configFromWeights(withTable, { heads: '4' })).toEqual({
      dim: 48, depth: 2, heads: 4, channels: 3, tubelet: 2, patch: 8, frames: 8, imageSize: 24, mlpRatio: 4, qkvBias: true,
    });
    // 36 = 1 × 6²: the table of the 1 × 6 × 6 grid reads as 2 frames of 48 px; the official 16-frame grid wins where it fits.
    withTable.set('module.backbone.pos_embed', { shape: [1, 36, 48], data: sincosPosEmbed3d({ dim: 48, gridDepth: 1, gridHeight: 6, gridWidth: 6 }) });
    expect(configFromWeights(withTable, { heads: '4' })).toMatchObject({ frames: 2, imageSize: 48 });
    const official = encoderShapes(192, 1);
    official.set('pos_embed', { shape: [1, 1568, 192], data: sincosPosEmbed3d({ dim: 192, gridDepth: 8, gridHeight: 14, gridWidth: 14 }) } as never);
    expect(configFromWeights(official)).toMatchObject({ frames: 16, imageSize: 224 });
  });

  it('refuses a pos_embed that fits no 16-frame grid and is no sin-cos table', () => {
    const shapes = new Map<string, { shape: number[]; data?: Float32Array }>(encoderShapes(48, 1));
    shapes.set('pos_embed', { shape: [1, 36, 48], data: new Float32Array(36 * 48).fill(0.5) });
    expect(() => configFromWeights(shapes, { heads: '4' })).toThrow('weights: pos_embed has 36 positions, which is no square grid over 8 time steps, and its values are no sin-cos table of another grid');
  });

  it("reads the config of the fixture checkpoint's target_encoder (8 frames of 24 px, patch 8) from its tensors", () => {
    const { state } = readPretrainedStateDict(fileURLToPath(new URL('../../../fixtures/pytorch/tiny-pretrain.pth.tar', import.meta.url)));
    expect(configFromWeights(state, { heads: '4' })).toEqual({
      dim: 48, depth: 2, heads: 4, channels: 3, tubelet: 2, patch: 8, frames: 8, imageSize: 24, mlpRatio: 4, qkvBias: true,
    });
  });
});
