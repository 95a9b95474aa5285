import { describe, expect, it } from 'vitest';
import { renderVoePair, voePairSource, voeSpec, VOE_SETS, type VoePair } from './synthetic-voe';

const SMALL = { numFrames: 8, height: 32, width: 32 } as const;
const frameBytes = (pair: VoePair) => pair.possible.height * pair.possible.width * 3;
const frame = (frames: Uint8Array, t: number, size: number) => frames.subarray(t * size, (t + 1) * size);
const plane = (mask: Float32Array, t: number, pixels: number) => mask.subarray(t * pixels, (t + 1) * pixels);
const sum = (values: Float32Array) => values.reduce((a, b) => a + b, 0);
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (v: number, k: number) => v === b[k]);

/** Twins: the same bytes on every frame before the event, different bytes on every frame from it on. */
function expectTwins(pair: VoePair): void {
  const size = frameBytes(pair);
  for (let t = 0; t < pair.possible.numFrames; t++) {
    const equal = same(frame(pair.possible.frames, t, size), frame(pair.impossible.frames, t, size));
    expect(equal, `frame ${t} of ${pair.name}`).toBe(t < pair.eventFrame);
  }
}

/** Everything the object covers in neither twin is the same bytes: the only difference is the object. */
function expectOnlyTheObjectDiffers(pair: VoePair): void {
  const { possible, impossible } = pair.masks!;
  const pixels = pair.possible.height * pair.possible.width;
  for (let p = 0; p < possible.length; p++) {
    if (possible[p] > 0 || impossible[p] > 0) continue;
    const t = Math.floor(p / pixels);
    const o = (t * pixels + (p % pixels)) * 3;
    for (let c = 0; c < 3; c++) expect(pair.impossible.frames[o + c]).toBe(pair.possible.frames[o + c]);
  }
}

/** Reversal: impossible frame e + k shows the object where the possible one was at frame e − 2 − k (it turns at e − 1). */
function expectRetraced(pair: VoePair, frames: number): void {
  const pixels = pair.possible.height * pair.possible.width;
  const { possible, impossible } = pair.masks!;
  const e = pair.eventFrame;
  for (let k = 0; k < frames; k++) expect(same(plane(impossible, e + k, pixels), plane(possible, e - 2 - k, pixels)), `frame ${e + k}`).toBe(true);
}

describe('synthetic:voe-<event> over noise', () => {
  it('names the events and scenes, and rejects others', () => {
    expect(voeSpec('synthetic:voe-reversal')).toEqual({ event: 'reversal', scene: 'noise' });
    expect(voeSpec('voe-shape-mnist')).toEqual({ event: 'shape', scene: 'mnist' });
    expect(VOE_SETS).toHaveLength(8);
    expect(() => voeSpec('synthetic:voe-bounce')).toThrow(/synthetic:voe-reversal.*received "synthetic:voe-bounce"/);
  });

  it('reversal: after the event the object retraces its path at the same speed', () => {
    const pair = renderVoePair('synthetic:voe-reversal', 3, { ...SMALL, seed: 1, masks: true });
    expect(pair.eventFrame).toBe(4);
    expectTwins(pair);
    expectOnlyTheObjectDiffers(pair);
    expectRetraced(pair, 3);
  });

  it('teleport: from the event on the object is shifted by half the frame on both axes', () => {
    const pair = renderVoePair('synthetic:voe-teleport', 5, { ...SMALL, masks: true });
    expectTwins(pair);
    expectOnlyTheObjectDiffers(pair);
    const { possible, impossible } = pair.masks!;
    for (let t = 4; t < 8; t++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          const shifted = t * 1024 + ((y + 16) % 32) * 32 + ((x + 16) % 32);
          expect(impossible[shifted]).toBeCloseTo(possible[t * 1024 + y * 32 + x], 5);
        }
      }
    }
  });

  it('disappear: the object is gone from the event on, and only there', () => {
    const pair = renderVoePair('synthetic:voe-disappear', 2, { ...SMALL, masks: true });
    expectTwins(pair);
    expectOnlyTheObjectDiffers(pair);
    for (let t = 0; t < 8; t++) {
      expect(sum(plane(pair.masks!.possible, t, 1024))).toBeGreaterThan(20);
      expect(sum(plane(pair.masks!.impossible, t, 1024)) > 0).toBe(t < 4);
    }
  });

  it('shape: another shape of about the same area in the same place', () => {
    const pair = renderVoePair('synthetic:voe-shape', 7, { ...SMALL, masks: true });
    expectTwins(pair);
    expectOnlyTheObjectDiffers(pair);
    for (let t = 4; t < 8; t++) {
      const a = plane(pair.masks!.possible, t, 1024);
      const b = plane(pair.masks!.impossible, t, 1024);
      expect(same(a, b)).toBe(false);
      expect(sum(b) / sum(a)).toBeGreaterThan(0.8);
      expect(sum(b) / sum(a)).toBeLessThan(1.25);
    }
  });

  it('is deterministic by seed, and seeds differ', () => {
    const a = renderVoePair('synthetic:voe-teleport', 1, { ...SMALL, seed: 4 });
    const b = voePairSource('synthetic:voe-teleport', { ...SMALL, seed: 4, size: 2 }).get(1);
    const c = renderVoePair('synthetic:voe-teleport', 1, { ...SMALL, seed: 5 });
    expect(same(a.impossible.frames, b.impossible.frames)).toBe(true);
    expect(same(a.possible.frames, c.possible.frames)).toBe(false);
    expect(() => voePairSource('synthetic:voe-teleport', { size: 0 })).toThrow(/size/);
    expect(() => renderVoePair('synthetic:voe-teleport', 0, { sizes: 1 } as never)).toThrow(/sizes/);
  });
});

describe('synthetic:voe-<event>-mnist', () => {
  it('reversal and shape change of the labelled digit, twins equal before the event', () => {
    const reversal = renderVoePair('synthetic:voe-reversal-mnist', 0, { masks: true });
    expect(reversal.eventFrame).toBe(8);
    expectTwins(reversal);
    expectOnlyTheObjectDiffers(reversal);
    expectRetraced(reversal, 4);
    const pixels = 64 * 64;
    const shape = renderVoePair('synthetic:voe-shape-mnist', 0, { masks: true });
    expectTwins(shape);
    expectOnlyTheObjectDiffers(shape);
    expect(same(shape.possible.frames.subarray(0, 8 * pixels * 3), reversal.possible.frames.subarray(0, 8 * pixels * 3))).toBe(true);
  });
});
