import { checkKeys, fail, optionKeys } from '@vjepa/core';
import { ROPE_LAYOUTS, checkRopeHeads, type RopeLayout } from '@vjepa/tubelet';
import { resolveVitConfig, VIT_SIZES, type VisionTransformerConfig } from './config';

/**
 * Configuration of the V-JEPA 2 encoder (VJEPA2-SPEC §1). The fields are those of the V-JEPA 1 encoder
 * less the positional table's (`uniformPower`), plus the RoPE layout. `frames` and `imageSize` are the
 * clip the model was trained for (256 px, 16 frames by default); any even frame count and any height and
 * width multiple of the patch run, the rotations follow the input's own grid.
 */
export interface VisionTransformerV2Config extends Omit<VisionTransformerConfig, 'uniformPower'> {
  /** Angle-table layout of the rotations: `vjepa2` (default, the released weights) or `vjepa2.1`. */
  ropeLayout?: RopeLayout;
}

/** A V-JEPA 2 encoder config with every default filled in. */
export type ResolvedVitV2Config = Required<VisionTransformerV2Config>;

const V2_KEYS = optionKeys<VisionTransformerV2Config>({
  dim: true, depth: true, heads: true, mlpRatio: true, patch: true, tubelet: true, frames: true, imageSize: true,
  channels: true, qkvBias: true, normEps: true, ropeLayout: true,
});

/** Fills defaults (the V-JEPA 1 encoder's, at 256 px) and checks every field before any tensor is made. */
export function resolveVitV2Config(config: VisionTransformerV2Config = {}): ResolvedVitV2Config {
  checkKeys('config', config, V2_KEYS);
  const { ropeLayout = 'vjepa2', ...rest } = config;
  if (!ROPE_LAYOUTS.includes(ropeLayout)) fail('config.ropeLayout', `one of ${ROPE_LAYOUTS.join(', ')}`, ropeLayout);
  const { uniformPower: _unused, ...base } = resolveVitConfig({ imageSize: 256, ...rest });
  checkRopeHeads('config.heads', base.dim, base.heads);
  return { ...base, ropeLayout };
}

/**
 * The released V-JEPA 2 encoders (VJEPA2-SPEC §1), by name, at their 256 px training size: `vitl` (ViT-L,
 * 0.30 B), `vith` (ViT-H, 0.63 B), `vitg` (`vit_giant_xformers`: 1408 wide, 40 deep, 22 heads, MLP 6144).
 * `…-384` is the same network at 384 px (the released `vitg-384`).
 */
export const VIT_V2_PRESETS = {
  vitl: { ...VIT_SIZES.large, imageSize: 256 },
  vith: { ...VIT_SIZES.huge, imageSize: 256 },
  vitg: { dim: 1408, depth: 40, heads: 22, mlpRatio: 48 / 11, imageSize: 256 },
  'vitl-384': { ...VIT_SIZES.large, imageSize: 384 },
  'vith-384': { ...VIT_SIZES.huge, imageSize: 384 },
  'vitg-384': { dim: 1408, depth: 40, heads: 22, mlpRatio: 48 / 11, imageSize: 384 },
} as const satisfies Record<string, VisionTransformerV2Config>;

/** Name of a released V-JEPA 2 encoder size. */
export type VitV2Preset = keyof typeof VIT_V2_PRESETS;

/** The config of a released V-JEPA 2 size, with overrides (frames, RoPE layout, …) applied on top. */
export function vitV2Config(preset: VitV2Preset, overrides: VisionTransformerV2Config = {}): ResolvedVitV2Config {
  if (!(preset in VIT_V2_PRESETS)) fail('preset', `one of ${Object.keys(VIT_V2_PRESETS).join(', ')}`, preset);
  return resolveVitV2Config({ ...VIT_V2_PRESETS[preset], ...overrides });
}
