/**
 * A {@link ClipSource} over videos already in memory (decoded frames), sampled with the same frame rule
 * as files.
 *
 * @packageDocumentation
 */
import { fail } from '@vjepa/core';
import { pretrainingSampler, type FrameSampler } from './sampling';
import type { Clip, ClipSource } from './types';

/** A video in memory: `frames` is `(numFrames, height, width, 3)` uint8 RGB. */
export interface MemoryVideo {
  /** Pixel data. */
  frames: Uint8Array;
  /** Frames in `frames`. */
  numFrames: number;
  /** Rows per frame. */
  height: number;
  /** Columns per frame. */
  width: number;
  /** Integer labels by name; default none. */
  labels?: Record<string, number>;
  /** Name for messages; default `memory#<index>`. */
  name?: string;
}

/**
 * A source over in-memory videos. Item `i` is a clip of `videos[i]` picked by `sampler` (default the
 * pretraining rule, 16 frames over 64; pass {@link allFrames} when the videos already are clips).
 *
 * @throws VjepaError at once when a video's array does not match its declared size.
 */
export function memorySource(videos: readonly MemoryVideo[], options: { sampler?: FrameSampler } = {}): ClipSource {
  if (!Array.isArray(videos)) fail('videos', 'an array of { frames, numFrames, height, width }', videos);
  videos.forEach((video, index) => {
    const dims = [video?.numFrames, video?.height, video?.width];
    if (!dims.every((value) => Number.isSafeInteger(value) && (value as number) > 0)) {
      fail(`videos[${index}]`, 'positive integer numFrames, height and width', dims);
    }
    const bytes = video.numFrames * video.height * video.width * 3;
    if (!(video.frames instanceof Uint8Array) || video.frames.length !== bytes) {
      fail(`videos[${index}].frames`, `a Uint8Array of ${bytes} bytes`, video.frames);
    }
  });
  const sampler = options.sampler ?? pretrainingSampler();
  return {
    size: videos.length,
    description: `${videos.length} videos in memory`,
    async get(index, rng): Promise<Clip> {
      if (!Number.isSafeInteger(index) || index < 0 || index >= videos.length) fail('index', `an integer in [0, ${videos.length - 1}]`, index);
      const video = videos[index];
      const indices = sampler(video.numFrames, rng.fork('frames'));
      const frameBytes = video.height * video.width * 3;
      const frames = new Uint8Array(indices.length * frameBytes);
      indices.forEach((frame, t) => {
        if (!Number.isSafeInteger(frame) || frame < 0 || frame >= video.numFrames) fail('sampler result', `indices in [0, ${video.numFrames - 1}]`, indices);
        frames.set(video.frames.subarray(frame * frameBytes, (frame + 1) * frameBytes), t * frameBytes);
      });
      return {
        frames,
        numFrames: indices.length,
        height: video.height,
        width: video.width,
        labels: { ...(video.labels ?? {}) },
        name: video.name ?? `memory#${index}`,
        frameIndices: indices,
      };
    },
  };
}
