/**
 * The shapes every part of `@vjepa/data` exchanges: a decoded clip (and a rendered synthetic one), a
 * source of clips, and the error a source throws for an item it cannot read (the loader skips such an
 * item instead of stopping).
 *
 * @packageDocumentation
 */
import { DataError, type RandomStream } from '@vjepa/core';

/**
 * One decoded clip: `frames` uint8 RGB, row-major `(T, H, W, 3)` (frame, row, column, channel).
 * Labels are small integers by name (`label` for CSV/folder sources, `shape` and `direction` for the
 * synthetic sets); a source without labels gives `{}`.
 */
export interface Clip {
  /** Pixel data, `numFrames · height · width · 3` bytes, RGB. */
  frames: Uint8Array;
  /** T, the number of frames in `frames`. */
  numFrames: number;
  /** H, pixel rows per frame. */
  height: number;
  /** W, pixel columns per frame. */
  width: number;
  /** Integer labels by name, e.g. `{ label: 3 }` or `{ shape: 1, direction: 6 }`. */
  labels: Record<string, number>;
  /** What the clip came from, for messages and metrics: a file path or `synthetic:shapes#17`. */
  name: string;
  /** The source frame index of each of the T frames, when the clip was sampled from a longer video. */
  frameIndices?: number[];
}

/** One rendered synthetic item: a {@link Clip} plus how its object moved (and optionally its mask). */
export interface SyntheticItem extends Clip {
  /** The labelled object's start centre (pixels) and velocity (pixels per frame; +y is down). */
  motion: { x0: number; y0: number; vx: number; vy: number };
  /** The labelled object's coverage per pixel `(T, H, W)` in [0, 1], when asked for. */
  mask?: Float32Array;
  /** Moving MNIST only: the images shown, labelled digit first (`image` indexes its class in the `mnist` package). */
  images?: { digit: number; image: number }[];
}

/**
 * Anything the {@link ClipLoader} can read clips from: a fixed number of items, each read by index.
 * `get` receives a seeded stream for its random choices (the clip window), so a run is reproducible.
 * A bad item either throws {@link UnreadableClipError} (preferred: it carries a reason) or resolves to
 * `null`; the loader then warns once, counts it, and reads another item. Any other error stops the run:
 * it means the configuration is wrong (ffmpeg missing, a bad option), not one file.
 */
export interface ClipSource {
  /** Number of items; indices run from 0 to `size − 1`. */
  readonly size: number;
  /** A short description for messages, e.g. `"kinetics.csv (240 videos)"`. */
  readonly description?: string;
  /** Reads item `index`, drawing any random choice from `rng`. */
  get(index: number, rng: RandomStream): Promise<Clip | null>;
  /**
   * The labels of a clip after a horizontal flip, for sources whose labels have a left and a right
   * (the synthetic motion direction). Absent: flipping leaves labels unchanged.
   */
  mirrorLabels?(labels: Record<string, number>): Record<string, number>;
  /**
   * The labels of item `index` without reading the clip (a file list knows them), for class-balanced
   * subsets. Absent: they are read with `get`.
   */
  labelsOf?(index: number): Record<string, number>;
}

/**
 * Thrown by a {@link ClipSource} for an item that cannot be read (missing, empty, truncated, not a
 * video). The loader catches exactly this class, warns once naming `item`, and moves on.
 */
export class UnreadableClipError extends DataError {
  /** The item at fault (a file path or name). */
  readonly item: string;
  /** Why it was rejected, one short phrase, e.g. `"file is empty (0 bytes)"`. */
  readonly reason: string;

  /**
   * @param item - the path or name of the item.
   * @param reason - one short phrase saying what is wrong with it.
   * @param options - standard `ErrorOptions`, e.g. `{ cause }`.
   */
  constructor(item: string, reason: string, options?: ErrorOptions) {
    super(`${item}: unreadable video (${reason})`, options);
    this.item = item;
    this.reason = reason;
  }
}
