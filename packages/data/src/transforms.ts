/**
 * Clip transforms: uint8 `(T, H, W, 3)` frames in, normalised float32 `[T, H, W, 3]` out, with one set of
 * random parameters for every frame of a clip. `pretrainingTransform` is the official V-JEPA pretraining
 * augmentation (spec §10); `evalTransform` is the single-view test transform of the probe (spec §11.5).
 *
 * @packageDocumentation
 */
import { checkKeys, DataError, fail, optionKeys, type RandomStream } from '@vjepa/core';
import { centreCrop, sampleResizedCrop, type CropBox } from './crop';
import { resampleFrames } from './resize';
import type { Clip } from './types';

/** ImageNet channel means (RGB, on the 0–1 scale) used by every released V-JEPA config. */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
/** ImageNet channel standard deviations (RGB, on the 0–1 scale). */
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** What a transform did to one clip, so a caller can mirror labels or log the crop. */
export interface TransformRecord {
  /** The source box that was resized. */
  crop: CropBox;
  /** Whether the frames were mirrored left-right. */
  flipped: boolean;
}

/** A per-clip transform the {@link ClipLoader} applies while filling a batch. */
export interface ClipTransform {
  /** The `[T, H, W, C]` a clip of the given size comes out as. */
  outputShape(numFrames: number, height: number, width: number): [number, number, number, number];
  /** Writes the transformed clip into `out` from `offset` (exactly the output shape's element count). */
  apply(clip: Clip, rng: RandomStream, out: Float32Array, offset: number): TransformRecord;
}

/** Normalisation constants (0–1 scale), shared by both transforms. */
export interface NormalizeOptions {
  /** Per-channel mean; default {@link IMAGENET_MEAN}. */
  mean?: readonly number[];
  /** Per-channel standard deviation; default {@link IMAGENET_STD}. */
  std?: readonly number[];
}

/** Options of {@link pretrainingTransform}, defaults from the released pretraining configs. */
export interface PretrainingTransformOptions extends NormalizeOptions {
  /** Output side (square) or `[height, width]`; default 224. */
  cropSize?: number | readonly [number, number];
  /** Crop area range as a fraction of the frame; default [0.3, 1.0]. */
  scale?: readonly [number, number];
  /** Crop aspect-ratio range (log-uniform); default [0.75, 1.35]. */
  ratio?: readonly [number, number];
  /** Mirror with probability 0.5; default true. */
  horizontalFlip?: boolean;
}

function outputSize(cropSize: number | readonly [number, number]): { height: number; width: number } {
  const [height, width] = typeof cropSize === 'number' ? [cropSize, cropSize] : cropSize;
  if (!Number.isSafeInteger(height) || height < 1 || !Number.isSafeInteger(width) || width < 1) {
    fail('cropSize', 'a positive integer or [height, width] of positive integers', cropSize);
  }
  return { height, width };
}

/** `255·mean` and `255·std` per channel: the official transform works on the 0–255 scale. */
function normalization(options: NormalizeOptions): { subtract: number[]; divide: number[] } {
  const { mean = IMAGENET_MEAN, std = IMAGENET_STD } = options;
  if (mean.length !== 3 || !mean.every(Number.isFinite)) fail('mean', 'three finite numbers', mean);
  if (std.length !== 3 || !std.every((value) => Number.isFinite(value) && value > 0)) {
    fail('std', 'three positive numbers', std);
  }
  return { subtract: mean.map((value) => 255 * value), divide: std.map((value) => 255 * value) };
}

function checkClip(clip: Clip): void {
  const expected = clip.numFrames * clip.height * clip.width * 3;
  if (!(clip.frames instanceof Uint8Array) || clip.frames.length !== expected) {
    fail(`clip ${clip.name}: frames`, `a Uint8Array of ${clip.numFrames}·${clip.height}·${clip.width}·3 = ${expected} bytes`, clip.frames, undefined, DataError);
  }
}

/**
 * The official pretraining augmentation, one draw per clip: random resized crop (scale 0.3–1, log-uniform
 * ratio 0.75–1.35, 10 tries, centre fallback) resized to `cropSize` with bilinear interpolation
 * (align_corners=False, no antialias), horizontal flip with p = 0.5, then `(x − 255·mean) / (255·std)`.
 * Random draws in order: the crop, then one float for the flip (`< 0.5` flips).
 *
 * @example
 * ```ts
 * const transform = pretrainingTransform({ cropSize: 224 });
 * const out = new Float32Array(16 * 224 * 224 * 3);
 * transform.apply(clip, new RandomStream(0), out, 0);
 * ```
 */
export function pretrainingTransform(options: PretrainingTransformOptions = {}): ClipTransform {
  checkKeys('options', options, optionKeys<PretrainingTransformOptions>({
    cropSize: true, scale: true, ratio: true, horizontalFlip: true, mean: true, std: true,
  }));
  const { cropSize = 224, scale = [0.3, 1.0], ratio = [0.75, 1.35], horizontalFlip = true } = options;
  const size = outputSize(cropSize);
  const { subtract, divide } = normalization(options);
  return {
    outputShape: (numFrames) => [numFrames, size.height, size.width, 3],
    apply(clip, rng, out, offset) {
      checkClip(clip);
      const crop = sampleResizedCrop(clip.height, clip.width, rng, { scale, ratio });
      const flipped = horizontalFlip && rng.nextFloat() < 0.5;
      resampleFrames(
        clip.frames, clip.numFrames, clip.height, clip.width, 3,
        { box: crop, outHeight: size.height, outWidth: size.width, flip: flipped, subtract, divide },
        out, offset,
      );
      return { crop, flipped };
    },
  };
}

/** The size a clip is resized to when its shorter side becomes `shorter` (the longer side scaled and truncated). */
function shorterSideSize(clip: Clip, shorter: number): { outHeight: number; outWidth: number; longer: number; portrait: boolean } {
  const portrait = clip.height > clip.width;
  const longer = Math.trunc((shorter * Math.max(clip.height, clip.width)) / Math.min(clip.height, clip.width));
  return { outHeight: portrait ? longer : shorter, outWidth: portrait ? shorter : longer, longer, portrait };
}

/** Options of {@link evalTransform}. */
export interface EvalTransformOptions extends NormalizeOptions {
  /** Output side (square); default 224. */
  cropSize?: number;
  /** The shorter side is first resized to `int(cropSize · resizeRatio)`; default 256/224 (spec §11.5). */
  resizeRatio?: number;
}

/**
 * The single-view test transform of the probe (spec §11.5): resize the shorter side to
 * `int(cropSize · 256/224)` (the longer to `int(side · long/short)`) with bilinear interpolation, centre
 * crop `cropSize` at offset `round((L − cropSize)/2)`, normalise. No randomness.
 */
export function evalTransform(options: EvalTransformOptions = {}): ClipTransform {
  checkKeys('options', options, optionKeys<EvalTransformOptions>({ cropSize: true, resizeRatio: true, mean: true, std: true }));
  const { cropSize = 224, resizeRatio = 256 / 224 } = options;
  const size = outputSize(cropSize);
  if (!Number.isFinite(resizeRatio) || resizeRatio < 1) fail('resizeRatio', 'a number >= 1', resizeRatio);
  const { subtract, divide } = normalization(options);
  const shorter = Math.trunc(cropSize * resizeRatio);
  return {
    outputShape: (numFrames) => [numFrames, size.height, size.width, 3],
    apply(clip, _rng, out, offset) {
      checkClip(clip);
      const { outHeight, outWidth } = shorterSideSize(clip, shorter);
      const window = centreCrop(outHeight, outWidth, size);
      const crop = { top: 0, left: 0, height: clip.height, width: clip.width };
      resampleFrames(clip.frames, clip.numFrames, clip.height, clip.width, 3, { box: crop, outHeight, outWidth, window, subtract, divide }, out, offset);
      return { crop, flipped: false };
    },
  };
}

/**
 * Only normalisation (no crop, no flip, no resize): frames keep their size. For sources whose clips
 * already have the model's size, such as the synthetic sets.
 */
export function normalizeTransform(options: NormalizeOptions = {}): ClipTransform {
  const { subtract, divide } = normalization(options);
  return {
    outputShape: (numFrames, height, width) => [numFrames, height, width, 3],
    apply(clip, _rng, out, offset) {
      checkClip(clip);
      const crop = { top: 0, left: 0, height: clip.height, width: clip.width };
      resampleFrames(clip.frames, clip.numFrames, clip.height, clip.width, 3, { outHeight: clip.height, outWidth: clip.width, subtract, divide }, out, offset);
      return { crop, flipped: false };
    },
  };
}

/**
 * View `view` of the official multi-view test transform (spec §11.5): resize the shorter side to
 * `cropSize` (bilinear), then take a `cropSize` square at offset `view · ((long − cropSize) // (views − 1))`
 * along the longer side (offsets 0, half, end for the official 3 views). Square clips give identical
 * views, as in the official code. No randomness.
 */
export function multiViewTransform(view: number, views: number, options: Omit<EvalTransformOptions, 'resizeRatio'> = {}): ClipTransform {
  const { cropSize = 224 } = options;
  if (!Number.isSafeInteger(views) || views < 1) fail('views', 'a positive integer', views);
  if (!Number.isSafeInteger(view) || view < 0 || view >= views) fail('view', `an integer in [0, ${views})`, view);
  const size = outputSize(cropSize);
  const { subtract, divide } = normalization(options);
  return {
    outputShape: (numFrames) => [numFrames, size.height, size.width, 3],
    apply(clip, _rng, out, offset) {
      checkClip(clip);
      const { outHeight, outWidth, longer, portrait } = shorterSideSize(clip, cropSize);
      const step = views > 1 ? Math.trunc((longer - cropSize) / (views - 1)) : 0;
      const start = views > 1 ? view * step : Math.round((longer - cropSize) / 2);
      const window = portrait ? { top: start, left: 0, height: cropSize, width: cropSize } : { top: 0, left: start, height: cropSize, width: cropSize };
      const crop = { top: 0, left: 0, height: clip.height, width: clip.width };
      resampleFrames(clip.frames, clip.numFrames, clip.height, clip.width, 3, { box: crop, outHeight, outWidth, window, subtract, divide }, out, offset);
      return { crop, flipped: false };
    },
  };
}
