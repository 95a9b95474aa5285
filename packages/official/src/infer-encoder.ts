import { fail, type HostTensor } from '@vjepa/core';
import { VIT_SIZES, type VisionTransformerConfig } from '@vjepa/vit';

/** Overrides of what the tensors cannot say. */
export interface InferOverrides {
  /** Attention heads (default: the official size of that width; required for custom widths). */
  heads?: number;
  /** Frames per clip (default: 16 when the positional table allows it, else the first fit of 8, 32, 4, 2). */
  frames?: number;
  /**
   * Crop size in pixels, for V-JEPA 2 files, which have no positional table to tell it (default 256, or 384
   * when the file name says 384). V-JEPA 1 files take it from their table.
   */
  imageSize?: number;
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
