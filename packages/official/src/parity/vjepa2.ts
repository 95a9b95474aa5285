import { fail, selectGroup } from '@vjepa/core';
import { VisionTransformerV2, type VisionTransformerV2Config } from '@vjepa/vit';
import { PredictorV2, type PredictorV2Config } from '@vjepa/predictor';
import { AttentiveProbeV2, type AttentiveProbeV2Config } from '@vjepa/probe';
import type { RopeLayout } from '@vjepa/tubelet';
import type { Reference, ReferenceConfig } from './reference-models';

/**
 * The fields of a V-JEPA 2 configuration as the reference fixtures write them (`fixtures/vjepa2/tiny.json`,
 * the official scripts' names). Only the model fields are read; missing optional ones take the released
 * defaults.
 */
export interface Vjepa2JsonConfig {
  /** Clip the models are built for: `crop` px square (or `height`/`width`), `frames`, `patch`, `tubelet`. */
  crop: number;
  frames: number;
  patch: number;
  tubelet: number;
  /** Encoder width, blocks, heads, MLP ratio (default 4). */
  dim: number;
  depth: number;
  heads: number;
  mlp_ratio?: number;
  /** Predictor width, blocks, heads (default the encoder's), mask tokens (default 10). */
  pred_dim?: number;
  pred_depth?: number;
  pred_heads?: number;
  num_mask_tokens?: number;
  /** Mask token used by training (the clip-length group, default 0). */
  mask_index?: number;
  /** Attentive probe heads (default 16), blocks in all (default 4), classes. */
  probe_heads?: number;
  probe_depth?: number;
  classes?: number;
  /** Blocks whose normed outputs feed the multi-layer probe (Diving-48 style). */
  out_layers?: number[];
  /** `rope.layout` starts with `vjepa2.1` for the interleaved layout; anything else is the V-JEPA 2 one. */
  rope?: { layout?: string };
  /** LayerNorm epsilons (defaults 1e-6, 1e-6, 1e-5). */
  eps?: { encoder_ln?: number; predictor_ln?: number; probe_ln?: number };
  [key: string]: unknown;
}

/** The model configs of a V-JEPA 2 JSON configuration. */
export interface Vjepa2ModelConfigs {
  encoder: VisionTransformerV2Config;
  /** Absent when the JSON has no `pred_dim`/`pred_depth`. */
  predictor?: PredictorV2Config;
  /** Absent when the JSON has no `classes`. */
  probe?: AttentiveProbeV2Config;
  /** The mask token training uses. */
  maskIndex: number;
  /** The `out_layers` of the multi-layer features, when given. */
  outLayers?: number[];
}

/** Whether a reference config describes a V-JEPA 2 model (its `official` repository, or RoPE settings). */
export function isVjepa2Config(config: ReferenceConfig | Vjepa2JsonConfig): boolean {
  return config.official === 'facebookresearch/vjepa2' || (typeof config.rope === 'object' && config.rope !== null);
}

/**
 * Builds the configs of `VisionTransformerV2`, `PredictorV2` and `AttentiveProbeV2` from the fields of a
 * V-JEPA 2 JSON configuration (`fixtures/vjepa2/tiny.json`); each model's own resolver checks them.
 *
 * @example
 * const configs = vjepa2ModelConfigs(JSON.parse(readFileSync('fixtures/vjepa2/tiny.json', 'utf8')));
 * const encoder = new VisionTransformerV2(configs.encoder);
 */
export function vjepa2ModelConfigs(config: Vjepa2JsonConfig): Vjepa2ModelConfigs {
  if (typeof config !== 'object' || config === null) fail('config', 'a V-JEPA 2 JSON configuration object', config);
  const layout: RopeLayout = typeof config.rope?.layout === 'string' && config.rope.layout.startsWith('vjepa2.1') ? 'vjepa2.1' : 'vjepa2';
  const eps = config.eps ?? {};
  const geometry = { frames: config.frames, imageSize: config.crop, patch: config.patch, tubelet: config.tubelet };
  const encoder: VisionTransformerV2Config = {
    dim: config.dim, depth: config.depth, heads: config.heads, mlpRatio: config.mlp_ratio ?? 4, ...geometry,
    normEps: eps.encoder_ln ?? 1e-6, ropeLayout: layout,
  };
  const predictor: PredictorV2Config | undefined =
    config.pred_dim === undefined || config.pred_depth === undefined
      ? undefined
      : {
          encoderDim: config.dim, dim: config.pred_dim, depth: config.pred_depth, heads: config.pred_heads ?? config.heads,
          mlpRatio: config.mlp_ratio ?? 4, numMaskTokens: config.num_mask_tokens ?? 10, ...geometry,
          normEps: eps.predictor_ln ?? 1e-6, ropeLayout: layout,
        };
  const probe: AttentiveProbeV2Config | undefined =
    config.classes === undefined
      ? undefined
      : { dim: config.dim, classes: config.classes, heads: config.probe_heads ?? 16, depth: config.probe_depth ?? 4, normEps: eps.probe_ln ?? 1e-5 };
  return { encoder, predictor, probe, maskIndex: config.mask_index ?? 0, outLayers: config.out_layers };
}

/** The V-JEPA 2 encoder, target encoder and predictor of a reference file, loaded with its weights. */
export function buildVjepa2Models(reference: Reference) {
  const { tensors, file } = reference;
  const configs = vjepa2ModelConfigs(reference.config as Vjepa2JsonConfig);
  if (!configs.predictor) fail(`${file}: pred_dim, pred_depth`, 'the predictor sizes in the JSON config', 'absent');
  const encoder = new VisionTransformerV2(configs.encoder);
  encoder.loadStateDict(selectGroup(tensors, 'encoder'), { source: `${file} (encoder/*)` });
  const targetEncoder = new VisionTransformerV2(configs.encoder);
  targetEncoder.loadStateDict(selectGroup(tensors, 'target_encoder'), { source: `${file} (target_encoder/*)` });
  const predictor = new PredictorV2(configs.predictor);
  predictor.loadStateDict(selectGroup(tensors, 'predictor'), { source: `${file} (predictor/*)` });
  return { encoder, targetEncoder, predictor, configs };
}

/** The V-JEPA 2 attentive probe of a reference file's config (heads, depth, eps from the JSON). */
export function vjepa2Probe(reference: Reference, classes: number): AttentiveProbeV2 {
  const configs = vjepa2ModelConfigs({ ...(reference.config as Vjepa2JsonConfig), classes });
  return new AttentiveProbeV2(configs.probe!);
}
