/**
 * Test helpers (not exported from the package): known frames, and writing them as videos with ffmpeg
 * into a temporary folder.
 *
 * @packageDocumentation
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `numFrames` frames of `height × width`: frame t has a solid left half whose colour identifies t and a
 * right half with a horizontal and vertical gradient shifted with t.
 */
export function knownFrames(numFrames: number, height: number, width: number): Uint8Array {
  const frames = new Uint8Array(numFrames * height * width * 3);
  for (let t = 0; t < numFrames; t++) {
    const solid = frameColour(t);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = ((t * height + y) * width + x) * 3;
        const pixel = x < width / 2 ? solid : [(x * 255) / (width - 1), (y * 255) / (height - 1), (t * 16) % 256];
        frames[o] = Math.round(pixel[0]);
        frames[o + 1] = Math.round(pixel[1]);
        frames[o + 2] = Math.round(pixel[2]);
      }
    }
  }
  return frames;
}

/** The solid colour of frame t's left half: far apart for neighbouring t. */
export function frameColour(t: number): [number, number, number] {
  return [(40 + 67 * t) % 256, (200 + 101 * t) % 256, (90 + 37 * t) % 256];
}

/** Mean absolute difference of two equal-length byte arrays. */
export function meanAbsoluteError(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += Math.abs(a[k] - b[k]);
  return sum / a.length;
}

/** Frame `t` of a `(T, H, W, 3)` array. */
export function frameAt(frames: Uint8Array, t: number, height: number, width: number): Uint8Array {
  const size = height * width * 3;
  return frames.subarray(t * size, (t + 1) * size);
}

/** A fresh folder under the system temp dir, and a function that removes it. */
export function tempFolder(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `vjepa-data-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
