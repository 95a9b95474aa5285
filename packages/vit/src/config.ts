import { checkKeys, fail } from '@vjepa/core';

/** Configuration of the video Vision Transformer. Every field has the official default. */
export interface VisionTransformerConfig {
  /** Token width D (default 192, ViT-tiny). */
  dim?: number;
  /** Number of transformer blocks (default 12). */
  depth?: number;
  /** Attention heads; must divide `dim` (default 3). */
  heads?: number;
  /** MLP hidden width as a multiple of `dim` (default 4). */
  mlpRatio?: number;
  /** Spatial patch side p in pixels (default 16). */
  patch?: number;
  /** Tubelet depth t in frames (default 2). */
  tubelet?: number;
  /** Frames per clip the positional table is built for (default 16). */
  frames?: number;
  /** Frame side in pixels the positional table is built for (default 224). */
  imageSize?: number;
  /** Input channels (default 3). */
  channels?: number;
  /**
   * Positional table layout (spec §2). Default true: every released config sets `uniform_power: true`
   * (the official class default is false).
   */
  uniformPower?: boolean;
  /** Bias on the fused qkv projection (default true). */
  qkvBias?: boolean;
  /** LayerNorm epsilon (default 1e-6). */
  normEps?: number;
}

/** A config with every default filled in. */
export type ResolvedVitConfig = Required<VisionTransformerConfig>;

export const VIT_DEFAULTS: ResolvedVitConfig = {
  dim: 192,
  depth: 12,
  heads: 3,
  mlpRatio: 4,
  patch: 16,
  tubelet: 2,
  frames: 16,
  imageSize: 224,
  channels: 3,
  uniformPower: true,
  qkvBias: true,
  normEps: 1e-6,
};

/** Fills defaults and checks every field before any tensor is made. */
export function resolveVitConfig(config: VisionTransformerConfig = {}): ResolvedVitConfig {
  checkKeys('config', config, Object.keys(VIT_DEFAULTS));
  const c = { ...VIT_DEFAULTS, ...config };
  for (const key of ['uniformPower', 'qkvBias'] as const) {
    if (typeof c[key] !== 'boolean') fail(`config.${key}`, 'true or false', c[key]);
  }
  for (const key of ['dim', 'depth', 'heads', 'patch', 'tubelet', 'frames', 'imageSize', 'channels'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) fail(`config.${key}`, 'a positive integer', c[key]);
  }
  if (c.dim % c.heads !== 0) fail('config.heads', `a divisor of dim ${c.dim}`, c.heads);
  if (!(c.mlpRatio > 0)) fail('config.mlpRatio', 'a positive number', c.mlpRatio);
  if (c.frames % c.tubelet !== 0) fail('config.frames', `a multiple of tubelet ${c.tubelet}`, c.frames);
  if (c.imageSize % c.patch !== 0) fail('config.imageSize', `a multiple of patch ${c.patch}`, c.imageSize);
  if (!(c.normEps > 0)) fail('config.normEps', 'a positive number', c.normEps);
  return c;
}

/** The official model sizes (spec §4.1), by name. */
export const VIT_SIZES = {
  tiny: { dim: 192, depth: 12, heads: 3 },
  small: { dim: 384, depth: 12, heads: 6 },
  base: { dim: 768, depth: 12, heads: 12 },
  large: { dim: 1024, depth: 24, heads: 16 },
  huge: { dim: 1280, depth: 32, heads: 16 },
  giant: { dim: 1408, depth: 40, heads: 16, mlpRatio: 48 / 11 },
  // QUIRK of the official factory: it passes the misspelled `mpl_ratio=64/13`, which is swallowed by
  // **kwargs, so the MLP ratio stays 4. Patch 14.
  gigantic: { dim: 1664, depth: 48, heads: 16, mlpRatio: 4, patch: 14 },
} as const satisfies Record<string, VisionTransformerConfig>;

/** Name of an official size. */
export type VitSize = keyof typeof VIT_SIZES;

/** The config of an official size, with overrides (frames, image size, …) applied on top. */
export function vitConfig(size: VitSize, overrides: VisionTransformerConfig = {}): ResolvedVitConfig {
  if (!(size in VIT_SIZES)) fail('size', `one of ${Object.keys(VIT_SIZES).join(', ')}`, size);
  return resolveVitConfig({ ...VIT_SIZES[size], ...overrides });
}
