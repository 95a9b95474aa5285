import { RandomStream } from '@vjepa/core';
import { describe, expect, it } from 'vitest';
import { centreCrop, centreRatioCrop, sampleResizedCrop } from './crop';
import { roundHalfEven } from './portable';
import { resampleFrames, resizeBilinear } from './resize';
import { evalTransform, IMAGENET_MEAN, IMAGENET_STD, multiViewTransform, normalizeTransform, pretrainingTransform } from './transforms';
import type { Clip } from './types';

/** A stream that returns scripted floats and integers, recording the integer ranges asked for. */
function scripted(floats: number[], ints: number[]) {
  const ranges: [number, number][] = [];
  const rng = {
    nextFloat: () => {
      if (floats.length === 0) throw new Error('no scripted float left');
      return floats.shift() as number;
    },
    nextInt: (low: number, high: number) => {
      ranges.push([low, high]);
      return ints.shift() as number;
    },
  } as unknown as RandomStream;
  return { rng, ranges };
}

const rows = (data: Float32Array, width: number) =>
  Array.from({ length: data.length / width }, (_, r) => Array.from(data.subarray(r * width, (r + 1) * width)));

describe('bilinear resize (PyTorch align_corners=False, no antialias)', () => {
  it('2×2 → 4×4 matches PyTorch', () => {
    const out = resizeBilinear(new Float32Array([1, 2, 3, 4]), 1, 2, 2, 1, 4, 4);
    expect(rows(out, 4)).toEqual([
      [1, 1.25, 1.75, 2],
      [1.5, 1.75, 2.25, 2.5],
      [2.5, 2.75, 3.25, 3.5],
      [3, 3.25, 3.75, 4],
    ]);
  });

  it('4×4 → 2×2 averages the two middle neighbours (no antialias)', () => {
    const input = Float32Array.from({ length: 16 }, (_, k) => k);
    expect(rows(resizeBilinear(input, 1, 4, 4, 1, 2, 2), 2)).toEqual([
      [2.5, 4.5],
      [10.5, 12.5],
    ]);
  });

  it('1×3 → 1×2 and channels stay separate; uint8 input works', () => {
    const out = resizeBilinear(new Uint8Array([0, 100, 10, 110, 20, 120]), 1, 1, 3, 2, 1, 2);
    expect(Array.from(out)).toEqual([2.5, 102.5, 17.5, 117.5]);
  });

  it('crops a box, flips and normalises in the same pass', () => {
    // 3×4 frame, values 0…11; box rows 1–2, columns 1–3 → [[5,6,7],[9,10,11]], flipped → [[7,6,5],[11,10,9]].
    const input = Float32Array.from({ length: 12 }, (_, k) => k);
    const out = new Float32Array(8);
    const written = resampleFrames(
      input, 1, 3, 4, 1,
      { box: { top: 1, left: 1, height: 2, width: 3 }, outHeight: 2, outWidth: 3, flip: true, subtract: [1], divide: [2] },
      out, 2,
    );
    expect(written).toBe(6);
    expect(Array.from(out)).toEqual([0, 0, 3, 2.5, 2, 5, 4.5, 4]);
  });

  it('rejects a box outside the frame, naming it', () => {
    expect(() => resampleFrames(new Uint8Array(12), 1, 2, 2, 3, { box: { top: 1, left: 0, height: 2, width: 2 }, outHeight: 2, outWidth: 2 }, new Float32Array(12))).toThrow(
      /box: expected a box inside the 2x2 frame/,
    );
  });
});

describe('random resized crop (spec §10)', () => {
  it('follows the formula: area, log-ratio, Python rounding, then top and left', () => {
    const { rng, ranges } = scripted([0.5, 0.25], [3, 17]);
    // target 0.65·10000, aspect exp(log .75 + .25·log(1.35/.75)) = 0.8687 → w 75, h 87
    expect(sampleResizedCrop(100, 100, rng)).toEqual({ top: 3, left: 17, height: 87, width: 75 });
    expect(ranges).toEqual([[0, 13], [0, 25]]);
  });

  it('retries when the box does not fit (w 55 ≤ 60 but h 41 > 40)', () => {
    const { rng, ranges } = scripted([0.9, 0.99, 0.2, 0.75], [0, 25]);
    expect(sampleResizedCrop(40, 60, rng)).toEqual({ top: 0, left: 25, height: 30, width: 35 });
    expect(ranges).toEqual([[0, 10], [0, 25]]);
  });

  it('falls back to a centre crop clamped to the ratio range after 10 failures', () => {
    const never = { scale: [2, 2] as const };
    expect(sampleResizedCrop(100, 200, new RandomStream(0), never)).toEqual({ top: 0, left: 32, height: 100, width: 135 });
    expect(sampleResizedCrop(200, 100, new RandomStream(0), never)).toEqual({ top: 33, left: 0, height: 133, width: 100 });
    expect(sampleResizedCrop(50, 50, new RandomStream(0), never)).toEqual({ top: 0, left: 0, height: 50, width: 50 });
    expect(centreRatioCrop(100, 200, [0.75, 1.35])).toEqual({ top: 0, left: 32, height: 100, width: 135 });
  });

  it('keeps area and ratio inside their ranges over many draws', () => {
    const rng = new RandomStream(11);
    for (let k = 0; k < 500; k++) {
      const box = sampleResizedCrop(224, 300, rng);
      expect(box.top + box.height).toBeLessThanOrEqual(224);
      expect(box.left + box.width).toBeLessThanOrEqual(300);
      const area = (box.height * box.width) / (224 * 300);
      expect(area).toBeGreaterThan(0.28);
      expect(area).toBeLessThanOrEqual(1);
      expect(box.width / box.height).toBeGreaterThan(0.73);
      expect(box.width / box.height).toBeLessThan(1.38);
    }
  });

  it('rounds half to even like Python 3', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.49, 2.51].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3]);
    expect(centreCrop(9, 10, { height: 4, width: 5 })).toEqual({ top: 2, left: 2, height: 4, width: 5 }); // round(2.5) = 2
  });
});

function clipOf(frames: number[][][][], name = 'test'): Clip {
  const numFrames = frames.length;
  const height = frames[0].length;
  const width = frames[0][0].length;
  return { frames: Uint8Array.from(frames.flat(3)), numFrames, height, width, labels: {}, name };
}

const normalised = (value: number, channel: number) => (value - 255 * IMAGENET_MEAN[channel]) / (255 * IMAGENET_STD[channel]);

describe('pretrainingTransform', () => {
  it('applies one flip to every frame and normalises with (x − 255·mean) / (255·std)', () => {
    // Two 1×2 frames; scale and ratio pinned to the whole frame so only the flip is random.
    const clip = clipOf([[[[10, 20, 30], [200, 210, 220]]], [[[0, 0, 0], [255, 255, 255]]]]);
    const transform = pretrainingTransform({ cropSize: [1, 2], scale: [1, 1], ratio: [2, 2] });
    const { rng } = scripted([0, 0, 0.3], [0, 0]); // area, ratio, flip draw 0.3 < 0.5 → flip
    const out = new Float32Array(12);
    const record = transform.apply(clip, rng, out, 0);
    expect(record).toEqual({ crop: { top: 0, left: 0, height: 1, width: 2 }, flipped: true });
    const expected = [[200, 210, 220], [10, 20, 30], [255, 255, 255], [0, 0, 0]].flatMap((pixel) => pixel.map(normalised));
    Array.from(out).forEach((value, k) => expect(value).toBeCloseTo(expected[k], 5));
    expect(out[0]).toBeCloseTo((200 - 123.675) / 58.395, 5);
  });

  it('does not flip for a draw ≥ 0.5, and uses the same crop for all frames', () => {
    const frame = Array.from({ length: 6 }, (_, y) => Array.from({ length: 6 }, (_, x) => [x * 40, y * 40, (x + y) * 20]));
    const clip = clipOf([frame, frame, frame]);
    const out = new Float32Array(3 * 4 * 4 * 3);
    const record = pretrainingTransform({ cropSize: 4 }).apply(clip, new RandomStream(2), out, 0);
    const size = 4 * 4 * 3;
    expect(Array.from(out.subarray(size, 2 * size))).toEqual(Array.from(out.subarray(0, size)));
    expect(Array.from(out.subarray(2 * size))).toEqual(Array.from(out.subarray(0, size)));
    const { rng } = scripted([0, 0, 0.5], [0, 0]);
    expect(pretrainingTransform({ cropSize: 6, scale: [1, 1], ratio: [1, 1] }).apply(clip, rng, new Float32Array(3 * 6 * 6 * 3), 0).flipped).toBe(false);
    expect(record.crop.height).toBeGreaterThan(0);
  });

  it('flips about half the clips', () => {
    const clip = clipOf([[[[1, 2, 3], [4, 5, 6]]]]);
    const transform = pretrainingTransform({ cropSize: [1, 2] });
    const rng = new RandomStream(9);
    let flips = 0;
    for (let k = 0; k < 400; k++) flips += transform.apply(clip, rng, new Float32Array(6), 0).flipped ? 1 : 0;
    expect(flips).toBeGreaterThan(160);
    expect(flips).toBeLessThan(240);
  });

  it('checks the clip bytes against its declared size', () => {
    const bad = { ...clipOf([[[[1, 2, 3]]]]), numFrames: 2 };
    expect(() => pretrainingTransform().apply(bad, new RandomStream(0), new Float32Array(2 * 224 * 224 * 3), 0)).toThrow(/clip test: frames: expected a Uint8Array of 2·1·1·3 = 6 bytes/);
  });
});

describe('evalTransform and normalizeTransform', () => {
  it('resizes the shorter side, then takes the centre crop (spec §11.5)', () => {
    // 8×16 frames with crop 4 and ratio 2: shorter side 8 (no resize), centre window rows 2–5, columns 6–9.
    const frame = Array.from({ length: 8 }, (_, y) => Array.from({ length: 16 }, (_, x) => [y * 16 + x, x, y]));
    const clip = clipOf([frame]);
    const transform = evalTransform({ cropSize: 4, resizeRatio: 2, mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] });
    expect(transform.outputShape(1, 8, 16)).toEqual([1, 4, 4, 3]);
    const out = new Float32Array(48);
    transform.apply(clip, new RandomStream(0), out, 0);
    const expected = [2, 3, 4, 5].flatMap((y) => [6, 7, 8, 9].flatMap((x) => [y * 16 + x, x, y]));
    Array.from(out).forEach((value, k) => expect(value).toBeCloseTo(expected[k], 4));
  });

  it('normalizeTransform keeps the size and only normalises', () => {
    const clip = clipOf([[[[0, 128, 255]]]]);
    const out = new Float32Array(3);
    normalizeTransform().apply(clip, new RandomStream(0), out, 0);
    expect(Array.from(out)).toEqual([0, 128, 255].map((v, c) => Math.fround(normalised(v, c))));
  });
});

describe('multiViewTransform (official 3-view test crops)', () => {
  it('resizes the shorter side to the crop and slides the crop along the longer side: offsets 0, half, end', () => {
    // one frame 4 × 8 (landscape), red channel = column index · 10, so each view's first column tells its offset
    const frames = new Uint8Array(4 * 8 * 3);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) frames[(y * 8 + x) * 3] = x * 10;
    const clip = { frames, numFrames: 1, height: 4, width: 8, labels: {}, name: 'bars' };
    const firstRed = (view: number) => {
      const transform = multiViewTransform(view, 3, { cropSize: 4, mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] });
      expect(transform.outputShape(1, 4, 8)).toEqual([1, 4, 4, 3]);
      const out = new Float32Array(4 * 4 * 3);
      transform.apply(clip, new RandomStream(0), out, 0);
      return [out[0], out[3 * 3]]; // red of columns 0 and 3 of the view
    };
    expect(firstRed(0)).toEqual([0, 30]);
    expect(firstRed(1)).toEqual([20, 50]);
    expect(firstRed(2)).toEqual([40, 70]);
    expect(() => multiViewTransform(3, 3)).toThrow(/view: expected an integer in \[0, 3\), received 3/);
  });
});
