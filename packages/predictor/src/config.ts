import { checkKeys, fail, optionKeys } from '@vjepa/core';

/** Every key of {@link PredictorConfig}. */
const PREDICTOR_CONFIG_KEYS = optionKeys<PredictorConfig>({
  encoderDim: true, outputDim: true, dim: true, depth: true, heads: true, mlpRatio: true, numMaskTokens: true,
  zeroInitMaskTokens: true, uniformPower: true, qkvBias: true, normEps: true, frames: true, imageSize: true, patch: true, tubelet: true,
});

/** Configuration of the V-JEPA predictor. Defaults are those of every released config (spec §5). */
export interface PredictorConfig {
  /** Width D of the encoder whose features are predicted (required). */
  encoderDim: number;
  /**
   * Width of the predictions (default `encoderDim`, the features). A pixel-reconstruction baseline sets
   * it to the tubelet volume t·p·p·C.
   */
  outputDim?: number;
  /** Predictor width P (default 384). */
  dim?: number;
  /** Number of blocks (default 12). */
  depth?: number;
  /** Attention heads; the official configs use the encoder's head count (default 3, ViT-tiny's). */
  heads?: number;
  /** MLP ratio (default 4). */
  mlpRatio?: number;
  /** Number of mask tokens, one per mask generator (default 2). */
  numMaskTokens?: number;
  /** Start the mask tokens at zero (default true); otherwise trunc_normal(0.02). */
  zeroInitMaskTokens?: boolean;
  /** Positional table layout, as the encoder's (default true). */
  uniformPower?: boolean;
  /** Bias on qkv (default true). */
  qkvBias?: boolean;
  /** LayerNorm epsilon (default 1e-6). */
  normEps?: number;
  /** Clip geometry the positional table is built for: frames (16), imageSize (224), patch (16), tubelet (2). */
  frames?: number;
  imageSize?: number;
  patch?: number;
  tubelet?: number;
}

export type ResolvedPredictorConfig = Required<PredictorConfig>;

export const PREDICTOR_DEFAULTS: Omit<ResolvedPredictorConfig, 'encoderDim' | 'outputDim'> = {
  dim: 384,
  depth: 12,
  heads: 3,
  mlpRatio: 4,
  numMaskTokens: 2,
  zeroInitMaskTokens: true,
  uniformPower: true,
  qkvBias: true,
  normEps: 1e-6,
  frames: 16,
  imageSize: 224,
  patch: 16,
  tubelet: 2,
};

/** Fills defaults and checks every field before any tensor is made. */
export function resolvePredictorConfig(config: PredictorConfig): ResolvedPredictorConfig {
  if (config === undefined || config === null) fail('config', 'an object with at least encoderDim', config);
  checkKeys('config', config, PREDICTOR_CONFIG_KEYS);
  const c = { ...PREDICTOR_DEFAULTS, outputDim: config.encoderDim, ...config };
  for (const key of ['zeroInitMaskTokens', 'uniformPower', 'qkvBias'] as const) {
    if (typeof c[key] !== 'boolean') fail(`config.${key}`, 'true or false', c[key]);
  }
  for (const key of ['encoderDim', 'outputDim', 'dim', 'depth', 'heads', 'numMaskTokens', 'frames', 'imageSize', 'patch', 'tubelet'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) fail(`config.${key}`, 'a positive integer', c[key]);
  }
  if (c.dim % c.heads !== 0) fail('config.heads', `a divisor of dim ${c.dim}`, c.heads);
  if (!(c.mlpRatio > 0)) fail('config.mlpRatio', 'a positive number', c.mlpRatio);
  if (c.frames % c.tubelet !== 0) fail('config.frames', `a multiple of tubelet ${c.tubelet}`, c.frames);
  if (c.imageSize % c.patch !== 0) fail('config.imageSize', `a multiple of patch ${c.patch}`, c.imageSize);
  return c;
}
