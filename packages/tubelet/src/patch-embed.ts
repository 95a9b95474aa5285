import * as tf from '@tensorflow/tfjs-core';
import { Module, checkKeys, optionKeys, fail, linear, type VideoBatch } from '@vjepa/core';

/** Shape of the tubelet embedding. Defaults are the official ones. */
export interface PatchEmbedConfig {
  /** Input channels (default 3). */
  channels?: number;
  /** Output width D. */
  dim: number;
  /** Spatial patch side p (default 16). */
  patch?: number;
  /** Tubelet depth t in frames (default 2). */
  tubelet?: number;
}

/**
 * The official tubelet conv's parameters: `weight` `[D, C, t, p, p]`, `bias` `[D]` (PyTorch Conv3d layout,
 * stride = kernel, no padding).
 */
export class TubeletConv extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(dim: number, channels: number, tubelet: number, patch: number) {
    super();
    this.weight = this.addState('weight', tf.zeros([dim, channels, tubelet, patch, patch]));
    this.bias = this.addState('bias', tf.zeros([dim]));
  }
}

/**
 * Tubelet embedding: a `[B, T, H, W, C]` clip → `[B, N, D]` tokens in the official order (time-major,
 * column fastest; N = T/t · H/p · W/p). Computed as patchify + one matrix product instead of a 3-D conv:
 * the same numbers (up to summation order), and gradients that are right on every backend (tfjs-wasm's
 * Conv3D gradient is silently wrong). State key `proj.weight` / `proj.bias` as the official `patch_embed`.
 *
 * @example
 * const embed = new PatchEmbed({ dim: 192 });          // t = 2, p = 16
 * const tokens = embed.apply(video);                    // [B, 8·14·14, 192] for 16×224×224 clips
 */
export class PatchEmbed extends Module {
  readonly proj: TubeletConv;
  readonly channels: number;
  readonly dim: number;
  readonly patch: number;
  readonly tubelet: number;

  constructor(config: PatchEmbedConfig) {
    super();
    checkKeys('config', config, optionKeys<PatchEmbedConfig>({ channels: true, dim: true, patch: true, tubelet: true }));
    this.channels = config.channels ?? 3;
    this.dim = config.dim;
    this.patch = config.patch ?? 16;
    this.tubelet = config.tubelet ?? 2;
    for (const [name, value] of Object.entries({ channels: this.channels, dim: this.dim, patch: this.patch, tubelet: this.tubelet })) {
      if (!Number.isInteger(value) || value < 1) fail(`PatchEmbed config.${name}`, 'a positive integer', value);
    }
    this.proj = this.addModule('proj', new TubeletConv(this.dim, this.channels, this.tubelet, this.patch));
  }

  /** Throws, before any compute, unless `shape` is a `[B, T, H, W, C]` clip this embedding can tile. */
  checkInput(shape: readonly number[]): void {
    if (shape.length !== 5) fail('video', 'a rank-5 [B, T, H, W, C] tensor', shape);
    const [, frames, height, width, channels] = shape;
    if (channels !== this.channels) fail('video channels (last axis)', `${this.channels}`, channels, 'Convert (B, C, T, H, W) clips with toChannelsLast()');
    if (frames % this.tubelet !== 0) fail('video frames', `a multiple of the tubelet depth ${this.tubelet}`, frames);
    if (height % this.patch !== 0) fail('video height', `a multiple of the patch size ${this.patch}`, height);
    if (width % this.patch !== 0) fail('video width', `a multiple of the patch size ${this.patch}`, width);
  }

  /** `[B, T, H, W, C]` → `[B, N, D]`, before positions are added. */
  apply(video: VideoBatch): tf.Tensor3D {
    this.checkInput(video.shape);
    return tf.tidy(() => {
      const [batch] = video.shape;
      const t = this.tubelet;
      const p = this.patch;
      const patches = patchify(video, t, p); // [B, N, t·p·p·C], (a, b, e, c) order
      const volume = patches.shape[2];
      // The conv weight [D, C, t, p, p] reordered to the patches' (a, b, e, c) order: [D, t·p·p·C].
      const weight = tf.reshape(tf.transpose(this.proj.weight, [0, 2, 3, 4, 1]), [this.dim, volume]);
      const tokens = linear(tf.reshape(patches, [-1, volume]), weight as tf.Tensor2D, this.proj.bias as tf.Tensor1D); // [B·N, D]
      return tf.reshape(tokens, [batch, patches.shape[1], this.dim]) as tf.Tensor3D; // [B, N, D]
    });
  }
}

/**
 * Cuts a clip `[B, T, H, W, C]` into tubelets of `tubelet × patch × patch` in token order (time-major,
 * column fastest) → `[B, N, t·p·p·C]`, each tubelet's values in (frame, row, column, channel) order.
 * The tubelet embedding is this followed by one matrix product; pixel-reconstruction targets use it as is.
 */
export function patchify(video: VideoBatch, tubelet: number, patch: number): tf.Tensor3D {
  const [batch, frames, height, width, channels] = video.shape;
  if (frames % tubelet !== 0) fail('video frames', `a multiple of the tubelet depth ${tubelet}`, frames);
  if (height % patch !== 0 || width % patch !== 0) fail('video height and width', `multiples of the patch size ${patch}`, [height, width]);
  return tf.tidy(() => {
    const [t, p] = [tubelet, patch];
    const [depth, rows, cols] = [frames / t, height / p, width / p];
    // [B·T', t, H', p, W'·p·C] → [B·T', H', t, p, W'·p·C]
    const byTime = tf.transpose(tf.reshape(video, [batch * depth, t, rows, p, cols * p * channels]), [0, 2, 1, 3, 4]);
    // [B·T'·H', t·p, W', p·C] → [B·T'·H', W', t·p, p·C]
    const byRow = tf.transpose(tf.reshape(byTime, [batch * depth * rows, t * p, cols, p * channels]), [0, 2, 1, 3]);
    return tf.reshape(byRow, [batch, depth * rows * cols, t * p * p * channels]) as tf.Tensor3D; // [B, N, t·p·p·C]
  });
}
