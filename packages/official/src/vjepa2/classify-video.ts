import * as tf from '@tensorflow/tfjs-core';
import { DataError, RandomStream, fail, type VideoBatch } from '@vjepa/core';
import { evalTransform, multiViewTransform, sampleEvalClips, type Clip } from '@vjepa/data';
import { classifyClipViews, type Vjepa2ClipEncoder } from '@vjepa/probe';
import type { Vjepa2Classifier, Vjepa2ClassifyProtocol } from './classifier';

/** A video whose frames are read on demand: a decoded file (Node: ffmpeg), or frames in memory (the page). */
export interface Vjepa2VideoFrames {
  /** Its name, for messages. */
  name: string;
  /** Frames in the video. */
  numFrames: number;
  /** The RGB frames at `indices` (in that order, repeats allowed): `indices.length · height · width · 3` bytes. */
  read(indices: readonly number[]): Promise<{ frames: Uint8Array; height: number; width: number }>;
}

/** One encoded clip of a classification, as reported while it runs. */
export interface Vjepa2ClipProgress {
  /** 1-based position among `total` = segments × views. */
  index: number;
  total: number;
  /** 0-based segment and view. */
  segment: number;
  view: number;
  /** Milliseconds the encoder took on it. */
  ms: number;
}

/** One class of the result. */
export interface Vjepa2Prediction {
  /** Row of the classifier. */
  index: number;
  label: string;
  probability: number;
}

/** What {@link classifyVjepa2Video} found. */
export interface Vjepa2Classification {
  /** The `topK` most probable classes, most probable first. */
  top: Vjepa2Prediction[];
  /** Every class's probability (the mean over views of the softmax). */
  probabilities: Float32Array;
  /** Frame indices of each segment. */
  segments: number[][];
  /** Milliseconds: reading/cropping the frames, and the models. */
  timings: { frames: number; model: number };
}

/**
 * The frame indices of each temporal segment: the official evaluation windows (`sampleEvalClips` of
 * `@vjepa/data` — overlap allowed, short videos padded with the last frame), deterministic (the window
 * at the end of each partition, as `randomClipSampling: false`).
 */
export function vjepa2SegmentIndices(numFrames: number, protocol: Pick<Vjepa2ClassifyProtocol, 'frames' | 'frameStep' | 'segments'>): number[][] {
  if (!Number.isSafeInteger(numFrames) || numFrames < 1) fail('numFrames', 'a positive integer (a video with frames)', numFrames, undefined, DataError);
  return sampleEvalClips(numFrames, protocol.segments, null, { framesPerClip: protocol.frames, frameStep: protocol.frameStep, randomClipSampling: false });
}

/** The most probable `k` classes of `probabilities`, most probable first (ties: the lower row). */
export function topClasses(probabilities: ArrayLike<number>, labels: readonly string[], k: number): Vjepa2Prediction[] {
  if (!Number.isSafeInteger(k) || k < 1) fail('topK', 'a positive integer', k);
  const rows = Array.from({ length: probabilities.length }, (_, index) => index).sort((a, b) => probabilities[b] - probabilities[a] || a - b);
  return rows.slice(0, k).map((index) => ({ index, label: labels[index], probability: probabilities[index] }));
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Options of {@link classifyVjepa2Video}. */
export interface Vjepa2ClassifyVideoOptions {
  /** Classes to return (default 5). */
  topK?: number;
  /** Called after each clip's encoding (segments × views of them). */
  onClip?: (progress: Vjepa2ClipProgress) => void;
  /**
   * Wait for each clip's features before the next, so that `onClip` times the encoder (default true);
   * false leaves the work queued (WebGPU pages, where a synchronous read stalls).
   */
  syncEachClip?: boolean;
}

/**
 * Classifies one video with a V-JEPA 2 classifier, following its protocol: the segments' frames read
 * (official eval windows), each cropped into the views (`multiViewTransform`: short side resized to the
 * resolution, crops along the long side; one view: `evalTransform`, resize to 256/224 and centre crop),
 * ImageNet-normalised, then `classifyClipViews` of `@vjepa/probe` (segments' tokens concatenated per view,
 * the probe's softmax averaged over views). Runs anywhere (no file system): the frames come from `video`.
 *
 * @param classifier - from `buildVjepa2Classifier`.
 * @param video - the frames.
 * @param options - how many classes to return (default 5), and a callback after each clip's encoding.
 * @example
 * const result = await classifyVjepa2Video(classifier, memoryFrames('clip', frames, 64, 240, 320));
 * result.top; // [{ index: 87, label: 'Pushing something from left to right', probability: 0.41 }, …]
 */
export async function classifyVjepa2Video(
  classifier: Vjepa2Classifier,
  video: Vjepa2VideoFrames,
  options: Vjepa2ClassifyVideoOptions = {},
): Promise<Vjepa2Classification> {
  const { protocol, encoder, probe, labels } = classifier;
  const topK = Math.min(options.topK ?? 5, labels.length);
  const sync = options.syncEachClip ?? true;
  const started = now();
  const segments = vjepa2SegmentIndices(video.numFrames, protocol);
  const rng = new RandomStream(0);
  const { resolution: cropSize, views, frames } = protocol;
  const transforms = Array.from({ length: views }, (_, v) => (views === 1 ? evalTransform({ cropSize }) : multiViewTransform(v, views, { cropSize })));
  const inputs: VideoBatch[][] = transforms.map(() => []);
  try {
    for (const indices of segments) {
      const read = await video.read(indices);
      const clip: Clip = { frames: read.frames, numFrames: indices.length, height: read.height, width: read.width, labels: {}, name: video.name };
      transforms.forEach((transform, v) => {
        const out = new Float32Array(frames * cropSize * cropSize * 3);
        transform.apply(clip, rng, out, 0);
        inputs[v].push(tf.tensor5d(out, [1, frames, cropSize, cropSize, 3])); // [1, T, H, W, C]
      });
    }
    const framesMs = now() - started;
    let clips = 0;
    let last = now();
    const report = () => {
      const index = ++clips;
      const t = now();
      options.onClip?.({ index, total: segments.length * views, segment: (index - 1) % segments.length, view: Math.floor((index - 1) / segments.length), ms: t - last });
      last = t;
    };
    // classifyClipViews encodes view after view, segment after segment: a progress line per clip.
    const reporting: Vjepa2ClipEncoder = {
      apply: (clip) => {
        const out = encoder.apply(clip); // [1, N, D]
        if (sync) out.dataSync();
        report();
        return out;
      },
      applyLayers: (clip, layers) => {
        const outs = encoder.applyLayers(clip, layers); // L × [1, N, D]
        if (sync) outs.forEach((o) => o.dataSync());
        report();
        return outs;
      },
    };
    const modelStarted = now();
    const averaged = classifyClipViews(reporting, probe, inputs, protocol.outLayers); // [1, C]
    const probabilities = (await averaged.data()) as Float32Array;
    averaged.dispose();
    return { top: topClasses(probabilities, labels, topK), probabilities, segments, timings: { frames: framesMs, model: now() - modelStarted } };
  } finally {
    inputs.flat().forEach((t) => t.dispose());
  }
}

/**
 * A {@link Vjepa2VideoFrames} over decoded frames in memory (`numFrames · height · width · 3` RGB bytes),
 * what a page has of a decoded clip.
 */
export function memoryFrames(name: string, frames: Uint8Array, numFrames: number, height: number, width: number): Vjepa2VideoFrames {
  const size = height * width * 3;
  if (!(frames instanceof Uint8Array) || frames.length !== numFrames * size || numFrames < 1) {
    fail(`${name}: frames`, `${numFrames}·${height}·${width}·3 RGB bytes`, frames?.length, undefined, DataError);
  }
  return {
    name,
    numFrames,
    read: async (indices) => {
      const out = new Uint8Array(indices.length * size);
      indices.forEach((index, t) => out.set(frames.subarray(index * size, (index + 1) * size), t * size));
      return { frames: out, height, width };
    },
  };
}
