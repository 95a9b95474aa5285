/**
 * Which source frames make a clip: the official V-JEPA rule (spec §10 for pretraining, §11.5 for the
 * evaluation segments), reproduced down to numpy's `linspace` arithmetic and its integer truncation.
 *
 * @packageDocumentation
 */
import { checkKeys, optionKeys, fail, type RandomStream } from '@vjepa/core';

/** Options of {@link sampleClipIndices}, with the official pretraining defaults. */
export interface ClipSamplingOptions {
  /** Frames per clip; default 16. */
  framesPerClip?: number;
  /** Nominal step between sampled frames (`sampling_rate`); default 4, so a clip spans 64 source frames. */
  frameStep?: number;
  /** Clips per video, one per equal partition (`num_clips`; eval `num_segments`); default 1. */
  numClips?: number;
  /** Pick the window at random inside its partition (the official default, even for validation); default true. */
  randomClipSampling?: boolean;
  /** Let a short video's clips overlap (true for eval, false for pretraining); default false. */
  allowClipOverlap?: boolean;
}

/** A function that picks the source frame indices of one item (see {@link pretrainingSampler}). */
export type FrameSampler = (numFrames: number, rng: RandomStream) => number[];

/**
 * numpy's `linspace(start, stop, num)` (endpoint included), with numpy's arithmetic: value k is
 * `start + k · (stop − start) / (num − 1)` and the last value is `stop` exactly, so truncating the
 * values to integers gives the same indices as the official code.
 */
export function linspace(start: number, stop: number, num: number): number[] {
  if (!Number.isInteger(num) || num < 0) fail('num', 'a non-negative integer', num);
  if (num === 0) return [];
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const values = new Array<number>(num);
  for (let k = 0; k < num; k++) values[k] = k * step + start;
  values[num - 1] = stop;
  return values;
}

/** numpy `clip(values, low, high).astype(int64)`: clamp, then truncate toward zero. */
function clipToInt(values: readonly number[], low: number, high: number): number[] {
  return values.map((value) => Math.trunc(Math.min(Math.max(value, low), high)));
}

function checkPositiveInteger(value: number, argument: string): void {
  if (!Number.isSafeInteger(value) || value < 1) fail(argument, 'a positive integer', value);
}

/** `linspace(0, last, last // step)` padded with `last` to `framesPerClip` values, clipped to `[0, last − 1]`. */
function shortVideoIndices(last: number, framesPerClip: number, frameStep: number): number[] {
  const count = Math.min(Math.floor(last / frameStep), framesPerClip);
  const values = linspace(0, last, count);
  while (values.length < framesPerClip) values.push(last);
  // For a one-frame video the official range [0, −1] is empty; we keep frame 0 instead of index −1.
  return clipToInt(values, 0, Math.max(last - 1, 0));
}

/**
 * The source frame indices of every clip of a video of `numFrames` frames, as the official
 * `VideoDataset.loadvideo_decord` computes them (spec §10, §11.5):
 *
 * - `clipLen = framesPerClip · frameStep`, `partitionLen = numFrames // numClips`;
 * - partition longer than `clipLen`: window end `~ randint(clipLen, partitionLen)` (high exclusive; `clipLen`
 *   when not random), start = end − clipLen, indices = `linspace(start, end, framesPerClip)` clipped to
 *   `[start, end − 1]` and truncated: offsets 0,4,8,12,17,21,25,29,34,38,42,46,51,55,59,63 for 16 × 4;
 *   clip i is shifted by `i · partitionLen`;
 * - otherwise, without overlap: `linspace(0, partitionLen, partitionLen // frameStep)` padded with
 *   `partitionLen` to `framesPerClip` values, clipped to `[0, partitionLen − 1]`, shifted by `i · partitionLen`;
 * - otherwise, with overlap: the same with `sampleLen = min(clipLen, numFrames) − 1` instead of `partitionLen`,
 *   shifted by `i · ((numFrames − clipLen) // (numClips − 1))` when `numFrames > clipLen`, else not at all.
 *
 * @param numFrames - frames in the video (at least `numClips`).
 * @param rng - the stream for the window positions; `null` places every window at its partition start.
 * @param options - clip geometry; defaults are the pretraining ones (16 frames, step 4, 1 clip).
 * @returns one array of `framesPerClip` indices per clip.
 */
export function sampleClipIndices(
  numFrames: number,
  rng: RandomStream | null,
  options: ClipSamplingOptions = {},
): number[][] {
  checkKeys('options', options, optionKeys<ClipSamplingOptions>({
    framesPerClip: true, frameStep: true, numClips: true, randomClipSampling: true, allowClipOverlap: true,
  }));
  const {
    framesPerClip = 16,
    frameStep = 4,
    numClips = 1,
    randomClipSampling = true,
    allowClipOverlap = false,
  } = options;
  checkPositiveInteger(framesPerClip, 'framesPerClip');
  checkPositiveInteger(frameStep, 'frameStep');
  checkPositiveInteger(numClips, 'numClips');
  checkPositiveInteger(numFrames, 'numFrames');
  if (numFrames < numClips) fail('numFrames', `at least numClips (${numClips}) frames`, numFrames);
  const clipLen = framesPerClip * frameStep;
  const partitionLen = Math.floor(numFrames / numClips);
  const clips: number[][] = [];
  for (let clip = 0; clip < numClips; clip++) {
    if (partitionLen > clipLen) {
      const end = randomClipSampling && rng !== null ? rng.nextInt(clipLen, partitionLen - 1) : clipLen;
      const start = end - clipLen;
      const indices = clipToInt(linspace(start, end, framesPerClip), start, end - 1);
      clips.push(indices.map((index) => index + clip * partitionLen));
    } else if (!allowClipOverlap) {
      const indices = shortVideoIndices(partitionLen, framesPerClip, frameStep);
      clips.push(indices.map((index) => index + clip * partitionLen));
    } else {
      const sampleLen = Math.min(clipLen, numFrames) - 1;
      const indices = shortVideoIndices(sampleLen, framesPerClip, frameStep);
      const clipStep = numFrames > clipLen && numClips > 1 ? Math.floor((numFrames - clipLen) / (numClips - 1)) : 0;
      clips.push(indices.map((index) => index + clip * clipStep));
    }
  }
  return clips;
}

/**
 * The pretraining rule (spec §10): one clip, random window, no overlap.
 *
 * @example
 * ```ts
 * samplePretrainingClip(300, new RandomStream(0)); // 16 indices inside a random 64-frame window
 * samplePretrainingClip(40, null); // short video: [0, 2, 5, …, 39, 39, …]
 * ```
 */
export function samplePretrainingClip(
  numFrames: number,
  rng: RandomStream | null,
  options: Pick<ClipSamplingOptions, 'framesPerClip' | 'frameStep'> = {},
): number[] {
  return sampleClipIndices(numFrames, rng, { ...options, numClips: 1, allowClipOverlap: false })[0];
}

/**
 * The evaluation rule (spec §11.5): `numSegments` clips, overlap allowed, windows random unless
 * `randomClipSampling` is false (the official eval leaves it on even for validation). For a video of
 * at least 64 frames split into partitions of at most 64, each segment's offsets are
 * 0,4,9,13,18,22,27,31,36,40,45,49,54,58,62,62.
 */
export function sampleEvalClips(
  numFrames: number,
  numSegments: number,
  rng: RandomStream | null,
  options: Pick<ClipSamplingOptions, 'framesPerClip' | 'frameStep' | 'randomClipSampling'> = {},
): number[][] {
  return sampleClipIndices(numFrames, rng, { ...options, numClips: numSegments, allowClipOverlap: true });
}

/** A {@link FrameSampler} for the pretraining rule with the given clip geometry (defaults 16 × 4). */
export function pretrainingSampler(options: Pick<ClipSamplingOptions, 'framesPerClip' | 'frameStep'> = {}): FrameSampler {
  return (numFrames, rng) => samplePretrainingClip(numFrames, rng, options);
}

/** A {@link FrameSampler} that keeps every frame in order, for sources whose items already are clips. */
export const allFrames: FrameSampler = (numFrames) => Array.from({ length: numFrames }, (_, index) => index);
