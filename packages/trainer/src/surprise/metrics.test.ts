import { describe, expect, it } from 'vitest';
import { auroc, pairwiseAccuracy } from './metrics';

describe('pairwise accuracy and AUROC', () => {
  it('pairwise accuracy counts the pairs whose impossible twin scores higher, ties one half', () => {
    // pairs: (1, 2) win, (3, 3) tie, (5, 4) loss, (0, 9) win → (1 + ½ + 0 + 1) / 4
    expect(pairwiseAccuracy([1, 3, 5, 0], [2, 3, 4, 9])).toBe(0.625);
    expect(pairwiseAccuracy([1], [1])).toBe(0.5);
    expect(() => pairwiseAccuracy([1, 2], [1])).toThrow(/impossible/);
    expect(() => pairwiseAccuracy([], [])).toThrow(/possible/);
  });

  it('AUROC is the share of (positive, negative) pairs the positive wins, ties one half', () => {
    // negatives 1, 2, 4; positives 3, 4, 5: of 9 pairs, 3 beats 1 and 2; 4 beats 1, 2 and ties 4; 5 beats all → (2 + 2.5 + 3) / 9
    expect(auroc([1, 2, 4], [3, 4, 5])).toBeCloseTo(7.5 / 9, 12);
    expect(auroc([1, 2], [3, 4])).toBe(1);
    expect(auroc([3, 4], [1, 2])).toBe(0);
    expect(auroc([7, 7, 7], [7, 7])).toBe(0.5);
    expect(() => auroc([1], [Number.NaN])).toThrow(/positives/);
  });
});
