import { checkKeys, fail, optionKeys } from '@vjepa/core';
import { ROPE_LAYOUTS, checkRopeHeads, type RopeLayout } from '@vjepa/tubelet';
import { resolvePredictorConfig, type PredictorConfig } from './config';

/**
 * Configuration of the V-JEPA 2 predictor (VJEPA2-SPEC §2): the V-JEPA 1 predictor's fields less the
 * positional table's, plus the RoPE layout. Defaults are the released ones: 384 wide, 12 blocks, 12 heads,
 * 10 mask tokens, 256 px clips of 16 frames (`imageSize / patch` sets the grid the rotations use).
 */
export interface PredictorV2Config extends Omit<PredictorConfig, 'uniformPower'> {
  /** Angle-table layout of the rotations: `vjepa2` (default) or `vjepa2.1`. */
  ropeLayout?: RopeLayout;
}

/** A V-JEPA 2 predictor config with every default filled in. */
export type ResolvedPredictorV2Config = Required<PredictorV2Config>;

/** The released V-JEPA 2 predictor (`vit_predictor` of the hub and the configs). */
export const PREDICTOR_V2_DEFAULTS = {
  dim: 384, depth: 12, heads: 12, mlpRatio: 4, numMaskTokens: 10, zeroInitMaskTokens: true, qkvBias: true,
  normEps: 1e-6, frames: 16, imageSize: 256, patch: 16, tubelet: 2, ropeLayout: 'vjepa2',
} as const satisfies Omit<ResolvedPredictorV2Config, 'encoderDim' | 'outputDim'>;

const V2_KEYS = optionKeys<PredictorV2Config>({
  encoderDim: true, outputDim: true, dim: true, depth: true, heads: true, mlpRatio: true, numMaskTokens: true,
  zeroInitMaskTokens: true, qkvBias: true, normEps: true, frames: true, imageSize: true, patch: true, tubelet: true, ropeLayout: true,
});

/** Fills defaults and checks every field before any tensor is made. */
export function resolvePredictorV2Config(config: PredictorV2Config): ResolvedPredictorV2Config {
  if (config === undefined || config === null) fail('config', 'an object with at least encoderDim', config);
  checkKeys('config', config, V2_KEYS);
  const { ropeLayout, ...defaults } = PREDICTOR_V2_DEFAULTS;
  const { ropeLayout: layout = ropeLayout, ...rest } = config;
  if (!ROPE_LAYOUTS.includes(layout)) fail('config.ropeLayout', `one of ${ROPE_LAYOUTS.join(', ')}`, layout);
  const { uniformPower: _unused, ...base } = resolvePredictorConfig({ ...defaults, ...rest });
  checkRopeHeads('config.heads', base.dim, base.heads);
  return { ...base, ropeLayout: layout };
}
