import { describe, expect, it } from 'vitest';
import { blockFlops, encoderForwardFlops, patchEmbedFlops, predictorForwardFlops, stepFlops } from './flops';

// A model small enough to count by hand: encoder D 4, depth 1, hidden 8, 1 channel, 1×1×1 tubelets;
// predictor P 2, depth 1, hidden 4, output 4; one clip of 4 tokens; one generator with 1 context, 2 targets.
const encoder = { dim: 4, depth: 1, mlpRatio: 2, channels: 1, patch: 1, tubelet: 1 };
const predictor = { dim: 2, depth: 1, mlpRatio: 2, outputDim: 4 };

describe('the FLOP count of a V-JEPA step (2·M·K·N per matrix product)', () => {
  it('counts one block: qkv, q·kᵀ, attention·v, proj, fc1, fc2', () => {
    // n 4, D 4, hidden 8: qkv 2·4·4·12 = 384; q·kᵀ + a·v 2·(2·4·4·4) = 256; proj 2·4·4·4 = 128; fc1 = fc2 = 2·4·4·8 = 256
    expect(blockFlops(1, 4, 4, 2)).toBe(384 + 256 + 128 + 256 + 256);
    // the attention term does not depend on the heads, and scales with the batch
    expect(blockFlops(3, 4, 4, 2)).toBe(3 * 1280);
  });

  it('counts the tubelet embedding and the encoder forward', () => {
    expect(patchEmbedFlops(encoder, 1, 4)).toBe(2 * 4 * 1 * 4); // [4, 1] × [1, 4]
    expect(encoderForwardFlops(encoder, 1, 4)).toBe(32 + 1280);
  });

  it('counts the predictor: embed the context, blocks on context + targets, project the targets', () => {
    // embed 2·1·4·2 = 16; block on 3 tokens of width 2: qkv 72, attention 72, proj 24, fc1 48, fc2 48 = 264; proj 2·2·2·4 = 32
    expect(predictorForwardFlops(predictor, 4, 1, { context: 1, target: 2 })).toBe(16 + 264 + 32);
  });

  it('adds target forward, trained forward and a backward of twice the trained forward', () => {
    // context encoder on 1 token: qkv 96, attention 16, proj 32, fc1 64, fc2 64 = 272
    const flops = stepFlops(encoder, predictor, 1, 4, [{ context: 1, target: 2 }]);
    expect(flops).toEqual({ target: 1312, trainedForward: 32 + 272 + 312, backward: 2 * 616, total: 1312 + 3 * 616 });
    expect(flops.total).toBe(3160);
  });

  it('shares the online tubelet embedding across generators and adds each generator’s passes', () => {
    const one = stepFlops(encoder, predictor, 1, 4, [{ context: 1, target: 2 }]);
    const two = stepFlops(encoder, predictor, 1, 4, [{ context: 1, target: 2 }, { context: 1, target: 2 }]);
    expect(two.trainedForward - one.trainedForward).toBe(272 + 312);
    expect(two.target).toBe(one.target);
  });

  it('gives 3.32 GFLOP for the encoder forward of the bench configuration', () => {
    // B 4, N 128 (rows 512), D 192, hidden 768, tubelet 3·2·16·16 = 1536 values:
    // patch 2·512·1536·192 = 301 989 888; block 113 246 208 + 50 331 648 + 37 748 736 + 2·150 994 944 = 503 316 480
    const bench = { dim: 192, depth: 6, mlpRatio: 4, channels: 3, patch: 16, tubelet: 2 };
    expect(encoderForwardFlops(bench, 4, 128)).toBe(301_989_888 + 6 * 503_316_480);
  });
});
