import * as tf from '@tensorflow/tfjs-core';
import { parseSafetensors } from '@vjepa/core';
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

/**
 * An encoder from a dropped weights file. `.safetensors` with the official keys (as `vjepa convert` or
 * `safetensors.torch.save_file(ckpt['target_encoder'], …)` writes them) loads here.
 * TODO(@vjepa/torch-format): official `.pth.tar` checkpoints load once that package (a safe `torch.save`
 * reader) is on main: read the file's `target_encoder` state dict with it and pass the tensors to
 * `encoderFromTensors` below.
 */
export async function encoderFromFile(file: File): Promise<LoadedEncoder> {
  if (/\.pth(\.tar)?$|\.pt$/.test(file.name)) {
    throw new Error(`${file.name}: PyTorch checkpoints need @vjepa/torch-format, which this page does not use yet; convert it to .safetensors (vjepa convert) and drop that`);
  }
  const { tensors, metadata } = parseSafetensors(new Uint8Array(await file.arrayBuffer()), file.name);
  return encoderFromTensors(tensors, metadata, file.name);
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
  return { encoder, weights: `${source}: ViT ${config.dim} wide, ${config.depth} deep, ${config.heads} heads` };
}

/** Encodes the clip `[16, 224, 224, 3]`: the features `[N, D]` of every token, read back to the host. */
export async function encodeClip(encoder: VisionTransformer, video: Float32Array): Promise<{ features: Float32Array; tokens: number; dim: number }> {
  const output = tf.tidy(() => encoder.apply(tf.tensor5d(video, [1, FRAMES, CROP, CROP, 3]))); // [1, N, D]
  const [, tokens, dim] = output.shape;
  const features = (await output.data()) as Float32Array;
  output.dispose();
  return { features, tokens, dim };
}
