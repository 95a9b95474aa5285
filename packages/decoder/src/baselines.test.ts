import { describe, expect, it } from 'vitest';
import { meanAbsError, meanColourPrediction, nearestVisiblePrediction } from './baselines';
import { clipTokens, denormalize, type HostClip } from './pixels';

// 6 frames of 1 × 2 pixels, one channel, tubelet 2, patch 1: tokens t·2 + w, value of frame f, column w = 10·f + w
const clip: HostClip = {
  geometry: { frames: 6, height: 1, width: 2, channels: 1, tubelet: 2, patch: 1 },
  data: Float32Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 2) + (i % 2)),
};

describe('baselines', () => {
  it('clipTokens gathers the tubelets in patchify order', () => {
    expect(Array.from(clipTokens(clip, [3, 0]))).toEqual([21, 31, 0, 10]);
  });

  it('nearest visible: the same place at the nearest time (earlier on a tie), else the nearest place', () => {
    // token 2 (step 1, column 0): visible at steps 0 and 2 of column 0 → the earlier, token 0
    expect(Array.from(nearestVisiblePrediction(clip, [0, 4, 1], [2]))).toEqual([0, 10]);
    // token 3 (step 1, column 1): column 1 visible only at step 2 → token 5
    expect(Array.from(nearestVisiblePrediction(clip, [0, 5], [3]))).toEqual([41, 51]);
    // column 1 hidden at every step: the nearest place (column 0), then the nearest time
    expect(Array.from(nearestVisiblePrediction(clip, [0, 4], [5]))).toEqual([40, 50]);
    expect(() => nearestVisiblePrediction(clip, [], [5])).toThrow('contextIds: expected at least one visible token, received 0');
  });

  it('mean colour per channel over the whole clip, and the mean absolute error', () => {
    expect(Array.from(meanColourPrediction(clip, 2))).toEqual([25.5, 25.5, 25.5, 25.5]);
    expect(meanAbsError(Float32Array.from([1, 2]), Float32Array.from([2, 0]))).toBe(1.5);
    expect(Array.from(denormalize(Float32Array.from([0, 1, -10, 10]), [0.5, 0.25], [0.5, 0.5]))).toEqual([0.5, 0.75, 0, 1]);
  });
});
