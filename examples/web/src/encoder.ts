import * as tf from '@tensorflow/tfjs-core';
import { parseSafetensors } from '@vjepa/core';
import { parseTorchFile, readPretrainedStateDict } from '@vjepa/torch-format';
import { VisionTransformer, vitConfig } from '@vjepa/vit';
import { CROP, FRAMES, WEIGHT_SEED } from './settings';
import { configFromWeights } from './weights';

/** An encoder and a line saying where its weights came from. */
export interface LoadedEncoder {
  encoder: VisionTransformer;
  weights: string;
}

/** ViT-tiny (192 wide, 12 deep, 3 heads) for 16 × 224 × 224 clips, with the official init from a fixed seed. */
export function randomEncoder(): LoadedEncoder {
  const encoder = new VisionTransformer(vitConfig('tiny', { frames: FRAMES, imageSize: CROP }), { seed: WEIGHT_SEED });
  return { encoder, weights: `random ViT-tiny, official init, seed ${WEIGHT_SEED}` };
}

/** File names read as PyTorch `torch.save` checkpoints. */
export const TORCH_FILE = /\.(pth|pt)(\.tar)?$|\.tar$/;

/**
 * An encoder from a dropped weights file: `.safetensors` with the official keys (as `vjepa convert` or
 * `safetensors.torch.save_file(ckpt['target_encoder'], …)` writes them), or an official PyTorch checkpoint
 * (`.pth.tar`, `.pth`, `.pt`, zip or legacy format), read by `@vjepa/torch-format`'s allow-list unpickler:
 * its `target_encoder`, else `encoder` (the rule of the official `load_pretrained`), `module.`/`backbone.`
 * stripped. A pickle that names anything beyond tensors and plain containers (`posix.system`, …) is
 * refused, naming it, before anything is called.
 *
 * @param file - the dropped or picked file.
 * @param heads - the page's `?heads=N`: the heads of a width that is no official size, where a
 *   safetensors file has no `heads` metadata entry (a checkpoint has none).
 */
export async function encoderFromFile(file: File, heads: string | null = null): Promise<LoadedEncoder> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const given: Record<string, string> = heads === null ? {} : { heads };
  if (TORCH_FILE.test(file.name)) {
    const checkpoint = parseTorchFile(bytes, file.name);
    try {
      const { key, state } = readPretrainedStateDict(checkpoint);
      return encoderFromTensors(state, given, `${file.name} (${key})`);
    } finally {
      checkpoint.close();
    }
  }
  const { tensors, metadata } = parseSafetensors(bytes, file.name);
  return encoderFromTensors(tensors, { ...given, ...metadata }, file.name);
}

/** An encoder whose config is read from the tensors' shapes, with the tensors loaded into it. */
export function encoderFromTensors(
  tensors: ReadonlyMap<string, { shape: number[]; data: Float32Array | Int32Array | BigInt64Array }>,
  metadata: Record<string, string>,
  source: string,
): LoadedEncoder {
  const config = configFromWeights(tensors, metadata);
  const encoder = new VisionTransformer(config);
  try {
    encoder.loadStateDict(new Map(tensors));
  } catch (error) {
    encoder.dispose();
    throw error;
  }
  const native = config.frames === FRAMES && config.imageSize === CROP ? '' : `; patch ${config.patch}, positions of ${config.frames} frames × ${config.imageSize} px interpolated to the clip`;
  return { encoder, weights: `${source}: ViT ${config.dim} wide, ${config.depth} deep, ${config.heads} heads${native}` };
}

/** Encodes the clip `[16, 224, 224, 3]`: the features `[N, D]` of every token, read back to the host. */
export async function encodeClip(encoder: VisionTransformer, video: Float32Array): Promise<{ features: Float32Array; tokens: number; dim: number }> {
  const output = tf.tidy(() => encoder.apply(tf.tensor5d(video, [1, FRAMES, CROP, CROP, 3]))); // [1, N, D]
  const [, tokens, dim] = output.shape;
  const features = (await output.data()) as Float32Array;
  output.dispose();
  return { features, tokens, dim };
}
