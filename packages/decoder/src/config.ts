import { checkKeys, fail, optionKeys } from '@vjepa/core';

/** Every key of {@link DecoderConfig}. */
const DECODER_CONFIG_KEYS = optionKeys<DecoderConfig>({
  inputDim: true, dim: true, depth: true, heads: true, mlpRatio: true, qkvBias: true, normEps: true, positions: true,
  uniformPower: true, frames: true, imageSize: true, patch: true, tubelet: true, channels: true,
});

/**
 * Configuration of the pixel decoder: a few transformer blocks over the predicted target tokens, then a
 * linear head to the `tubelet × patch × patch × channels` pixels of each token. Saved with its weights.
 */
export interface DecoderConfig {
  /** Width of the predicted features it reads: the encoder's width D (required). */
  inputDim: number;
  /** Decoder width (default 192). */
  dim?: number;
  /** Number of blocks (default 2). */
  depth?: number;
  /** Attention heads (default 3). */
  heads?: number;
  /** MLP ratio (default 4). */
  mlpRatio?: number;
  /** Bias on qkv (default true). */
  qkvBias?: boolean;
  /** LayerNorm epsilon (default 1e-6). */
  normEps?: number;
  /**
   * How tokens get their place in the clip (default `sincos`, V-JEPA 1's fixed 3-D table). A name of
   * {@link POSITION_SCHEMES}; V-JEPA 2's RoPE is added there as another scheme.
   */
  positions?: string;
  /** Layout of the sin-cos table, as the encoder's (default true). */
  uniformPower?: boolean;
  /** Clip geometry: frames (16), imageSize (64), patch (16), tubelet (2), channels (3). */
  frames?: number;
  imageSize?: number;
  patch?: number;
  tubelet?: number;
  channels?: number;
}

export type ResolvedDecoderConfig = Required<DecoderConfig>;

/** Defaults of {@link DecoderConfig} (geometry: `vjepa train`'s laptop defaults). */
export const DECODER_DEFAULTS: Omit<ResolvedDecoderConfig, 'inputDim'> = {
  dim: 192,
  depth: 2,
  heads: 3,
  mlpRatio: 4,
  qkvBias: true,
  normEps: 1e-6,
  positions: 'sincos',
  uniformPower: true,
  frames: 16,
  imageSize: 64,
  patch: 16,
  tubelet: 2,
  channels: 3,
};

/** Fills defaults and checks every field before any tensor is made. */
export function resolveDecoderConfig(config: DecoderConfig): ResolvedDecoderConfig {
  if (config === undefined || config === null) fail('config', 'an object with at least inputDim', config);
  checkKeys('config', config, DECODER_CONFIG_KEYS);
  const c = { ...DECODER_DEFAULTS, ...config };
  for (const key of ['qkvBias', 'uniformPower'] as const) {
    if (typeof c[key] !== 'boolean') fail(`config.${key}`, 'true or false', c[key]);
  }
  for (const key of ['inputDim', 'dim', 'depth', 'heads', 'frames', 'imageSize', 'patch', 'tubelet', 'channels'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) fail(`config.${key}`, 'a positive integer', c[key]);
  }
  if (c.dim % c.heads !== 0) fail('config.heads', `a divisor of dim ${c.dim}`, c.heads);
  if (!(c.mlpRatio > 0)) fail('config.mlpRatio', 'a positive number', c.mlpRatio);
  if (!(c.normEps > 0)) fail('config.normEps', 'a positive number', c.normEps);
  if (c.frames % c.tubelet !== 0) fail('config.frames', `a multiple of tubelet ${c.tubelet}`, c.frames);
  if (c.imageSize % c.patch !== 0) fail('config.imageSize', `a multiple of patch ${c.patch}`, c.imageSize);
  if (typeof c.positions !== 'string') fail('config.positions', 'the name of a position scheme', c.positions);
  return c;
}

/** Pixels of one token: `tubelet · patch · patch · channels`. */
export function tokenPixels(c: Pick<ResolvedDecoderConfig, 'tubelet' | 'patch' | 'channels'>): number {
  return c.tubelet * c.patch * c.patch * c.channels;
}
