import * as tf from '@tensorflow/tfjs-core';
import type { VideoBatch } from './types';
import { fail } from '@vjepa/base';

/** `(B, C, T, H, W)` (the official layout) → `[B, T, H, W, C]` (channels-last, as tfjs wants). */
export function toChannelsLast(video: tf.Tensor5D): VideoBatch {
  if (video.rank !== 5) fail('video', 'a rank-5 (B, C, T, H, W) tensor', video.shape);
  return tf.transpose(video, [0, 2, 3, 4, 1]);
}

/** `[B, T, H, W, C]` → `(B, C, T, H, W)`, the official layout. */
export function toChannelsFirst(video: VideoBatch): tf.Tensor5D {
  if (video.rank !== 5) fail('video', 'a rank-5 [B, T, H, W, C] tensor', video.shape);
  return tf.transpose(video, [0, 4, 1, 2, 3]);
}
