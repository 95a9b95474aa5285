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
