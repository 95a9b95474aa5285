import { describe, expect, it } from 'vitest';
import { MaskCollator } from './collator';
import { maskStatistics, summarizeMaskStatistics, type MaskStatistics } from './stats';
import type { SampledMasks } from './types';

describe('maskStatistics', () => {
  it('measures a hand-made batch', () => {
    const masks: SampledMasks = {
      context: { data: new Int32Array([0, 1, 0, 2]), shape: [2, 2] },
      target: { data: new Int32Array([2, 3, 1, 3]), shape: [2, 2] },
      lengthsBeforeTruncation: { context: new Int32Array([2, 3]), target: new Int32Array([8, 7]) },
      tokenCount: 10,
      blockSize: null,
    };
    expect(maskStatistics(masks)).toEqual({
      tokenCount: 10,
      maskedFraction: 0.75, // (8 + 7) / 20
      contextLength: 2,
      targetLength: 2,
      effectiveContextFraction: 0.2,
    });
    const summary = summarizeMaskStatistics([
      maskStatistics(masks),
      { ...maskStatistics(masks), contextLength: 4, maskedFraction: 0.25, effectiveContextFraction: 0.4 },
    ]);
    expect(summary).toEqual({
      batches: 2,
      maskedFraction: 0.5,
      contextLength: { mean: 3, min: 2, max: 4 },
      targetLength: { mean: 2, min: 2, max: 2 },
      effectiveContextFraction: expect.closeTo(0.3, 12),
    });
  });
});

describe('masking ratios of the official pair (spec §3.4: 224 px, batch 24, 400 batches)', () => {
  const collator = new MaskCollator({ seed: 0 });
  const perGenerator: MaskStatistics[][] = [[], []];
  for (let batch = 0; batch < 400; batch++) {
    collator.sample(24).forEach((masks, generator) => perGenerator[generator].push(maskStatistics(masks)));
  }
  const [shortRange, longRange] = perGenerator.map(summarizeMaskStatistics);

  it('short-range: 62.6 % masked per sample, ≈ 23 % effective context, K_enc ≈ 365, K_pred ≈ 749', () => {
    expect(Math.abs(shortRange.maskedFraction - 0.626)).toBeLessThan(0.015);
    expect(Math.abs(shortRange.effectiveContextFraction - 0.23)).toBeLessThan(0.015);
    expect(Math.abs(shortRange.contextLength.mean - 365)).toBeLessThan(20);
    expect(Math.abs(shortRange.targetLength.mean - 749)).toBeLessThan(20);
    // Counts are whole tubes (multiples of T' = 8) within the ranges the spec reports.
    expect(shortRange.contextLength.min % 8).toBe(0);
    expect(shortRange.contextLength.min).toBeGreaterThanOrEqual(150);
    expect(shortRange.contextLength.max).toBeLessThanOrEqual(600);
  });

  it('long-range: 81.1 % masked per sample, ≈ 6 % effective context, K_enc ≈ 99, K_pred ≈ 1099', () => {
    expect(Math.abs(longRange.maskedFraction - 0.811)).toBeLessThan(0.015);
    expect(Math.abs(longRange.effectiveContextFraction - 0.06)).toBeLessThan(0.015);
    expect(Math.abs(longRange.contextLength.mean - 99)).toBeLessThan(10);
    expect(Math.abs(longRange.targetLength.mean - 1099)).toBeLessThan(20);
    expect(longRange.targetLength.min).toBeGreaterThanOrEqual(1000);
  });
});
