import { RandomStream } from '@vjepa/core';
import { describe, expect, it } from 'vitest';
import { mirrorDirection, renderSyntheticItem, syntheticLabels, syntheticSource } from './synthetic';
import { SYNTHETIC_DIRECTIONS, SYNTHETIC_SHAPES, SYNTHETIC_VARIANTS, syntheticVariant } from './synthetic-variants';

const DEFAULT = syntheticVariant('synthetic');

/** Circular mean of the mask along one axis, in pixels (the object wraps around the frame). */
function circularCentroid(mask: Float32Array, offset: number, height: number, width: number): [number, number] {
  let sx = 0, cx = 0, sy = 0, cy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const m = mask[offset + y * width + x];
      sx += m * Math.sin((2 * Math.PI * x) / width);
      cx += m * Math.cos((2 * Math.PI * x) / width);
      sy += m * Math.sin((2 * Math.PI * y) / height);
      cy += m * Math.cos((2 * Math.PI * y) / height);
    }
  }
  return [(Math.atan2(sx, cx) * width) / (2 * Math.PI), (Math.atan2(sy, cy) * height) / (2 * Math.PI)];
}

const wrap = (delta: number, period: number) => delta - period * Math.round(delta / period);

describe('synthetic variants', () => {
  it('names the built-in sets and their sizes', () => {
    expect(Object.keys(SYNTHETIC_VARIANTS)).toEqual(['shapes', 'shapes-easy', 'shapes-hard', 'motion-flat', 'motion-noise', 'motion-static', 'mnist', 'tiny']);
    expect([DEFAULT.name, DEFAULT.numFrames, DEFAULT.height, DEFAULT.width]).toEqual(['shapes', 16, 64, 64]);
    expect(syntheticVariant('synthetic:tiny')).toMatchObject({ numFrames: 8, height: 32, width: 32 });
    expect(syntheticVariant('shapes-hard').name).toBe('shapes-hard');
    const big = syntheticVariant('synthetic', { height: 128, width: 128 });
    expect(big.speeds).toEqual([2, 3, 4, 5]); // speeds scale with the frame side
    expect(() => syntheticVariant('synthetic:nope')).toThrow(/name: expected one of synthetic, synthetic:shapes, synthetic:shapes-easy, synthetic:shapes-hard, synthetic:motion-flat, synthetic:motion-noise, synthetic:motion-static, synthetic:mnist, synthetic:tiny, received "synthetic:nope"/);
  });

  it('has four shapes and eight directions, mirrored left-right by k → 4 − k', () => {
    expect(SYNTHETIC_SHAPES).toEqual(['square', 'circle', 'triangle', 'cross']);
    expect(SYNTHETIC_DIRECTIONS.map((_, k) => SYNTHETIC_DIRECTIONS[mirrorDirection(k)])).toEqual([
      'west', 'north-west', 'north', 'north-east', 'east', 'south-east', 'south', 'south-west',
    ]);
  });
});

describe('synthetic items', () => {
  it('are a pure function of (variant, seed, index)', () => {
    const a = renderSyntheticItem(DEFAULT, 5, 17);
    const b = renderSyntheticItem(DEFAULT, 5, 17);
    expect(a.frames.length).toBe(16 * 64 * 64 * 3);
    expect(Buffer.from(a.frames).equals(Buffer.from(b.frames))).toBe(true);
    expect(a.labels).toEqual(b.labels);
    const otherSeed = renderSyntheticItem(DEFAULT, 6, 17);
    const otherIndex = renderSyntheticItem(DEFAULT, 5, 18);
    expect(Buffer.from(a.frames).equals(Buffer.from(otherSeed.frames))).toBe(false);
    expect(Buffer.from(a.frames).equals(Buffer.from(otherIndex.frames))).toBe(false);
  });

  it('balance the labels: every block of 32 holds each shape × direction once', () => {
    const root = new RandomStream(3).fork('synthetic:shapes');
    const counts = new Map<string, number>();
    for (let index = 0; index < 320; index++) {
      const { shape, direction } = syntheticLabels(root, index);
      counts.set(`${shape},${direction}`, (counts.get(`${shape},${direction}`) ?? 0) + 1);
    }
    expect(counts.size).toBe(32);
    expect([...counts.values()].every((count) => count === 10)).toBe(true);
    const firstBlock = Array.from({ length: 32 }, (_, index) => syntheticLabels(root, index).shape);
    expect(firstBlock).not.toEqual(Array.from({ length: 32 }, (_, index) => index % 4)); // shuffled, not periodic
  });

  it.each(['synthetic', 'synthetic:shapes-easy', 'synthetic:shapes-hard', 'synthetic:tiny', 'synthetic:motion-flat', 'synthetic:motion-noise', 'synthetic:motion-static'])(
    '%s: the object mask moves smoothly in the labelled direction at the labelled speed',
    (name) => {
      const variant = syntheticVariant(name);
      for (let index = 0; index < 24; index++) {
        const item = renderSyntheticItem(variant, 1, index, { mask: true });
        const { numFrames: T, height: H, width: W } = item;
        const mask = item.mask as Float32Array;
        const angle = (item.labels.direction * Math.PI) / 4;
        const speed = variant.speeds[item.labels.speed];
        let previous = circularCentroid(mask, 0, H, W);
        let [dx, dy] = [0, 0];
        for (let t = 1; t < T; t++) {
          const current = circularCentroid(mask, t * H * W, H, W);
          const stepX = wrap(current[0] - previous[0], W);
          const stepY = wrap(current[1] - previous[1], H);
          expect(Math.hypot(stepX, stepY)).toBeCloseTo(speed, 0); // each frame moves about `speed` pixels
          [dx, dy, previous] = [dx + stepX, dy + stepY, current];
        }
        // Image rows grow downwards, so north (direction 2) is −y.
        const measured = Math.atan2(-dy, dx);
        expect(Math.abs(wrap(measured - angle, 2 * Math.PI))).toBeLessThan((3 * Math.PI) / 180);
        expect(Math.hypot(dx, dy)).toBeCloseTo(speed * (T - 1), 0);
        expect(Math.hypot(item.motion.vx, item.motion.vy)).toBeCloseTo(speed, 9);
      }
    },
  );

  it('cannot be classified from mean colour or a single pixel (nearest class mean ≈ chance)', () => {
    const features = (index: number) => {
      const { frames, labels } = renderSyntheticItem(DEFAULT, 2, index);
      const mean = [0, 0, 0];
      for (let k = 0; k < frames.length; k++) mean[k % 3] += frames[k] / (frames.length / 3);
      const centre = ((8 * 64 + 32) * 64 + 32) * 3; // frame 8, pixel (32, 32)
      return { mean, pixel: [frames[centre], frames[centre + 1], frames[centre + 2]], labels };
    };
    const items = Array.from({ length: 448 }, (_, index) => features(index));
    const train = items.slice(0, 224);
    const test = items.slice(224);
    for (const feature of ['mean', 'pixel'] as const) {
      for (const [label, classes] of [['shape', 4], ['direction', 8]] as const) {
        const centroids = Array.from({ length: classes }, (_, c) => {
          const members = train.filter((item) => item.labels[label] === c);
          return [0, 1, 2].map((k) => members.reduce((sum, item) => sum + item[feature][k], 0) / members.length);
        });
        const correct = test.filter((item) => {
          const distances = centroids.map((centroid) => centroid.reduce((sum, value, k) => sum + (value - item[feature][k]) ** 2, 0));
          return distances.indexOf(Math.min(...distances)) === item.labels[label];
        }).length;
        expect(correct / test.length, `${feature} → ${label}`).toBeLessThan(1.7 / classes);
      }
    }
  });

  it('show textured objects over a textured background (not flat colours)', () => {
    const item = renderSyntheticItem(syntheticVariant('synthetic:shapes-easy'), 0, 3, { mask: true });
    const mask = item.mask as Float32Array;
    const inside: number[] = [];
    const outside: number[] = [];
    for (let p = 0; p < 64 * 64; p++) (mask[p] === 1 ? inside : mask[p] === 0 ? outside : []).push(item.frames[p * 3]);
    const spread = (values: number[]) => Math.max(...values) - Math.min(...values);
    expect(inside.length).toBeGreaterThan(100);
    expect(spread(inside)).toBeGreaterThan(10);
    expect(spread(outside)).toBeGreaterThan(10);
  });
});

describe('syntheticSource', () => {
  it('serves clips with labels, ignoring the stream, and mirrors direction labels', async () => {
    const source = syntheticSource('synthetic:tiny', { seed: 4, size: 40 });
    expect(source.size).toBe(40);
    expect(source.description).toBe('synthetic:tiny (40 clips of 8×32×32, seed 4)');
    const a = await source.get(7, new RandomStream(0));
    const b = await source.get(7, new RandomStream(99));
    expect(a).toEqual(b);
    expect(a).toMatchObject({ numFrames: 8, height: 32, width: 32, name: 'synthetic:tiny#7' });
    expect(Object.keys(a?.labels ?? {})).toEqual(['shape', 'direction', 'speed']);
    expect(source.mirrorLabels?.({ shape: 2, direction: 1, speed: 0 })).toEqual({ shape: 2, direction: 3, speed: 0 });
    await expect(source.get(40, new RandomStream(0))).rejects.toThrow(/index: expected an integer in \[0, 39\], received 40/);
  });
});
