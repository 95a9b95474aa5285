import { RandomStream, VjepaError } from '@vjepa/core';
import { describe, expect, it } from 'vitest';
import { allFrames, linspace, pretrainingSampler, sampleClipIndices, sampleEvalClips, samplePretrainingClip } from './sampling';

// Expected values computed with numpy from the official rule (spec §10, §11.5).
const OFFSETS_16x4 = [0, 4, 8, 12, 17, 21, 25, 29, 34, 38, 42, 46, 51, 55, 59, 63];
const EVAL_OFFSETS_16x4 = [0, 4, 9, 13, 18, 22, 27, 31, 36, 40, 45, 49, 54, 58, 62, 62];
const repeat = (value: number, count: number) => new Array<number>(count).fill(value);

describe('linspace', () => {
  it('follows numpy: endpoint included, last value exact, k·step + start', () => {
    expect(linspace(0, 64, 16).map(Math.trunc)).toEqual([0, 4, 8, 12, 17, 21, 25, 29, 34, 38, 42, 46, 51, 55, 59, 64]);
    expect(linspace(2, 3, 1)).toEqual([2]);
    expect(linspace(0, 5, 0)).toEqual([]);
    expect(linspace(0, 1, 3)).toEqual([0, 0.5, 1]);
  });
});

describe('samplePretrainingClip (spec §10)', () => {
  it.each([
    [300, 64, OFFSETS_16x4],
    [300, 200, OFFSETS_16x4.map((o) => o + 136)],
    [300, 299, OFFSETS_16x4.map((o) => o + 235)],
  ])('a %i-frame video with the window ending at %i gives the 64/15-spaced offsets', (frames, end, expected) => {
    // rng = null puts the window end at 64; otherwise a stub stream answers randint with `end`.
    const indices = end === 64 ? samplePretrainingClip(frames, null) : windowAt(frames, end);
    expect(indices).toEqual(expected);
  });

  it.each([
    [65, OFFSETS_16x4],
    [64, OFFSETS_16x4],
    [63, EVAL_OFFSETS_16x4],
    [40, [0, 4, 8, 13, 17, 22, 26, 31, 35, ...repeat(39, 7)]],
    [10, [0, ...repeat(9, 15)]],
    [5, [0, ...repeat(4, 15)]],
    [4, [0, ...repeat(3, 15)]],
    [3, repeat(2, 16)],
    [2, repeat(1, 16)],
    [1, repeat(0, 16)],
  ])('short-video rule for %i frames', (frames, expected) => {
    expect(samplePretrainingClip(frames, new RandomStream(1))).toEqual(expected);
  });

  it('draws the window end uniformly from randint(64, n) (high exclusive)', () => {
    const rng = new RandomStream(7);
    const starts = new Map<number, number>();
    for (let k = 0; k < 600; k++) {
      const indices = samplePretrainingClip(70, rng);
      const start = indices[0];
      expect(indices.map((index) => index - start)).toEqual(OFFSETS_16x4);
      starts.set(start, (starts.get(start) ?? 0) + 1);
    }
    expect([...starts.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]); // end 64…69
    for (const count of starts.values()) expect(count).toBeGreaterThan(60);
  });

  it('honours framesPerClip and frameStep', () => {
    expect(samplePretrainingClip(10, null, { framesPerClip: 8, frameStep: 2 })).toEqual([0, 2, 5, 7, 9, 9, 9, 9]);
    expect(samplePretrainingClip(100, null, { framesPerClip: 8, frameStep: 2 })).toEqual([0, 2, 4, 6, 9, 11, 13, 15]);
    expect(pretrainingSampler({ framesPerClip: 8, frameStep: 2 })(10, new RandomStream(0))).toEqual([0, 2, 5, 7, 9, 9, 9, 9]);
  });

  it('is deterministic for a seed', () => {
    const a = Array.from({ length: 5 }, (_, k) => samplePretrainingClip(500 + k, new RandomStream(3).fork(`${k}`)));
    const b = Array.from({ length: 5 }, (_, k) => samplePretrainingClip(500 + k, new RandomStream(3).fork(`${k}`)));
    expect(a).toEqual(b);
  });
});

/** The pretraining indices with the window end forced to `end` (what randint returned). */
function windowAt(frames: number, end: number): number[] {
  const fake = { nextInt: (low: number, high: number) => (end >= low && end <= high ? end : NaN) } as unknown as RandomStream;
  return samplePretrainingClip(frames, fake);
}

describe('sampleEvalClips (spec §11.5)', () => {
  it('gives identical segments for a short video (n ≤ 64)', () => {
    expect(sampleEvalClips(64, 3, null)).toEqual([EVAL_OFFSETS_16x4, EVAL_OFFSETS_16x4, EVAL_OFFSETS_16x4]);
    const short = [0, 4, 8, 13, 17, 22, 26, 31, 35, 40, 44, ...repeat(48, 5)];
    expect(sampleEvalClips(50, 2, new RandomStream(0))).toEqual([short, short]);
  });

  it('shifts overlapping segments by (n − 64) // (segments − 1)', () => {
    expect(sampleEvalClips(100, 2, null)).toEqual([EVAL_OFFSETS_16x4, EVAL_OFFSETS_16x4.map((o) => o + 36)]);
    const eight = sampleEvalClips(300, 8, new RandomStream(0));
    expect(eight.map((clip) => clip[0])).toEqual([0, 33, 66, 99, 132, 165, 198, 231]);
    expect(eight[7]).toEqual(EVAL_OFFSETS_16x4.map((o) => o + 231));
  });

  it('takes a window inside each partition longer than 64 frames', () => {
    expect(sampleEvalClips(1000, 8, null).map((clip) => clip[0])).toEqual([0, 125, 250, 375, 500, 625, 750, 875]);
    const rng = new RandomStream(5);
    for (let trial = 0; trial < 50; trial++) {
      sampleEvalClips(1000, 8, rng).forEach((clip, segment) => {
        const start = clip[0];
        expect(clip.map((index) => index - start)).toEqual(OFFSETS_16x4);
        expect(start).toBeGreaterThanOrEqual(segment * 125);
        expect(start + 63).toBeLessThan((segment + 1) * 125);
      });
    }
  });

  it('without overlap, partitions of a long video follow one another (num_clips > 1)', () => {
    expect(sampleClipIndices(130, null, { numClips: 2 })).toEqual([OFFSETS_16x4, OFFSETS_16x4.map((o) => o + 65)]);
  });
});

describe('argument checks', () => {
  it('names the argument, the expectation and the value', () => {
    expect(() => samplePretrainingClip(0, null)).toThrow(/numFrames: expected a positive integer, received 0/);
    expect(() => sampleClipIndices(3, null, { numClips: 4 })).toThrow(/numFrames: expected at least numClips \(4\) frames, received 3/);
    expect(() => samplePretrainingClip(10, null, { frameStep: 0 })).toThrow(VjepaError);
  });

  it('allFrames keeps every frame', () => {
    expect(allFrames(4, new RandomStream(0))).toEqual([0, 1, 2, 3]);
  });
});
