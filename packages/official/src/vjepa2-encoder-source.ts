import { existsSync, statSync } from 'node:fs';
import { stripOfficialPrefixes } from '@vjepa/torch-format';
import { VisionTransformerV2 } from '@vjepa/vit';
import { isTorchPath, withTorchFile } from './torch-files';
import { isHfVjepa2Folder } from './vjepa2/inspect-vjepa2';
import { readVjepa2 } from './vjepa2/open';
import type { Vjepa2Hints } from './vjepa2/infer';

/**
 * Whether `path` is a V-JEPA 2 checkpoint with an encoder, by its names only: a Hugging Face folder whose
 * `config.json` says `model_type: vjepa2`, or an official `.pt` whose `encoder` / `target_encoder` has a
 * patch embedding and no `pos_embed` (RoPE; a V-JEPA 1 encoder has the table).
 */
export function isVjepa2Checkpoint(path: string): boolean {
  if (!existsSync(path)) return false;
  if (statSync(path).isDirectory()) return isHfVjepa2Folder(path);
  if (!isTorchPath(path)) return false;
  return withTorchFile(path, (_file, root) => {
    const state = root.get('encoder') ?? root.get('target_encoder');
    if (!(state instanceof Map)) return false;
    const names = [...state.keys()].map((name) => stripOfficialPrefixes(String(name)));
    return names.includes('patch_embed.proj.weight') && !names.includes('pos_embed');
  });
}

/** A V-JEPA 2 encoder read from a file, ready for `embedClips` / `extractFeatures`. */
export interface Vjepa2EncoderSource {
  /** The encoder, loaded: `apply(video)` → the final normed tokens `[B, N, D]`. */
  encoder: VisionTransformerV2;
  /** The clip it was trained for (the file's config or the probe's protocol; else 256 px, 16 frames). */
  crop: number;
  frames: number;
  /** The entry of the file the weights came from (`encoder`, `target_encoder`). */
  key: string;
  /** One line saying what it is. */
  description: string;
  dispose(): void;
}

/**
 * The encoder of a V-JEPA 2 checkpoint (official `.pt` or Hugging Face folder) as a feature encoder:
 * `target` reads an official file's `target_encoder` (what the official eval configs read), `online` its
 * `encoder`; a Hugging Face folder holds only `encoder`. Build it after the backend is selected.
 *
 * @param hints - what the file cannot say (encoder heads of a width that is no released size, image size, frames).
 */
export function openVjepa2Encoder(path: string, which: 'target' | 'online' = 'target', hints: Vjepa2Hints = {}): Vjepa2EncoderSource {
  const folder = statSync(path).isDirectory();
  const key = which === 'target' && !folder ? 'target_encoder' : 'encoder';
  // Only the encoder is built: the predictor's and probe's head counts do not matter, stand-ins keep the reader from asking.
  const weights = readVjepa2(path, { predictorHeads: 1, probeHeads: 1, ...hints, encoder: key });
  const e = weights.arch.encoder!;
  const encoder = new VisionTransformerV2({
    dim: e.dim, depth: e.depth, heads: e.heads, mlpRatio: e.mlpHidden / e.dim, patch: e.patch, tubelet: e.tubelet, channels: e.channels,
    qkvBias: e.qkvBias, normEps: e.normEps, imageSize: e.imageSize, frames: e.frames,
  });
  try {
    encoder.loadStateDict(weights.encoder!, { source: `${path} (${key})` });
  } catch (error) {
    encoder.dispose();
    throw error;
  }
  const size = weights.arch.size ? `${weights.arch.size} ` : '';
  return { encoder, crop: e.imageSize, frames: e.frames, key, description: `the V-JEPA 2 ${size}${key} of ${path}`, dispose: () => encoder.dispose() };
}
