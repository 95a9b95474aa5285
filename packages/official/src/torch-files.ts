import { existsSync, statSync } from 'node:fs';
import { fail, type HostTensor } from '@vjepa/core';
import { VIT_SIZES, type VisionTransformerConfig } from '@vjepa/vit';
import { openTorchFile, readPretrainedStateDict, stripOfficialPrefixes, TorchTensor, type TorchFile } from '@vjepa/torch-format';

/** Whether `path` names a PyTorch file by its extension (`.pth`, `.pt`, `.pth.tar`, `.ckpt`). */
export function isTorchPath(path: string): boolean {
  return /\.(pth|pt|pth\.tar|ckpt|tar)$/i.test(path) && existsSync(path) && statSync(path).isFile();
}

/** A state dict read from a PyTorch file: float32 host tensors (F16/BF16 widened) by key. */
export type HostStateDict = Map<string, HostTensor>;

function asDict(value: unknown, where: string): Map<unknown, unknown> {
  if (!(value instanceof Map)) fail(where, 'a dict (state dict)', value);
  return value;
}

/** A state dict of a file, prefixes stripped, every tensor widened to float32 (as tfjs needs). */
export function hostStateDict(dict: Map<unknown, unknown>, where: string): HostStateDict {
  const out: HostStateDict = new Map();
  for (const [key, tensor] of dict) {
    if (typeof key !== 'string' || !(tensor instanceof TorchTensor)) fail(`${where}[${String(key)}]`, 'a tensor under a string key', tensor);
    out.set(stripOfficialPrefixes(key), { shape: [...tensor.shape], data: tensor.readFloat32() });
  }
  return out;
}

/** Opens a `.pth*` file, runs `use` on it and closes it. */
export function withTorchFile<T>(path: string, use: (file: TorchFile, root: Map<unknown, unknown>) => T): T {
  const file = openTorchFile(path);
  try {
    return use(file, asDict(file.root, `${path}: the saved object`));
  } finally {
    file.close();
  }
}

/**
 * The encoder of an official pretraining checkpoint, by the official rule of `load_pretrained`:
 * `target_encoder` (else `encoder`) for `which = 'target'`, `encoder` for `'online'`; `module.` and
 * `backbone.` stripped; widened to float32.
 *
 * @param path - the `.pth.tar` file.
 * @param which - which encoder (default `target`).
 * @returns the state dict and the key of the file it came from.
 */
export function readOfficialEncoder(path: string, which: 'target' | 'online' = 'target'): { state: HostStateDict; key: string } {
  return readPretrainedStateDict(path, which === 'target' ? ['target_encoder', 'encoder'] : ['encoder']);
}

/** The attentive classifier of an official probe checkpoint (`classifier`, `module.` stripped), float32. */
export function readOfficialClassifier(path: string): HostStateDict {
  return readPretrainedStateDict(path, ['classifier']).state;
}

/** Overrides of what the tensors cannot say. */
export interface InferOverrides {
  /** Attention heads (default: the official size of that width; required for custom widths). */
  heads?: number;
  /** Frames per clip (default: 16 when the positional table allows it, else the first fit of 8, 32, 4, 2). */
  frames?: number;
}

/**
 * The encoder configuration an encoder state dict implies: width, tubelet and patch from
 * `patch_embed.proj.weight` `[D, C, t, p, p]`, depth from the blocks, MLP ratio from `fc1`, frames and
 * crop from the `pos_embed` token count; heads from the official size of that width (or `overrides.heads`).
 *
 * @param state - keys without prefixes.
 * @param source - the file, for errors.
 */
export function inferEncoderConfig(state: ReadonlyMap<string, HostTensor>, source: string, overrides: InferOverrides = {}): VisionTransformerConfig {
  const proj = state.get('patch_embed.proj.weight');
  if (!proj || proj.shape.length !== 5) fail(`${source}: patch_embed.proj.weight`, 'a [D, C, t, p, p] tubelet projection', proj?.shape ?? 'none');
  const [dim, channels, tubelet, patch] = proj.shape;
  let depth = 0;
  while (state.has(`blocks.${depth}.norm1.weight`)) depth++;
  if (depth === 0) fail(`${source}: blocks`, 'blocks.0.… keys', 'none');
  const hidden = state.get('blocks.0.mlp.fc1.weight')?.shape[0] ?? 4 * dim;
  const official = Object.values(VIT_SIZES).find((s) => s.dim === dim) as { heads: number } | undefined;
  const heads = overrides.heads ?? official?.heads;
  if (heads === undefined) fail(`${source}: heads`, `a --heads flag (width ${dim} is no official size: ${Object.values(VIT_SIZES).map((s) => s.dim).join(', ')})`, 'none');
  const tokens = state.get('pos_embed')?.shape[1];
  let frames = overrides.frames ?? 16;
  let side = 224 / patch;
  if (tokens !== undefined) {
    const candidates = overrides.frames !== undefined ? [overrides.frames] : [16, 8, 32, 4, 2];
    const fit = candidates.find((f) => f % tubelet === 0 && tokens % (f / tubelet) === 0 && Number.isInteger(Math.sqrt(tokens / (f / tubelet))));
    if (fit === undefined) fail(`${source}: pos_embed`, `a token count T'·G² for frames ${candidates.join(' or ')} and tubelet ${tubelet}`, tokens);
    frames = fit;
    side = Math.sqrt(tokens / (fit / tubelet));
  }
  return { dim, depth, heads, mlpRatio: hidden / dim, patch, tubelet, frames, imageSize: side * patch, channels, uniformPower: true, qkvBias: state.has('blocks.0.attn.qkv.bias') };
}
