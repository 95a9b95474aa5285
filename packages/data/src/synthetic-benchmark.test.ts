import { describe, expect, it } from 'vitest';
import { RandomStream } from '@vjepa/core';
import { renderSyntheticItem, syntheticSource } from './synthetic';
import { MNIST_TRAIN_FRACTION, mnistImage, mnistSplitRange } from './synthetic-mnist';
import { planSyntheticItem } from './synthetic-plan';
import { SYNTHETIC_DIRECTIONS, syntheticVariant } from './synthetic-variants';

const PATCH = 16;
const MOTION = ['synthetic:motion-flat', 'synthetic:motion-noise', 'synthetic:motion-static'] as const;

/** Per-pixel temporal std of channel 0 over a clip `(T, H, W, 3)`. */
function temporalStd(frames: Uint8Array, T: number, pixels: number): Float64Array {
  const std = new Float64Array(pixels);
  for (let p = 0; p < pixels; p++) {
    let sum = 0;
    let square = 0;
    for (let t = 0; t < T; t++) {
      const v = frames[(t * pixels + p) * 3];
      sum += v;
      square += v * v;
    }
    std[p] = Math.sqrt(Math.max(0, square / T - (sum / T) ** 2));
  }
  return std;
}

/** Plain centroid of a mask plane (the MNIST digit never wraps). */
function centroid(mask: Float32Array, offset: number, height: number, width: number): [number, number, number] {
  let m = 0, sx = 0, sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = mask[offset + y * width + x];
      m += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return [sx / m, sy / m, m];
}

describe('the motion benchmark (motion-flat, motion-noise, motion-static)', () => {
  it('objects are 10–15 px in radius (1–2 patches across at 64 px) and travel ≥ 2 patches per clip, with one distractor', () => {
    for (const name of MOTION) {
      const variant = syntheticVariant(name);
      expect([variant.numFrames, variant.height, variant.width]).toEqual([16, 64, 64]);
      expect(variant.objectSize.map((f) => f * 64)).toEqual([10, 15]);
      expect(Math.min(...variant.speeds) * (variant.numFrames - 1)).toBeGreaterThanOrEqual(2 * PATCH);
      expect(variant.distractors).toEqual([1, 1]);
      for (let index = 0; index < 16; index++) {
        const plan = planSyntheticItem(variant, new RandomStream(index), index % 4, index % 8, variant.speeds[0]);
        expect(plan.object.radius).toBeGreaterThanOrEqual(10);
        expect(plan.object.radius).toBeLessThanOrEqual(15);
        expect(plan.distractors).toHaveLength(1);
      }
    }
  });

  it('the three backgrounds show the same objects moving the same ways, balanced over 8 directions', () => {
    const [flat, noise, still] = MOTION.map((name) => syntheticVariant(name));
    const counts = new Array(8).fill(0);
    for (let index = 0; index < 64; index++) {
      const items = [flat, noise, still].map((variant) => renderSyntheticItem(variant, 7, index, { mask: true }));
      expect(items[1].labels).toEqual(items[0].labels);
      expect(items[2].labels).toEqual(items[0].labels);
      expect(items[1].motion).toEqual(items[0].motion);
      expect(items[2].motion).toEqual(items[0].motion);
      expect(Buffer.from(items[1].mask!.buffer).equals(Buffer.from(items[0].mask!.buffer))).toBe(true);
      counts[items[0].labels.direction]++;
    }
    expect(SYNTHETIC_DIRECTIONS).toHaveLength(8);
    expect(counts).toEqual(new Array(8).fill(8)); // every block of 32 holds each direction 4 times
  });

  it('flat is one still colour, static a still texture, noise changes every pixel every frame', () => {
    const pixels = 64 * 64;
    const stats = MOTION.map((name) => {
      const item = renderSyntheticItem(syntheticVariant(name), 3, 5, { mask: true });
      const std = temporalStd(item.frames, 16, pixels);
      const stillPixels: number[] = [];
      for (let p = 0; p < pixels; p++) if (std[p] < 4) stillPixels.push(p);
      let variance = 0; // summed over R, G, B: the colour spread of the still part of frame 0
      for (let c = 0; c < 3; c++) {
        const values = stillPixels.map((p) => item.frames[p * 3 + c]);
        const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
        variance += values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length);
      }
      return { stillFraction: stillPixels.length / pixels, spread: Math.sqrt(variance) };
    });
    const [flat, noise, still] = stats;
    expect(flat.stillFraction).toBeGreaterThan(0.3); // what the moving objects never cover
    expect(still.stillFraction).toBeGreaterThan(0.3);
    expect(noise.stillFraction).toBeLessThan(0.02);
    expect(flat.spread).toBeLessThan(5); // one colour (± the 4-level jitter)
    expect(still.spread).toBeGreaterThan(10); // a texture
  });
});

describe('Moving MNIST (synthetic:mnist)', () => {
  const variant = syntheticVariant('synthetic:mnist');

  it('splits every class of the 10,000 digits 80 / 20 into disjoint train and val images', () => {
    let total = 0;
    for (let digit = 0; digit < 10; digit++) {
      const [trainStart, trainEnd] = mnistSplitRange(digit, 'train');
      const [valStart, valEnd] = mnistSplitRange(digit, 'val');
      expect(trainStart).toBe(0);
      expect(valStart).toBe(trainEnd);
      expect(trainEnd).toBe(Math.floor(MNIST_TRAIN_FRACTION * valEnd));
      total += valEnd;
    }
    expect(total).toBe(10000);
    const image = mnistImage(3, 0);
    expect(image).toHaveLength(784);
    expect(Math.min(...image)).toBe(0);
    expect(Math.max(...image)).toBeLessThanOrEqual(1);
    expect(image.filter((v) => v > 0.5).length).toBeGreaterThan(40); // a stroke, not an empty image
    expect(() => mnistSplitRange(10, 'train')).toThrow(/digit: expected an integer in \[0, 9\], received 10/);
  });

  it('train and val clips never share a digit image; items are a pure function of (seed, index, split)', () => {
    const used = (split: 'train' | 'val', seed: number) => {
      const keys = new Set<string>();
      for (let index = 0; index < 120; index++) {
        const item = renderSyntheticItem(variant, seed, index, { split });
        for (const { digit, image } of item.images!) {
          const [start, end] = mnistSplitRange(digit, split);
          expect(image).toBeGreaterThanOrEqual(start);
          expect(image).toBeLessThan(end);
          keys.add(`${digit}/${image}`);
        }
      }
      return keys;
    };
    const train = used('train', 1000);
    const val = used('val', 2000);
    expect([...train].filter((key) => val.has(key))).toEqual([]);
    const a = renderSyntheticItem(variant, 5, 9);
    const b = renderSyntheticItem(variant, 5, 9);
    expect(Buffer.from(a.frames).equals(Buffer.from(b.frames))).toBe(true);
    expect(Buffer.from(renderSyntheticItem(variant, 6, 9).frames).equals(Buffer.from(a.frames))).toBe(false);
    expect(Buffer.from(renderSyntheticItem(variant, 5, 9, { split: 'val' }).frames).equals(Buffer.from(a.frames))).toBe(false);
  });

  it('balances digit × direction over 80 items; the labelled digit moves straight at its speed and stays inside', () => {
    const counts = new Map<string, number>();
    for (let index = 0; index < 80; index++) {
      const item = renderSyntheticItem(variant, 2, index, { mask: true });
      const { digit, direction, speed } = item.labels;
      counts.set(`${digit},${direction}`, (counts.get(`${digit},${direction}`) ?? 0) + 1);
      if (index % 4 !== 0) continue;
      const mask = item.mask!;
      const pixels = 64 * 64;
      const start = centroid(mask, 0, 64, 64);
      const end = centroid(mask, 15 * pixels, 64, 64);
      expect(end[2]).toBeCloseTo(start[2], -1); // the whole digit is still in the frame
      const [dx, dy] = [end[0] - start[0], end[1] - start[1]];
      const angle = (direction * Math.PI) / 4;
      expect(dx).toBeCloseTo(variant.speeds[speed] * 15 * Math.cos(angle), 0);
      expect(-dy).toBeCloseTo(variant.speeds[speed] * 15 * Math.sin(angle), 0);
      expect(item.frames.length).toBe(16 * pixels * 3);
      // grey: the three channels are equal
      for (let p = 0; p < pixels; p += 97) expect(item.frames[p * 3 + 1]).toBe(item.frames[p * 3]);
    }
    expect(counts.size).toBe(80);
    expect(Math.min(...variant.speeds) * 15).toBeGreaterThanOrEqual(30);
  });

  it('refuses clip sizes in which the labelled digit would have to bounce', () => {
    expect(() => syntheticVariant('synthetic:mnist', { numFrames: 32 })).toThrow(/numFrames, height, width: expected a frame at least 28 \+ 69\.75 px/);
    expect(syntheticVariant('synthetic:mnist', { numFrames: 8 }).numFrames).toBe(8);
  });

  it('a source serves { digit, direction, speed } and names the split', async () => {
    const source = syntheticSource('synthetic:mnist', { seed: 1, size: 8, split: 'val' });
    expect(source.description).toBe('synthetic:mnist (8 clips of 16×64×64, seed 1, val digits)');
    const clip = await source.get(0, new RandomStream(0));
    expect(Object.keys(clip!.labels)).toEqual(['digit', 'direction', 'speed']);
    expect(() => syntheticSource('synthetic:mnist', { split: 'test' as never })).toThrow(/split: expected 'train' or 'val', received "test"/);
  });
});
