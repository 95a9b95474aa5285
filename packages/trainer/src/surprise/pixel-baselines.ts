/**
 * Two surprise detectors that look only at pixels and learn nothing, the floor a predictor must clear:
 * a frame-difference detector (how much the picture changes from one frame to the next) and a
 * constant-velocity tracker (how far the moving mass lands from where its last velocity would take it).
 * Both score frames, read like {@link ClipSurprise} (per-frame scores, max and mean).
 *
 * @packageDocumentation
 */
import { fail } from '@vjepa/core';
import type { Clip } from '@vjepa/data';
import { clipSurprise, type ClipSurprise } from './scores';

function checkClip(clip: Clip, minFrames: number): void {
  const { numFrames: T, height: H, width: W, frames } = clip;
  if (!(frames instanceof Uint8Array) || frames.length !== T * H * W * 3) fail('clip.frames', `${T}·${H}·${W}·3 RGB bytes`, frames?.length);
  if (T < minFrames) fail('clip.numFrames', `at least ${minFrames} frames`, T);
}

/** Frame difference: for frames t = 1 … T − 1, the mean absolute change of every pixel and channel from frame t − 1, on a 0–1 scale. */
export function frameDifferenceScores(clip: Clip): ClipSurprise {
  checkClip(clip, 2);
  const size = clip.height * clip.width * 3;
  const steps: number[] = [];
  for (let t = 1; t < clip.numFrames; t++) {
    let total = 0;
    for (let k = 0; k < size; k++) total += Math.abs(clip.frames[t * size + k] - clip.frames[(t - 1) * size + k]);
    steps.push(total / size / 255);
  }
  return clipSurprise(steps);
}

/** The middle value (the mean of the two middle ones for an even count); sorts `values`. */
function median(values: Float64Array | Uint8Array): number {
  values.sort();
  const m = values.length >> 1;
  return values.length % 2 === 1 ? values[m] : (values[m - 1] + values[m]) / 2;
}

/** Difference of two positions on a circle of `period`, in (−period/2, period/2]. */
function wrapped(delta: number, period: number): number {
  const d = ((delta % period) + period) % period;
  return d > period / 2 ? d - period : d;
}

/**
 * Where the foreground is, per frame: the background is the frame's median colour (per channel; the
 * scenes here are flat, black or fresh noise, and objects cover far less than half a frame — a per-pixel
 * median over time fails as soon as an object stays on a pixel for half the clip, as a slow or returning
 * one does), a pixel's foreground weight its colour distance from it less the frame's median distance
 * (the noise floor), and the centre the weighted circular mean on each axis (the synthetic scenes wrap
 * around their edges).
 */
export function foregroundTrack(clip: Clip): { x: number; y: number; mass: number }[] {
  checkClip(clip, 1);
  const { numFrames: T, height: H, width: W, frames } = clip;
  const pixels = H * W;
  const channel = new Uint8Array(pixels);
  const background = [0, 0, 0];
  const distance = new Float64Array(pixels);
  const track: { x: number; y: number; mass: number }[] = [];
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < pixels; p++) channel[p] = frames[(t * pixels + p) * 3 + c];
      background[c] = median(channel);
    }
    for (let p = 0; p < pixels; p++) {
      const o = (t * pixels + p) * 3;
      distance[p] = Math.abs(frames[o] - background[0]) + Math.abs(frames[o + 1] - background[1]) + Math.abs(frames[o + 2] - background[2]);
    }
    const floor = median(Float64Array.from(distance));
    let mass = 0;
    let xs = 0;
    let xc = 0;
    let ys = 0;
    let yc = 0;
    for (let p = 0; p < pixels; p++) {
      const w = Math.max(0, distance[p] - floor);
      if (w === 0) continue;
      const ax = (2 * Math.PI * (p % W)) / W;
      const ay = (2 * Math.PI * Math.floor(p / W)) / H;
      mass += w;
      xs += w * Math.sin(ax);
      xc += w * Math.cos(ax);
      ys += w * Math.sin(ay);
      yc += w * Math.cos(ay);
    }
    const angle = (s: number, c: number, period: number) => ((((Math.atan2(s, c) / (2 * Math.PI)) * period) % period) + period) % period;
    track.push({ x: angle(xs, xc, W), y: angle(ys, yc, H), mass });
  }
  return track;
}

/**
 * The constant-velocity tracker: for frames t = 2 … T − 1, the distance in pixels between the foreground
 * centre (see {@link foregroundTrack}) and `2·c(t−1) − c(t−2)`, where its last velocity would have taken
 * it. A frame whose foreground mass falls under a tenth of the clip's median mass has lost its track and
 * scores the frame's diagonal.
 */
export function constantVelocityScores(clip: Clip): ClipSurprise {
  checkClip(clip, 3);
  const { height: H, width: W } = clip;
  const track = foregroundTrack(clip);
  const typical = median(Float64Array.from(track, (point) => point.mass));
  const steps: number[] = [];
  for (let t = 2; t < track.length; t++) {
    const [a, b, c] = [track[t - 2], track[t - 1], track[t]];
    if (c.mass < 0.1 * typical) {
      steps.push(Math.hypot(H, W));
      continue;
    }
    const ex = wrapped(c.x - b.x - wrapped(b.x - a.x, W), W);
    const ey = wrapped(c.y - b.y - wrapped(b.y - a.y, H), H);
    steps.push(Math.hypot(ex, ey));
  }
  return clipSurprise(steps);
}
