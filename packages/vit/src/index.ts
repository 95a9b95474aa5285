export { VisionTransformer, type ModelInitOptions } from './vision-transformer';
export {
  VIT_DEFAULTS,
  VIT_SIZES,
  resolveVitConfig,
  vitConfig,
  type ResolvedVitConfig,
  type VisionTransformerConfig,
  type VitSize,
} from './config';
export { VisionTransformerV2 } from './vision-transformer-v2';
export {
  VIT_V2_PRESETS,
  resolveVitV2Config,
  vitV2Config,
  type ResolvedVitV2Config,
  type VisionTransformerV2Config,
  type VitV2Preset,
} from './config-v2';
