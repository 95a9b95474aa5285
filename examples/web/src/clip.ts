import { RandomStream } from '@vjepa/core';
import { IMAGENET_MEAN, IMAGENET_STD, evalTransform, sampleClipIndices, type Clip } from '@vjepa/data';
import type { DecodedVideo } from './decode';
import { CROP, FRAMES, FRAME_STEP } from './settings';

/** The clip the encoder sees, and what the page draws of it. */
export interface SampledClip {
  /** Source frame index of each of the 16 frames (the official pretraining sampler, window drawn from the seed). */
  frameIndices: number[];
  /** `[16, crop, crop, 3]` float32 (crop 224 by default), normalised with the ImageNet mean and std (the official eval transform). */
  video: Float32Array;
  /** The same frames as RGBA pixels, for drawing. */
  pixels: ImageData[];
}

/**
 * Samples 16 frames as the official sampler does (`sampleClipIndices`: a 64-frame window at a random place
 * drawn from `seed`, every 4th frame), then applies the official eval transform (shorter side to 256,
 * centre crop `crop` (default 224), normalise).
 */
export function sampleClip(decoded: DecodedVideo, seed: number, crop = CROP): SampledClip {
  const [frameIndices] = sampleClipIndices(decoded.frames.length, new RandomStream(seed), { framesPerClip: FRAMES, frameStep: FRAME_STEP });
  const { width, height } = decoded;
  const frames = new Uint8Array(FRAMES * height * width * 3);
  frameIndices.forEach((index, f) => frames.set(decoded.frames[index], f * height * width * 3));
  const clip: Clip = { frames, numFrames: FRAMES, height, width, labels: {}, name: decoded.name, frameIndices };
  const video = new Float32Array(FRAMES * crop * crop * 3);
  evalTransform({ cropSize: crop }).apply(clip, new RandomStream(seed), video, 0);
  const pixels = Array.from({ length: FRAMES }, (_, f) => {
    const image = new ImageData(crop, crop);
    for (let p = 0; p < crop * crop; p++) {
      for (let c = 0; c < 3; c++) {
        const value = video[(f * crop * crop + p) * 3 + c] * IMAGENET_STD[c] + IMAGENET_MEAN[c];
        image.data[p * 4 + c] = Math.round(255 * value);
      }
      image.data[p * 4 + 3] = 255;
    }
    return image;
  });
  return { frameIndices, video, pixels };
}
