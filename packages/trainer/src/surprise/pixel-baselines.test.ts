import { describe, expect, it } from 'vitest';
import type { Clip } from '@vjepa/data';
import { constantVelocityScores, foregroundTrack, frameDifferenceScores } from './pixel-baselines';

const [T, H, W] = [8, 24, 24];

/** A 4 × 4 white square on black, its top-left corner at `corner(t)` (or no square when null). */
function squareClip(corner: (t: number) => [number, number] | null): Clip {
  const frames = new Uint8Array(T * H * W * 3);
  for (let t = 0; t < T; t++) {
    const at = corner(t);
    if (at === null) continue;
    for (let y = at[1]; y < at[1] + 4; y++) for (let x = at[0]; x < at[0] + 4; x++) frames.fill(255, ((t * H + y) * W + x) * 3, ((t * H + y) * W + x) * 3 + 3);
  }
  return { frames, numFrames: T, height: H, width: W, labels: {}, name: 'square' };
}

const steady = squareClip((t) => [2 + 2 * t, 10]);
const teleport = squareClip((t) => (t < 4 ? [2 + 2 * t, 10] : [2 + 2 * t, 2]));
const reversal = squareClip((t) => (t < 4 ? [2 + 2 * t, 10] : [2 + 2 * (6 - t), 10]));
const vanish = squareClip((t) => (t < 4 ? [2 + 2 * t, 10] : null));

describe('the pixel baselines', () => {
  it('frame difference: 2 px steps change 2 · 4 · 2 pixels a frame; the teleport changes 2 · 16', () => {
    const pixel = 1 / (H * W); // one pixel, all three channels, fully changed: 3 · 255 / (3 · 255 · H · W)
    expect(frameDifferenceScores(steady).steps).toEqual(Array(T - 1).fill(16 * pixel));
    const jumped = frameDifferenceScores(teleport);
    expect(jumped.steps[3]).toBeCloseTo(32 * pixel, 12); // frame 4: the old square gone, the new one there
    expect(jumped.max).toBeGreaterThan(frameDifferenceScores(steady).max);
    expect(jumped.steps.filter((_, k) => k !== 3).every((v) => v === 16 * pixel)).toBe(true);
  });

  it('the tracker follows the square’s centre', () => {
    const track = foregroundTrack(steady);
    track.forEach((point, t) => {
      expect(point.x).toBeCloseTo(3.5 + 2 * t, 6);
      expect(point.y).toBeCloseTo(11.5, 6);
    });
  });

  it('constant velocity: no error on steady motion, 2|v| at a reversal, the jump at a teleport, the diagonal when lost', () => {
    expect(constantVelocityScores(steady).max).toBeCloseTo(0, 6);
    const reversed = constantVelocityScores(reversal).steps; // entry k is frame k + 2
    // corners 6, 8 at frames 2, 3 predict 10 at frame 4; it is back at 6. Frame 5 goes on at the new velocity.
    expect(reversed[2]).toBeCloseTo(4, 6);
    expect([reversed[0], reversed[1], reversed[3], reversed[4]].every((v) => Math.abs(v) < 1e-6)).toBe(true);
    const jumped = constantVelocityScores(teleport).steps;
    expect(jumped[2]).toBeCloseTo(8, 6); // frame 4: 8 px up from where it was headed
    expect(constantVelocityScores(vanish).steps[2]).toBeCloseTo(Math.hypot(H, W), 6);
  });
});
